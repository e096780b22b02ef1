"""Tests of analysis.theory: the symbolic moments against exact arithmetic.

The expected values come from three independent sources: the formulas
worked out by hand in the module docstring, an exact recursion over
rational numbers that follows the moments step by step (expectations of
linear recursions of independent variables), and Monte Carlo runs.
"""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from analysis import theory
from analysis.statistics import mean_ci

MU, S2, B1, B2, T = (theory.SYMBOLS[n] for n in ("mu", "sigma2", "beta1", "beta2", "t"))


def exact_moments(mu, sigma2, beta1, beta2, steps):
    """E m_t, E v_t, E s_t for t = 1..steps, by exact rational recursion.

    m_t = sum_k a_{t,k} g_k with known coefficients, so E m_t and
    E (g_t - m_t)^2 follow from the coefficients: mean times sum of
    coefficients, and variance times the sum of squared coefficients.
    """
    coeffs = []  # coefficients of g_1..g_t in m_t
    m_means, v_means, s_means = [], [], []
    v = s = Fraction(0)
    for _ in range(steps):
        coeffs = [beta1 * c for c in coeffs] + [1 - beta1]
        m_means.append(mu * sum(coeffs))
        v = beta2 * v + (1 - beta2) * (mu * mu + sigma2)
        v_means.append(v)
        # r_t = g_t - m_t: coefficient 1 - (1 - beta1) on g_t, -c on others.
        r_coeffs = [-c for c in coeffs[:-1]] + [1 - coeffs[-1]]
        r_mean = mu * sum(r_coeffs)
        r_var = sigma2 * sum(c * c for c in r_coeffs)
        s = beta2 * s + (1 - beta2) * (r_mean * r_mean + r_var)
        s_means.append(s)
    return m_means, v_means, s_means


CASES = [
    (Fraction(1), Fraction(2), Fraction(9, 10), Fraction(999, 1000)),
    (Fraction(-3, 2), Fraction(1, 4), Fraction(3, 10), Fraction(3, 10)),
    (Fraction(1, 10), Fraction(5), Fraction(1, 2), Fraction(9, 10)),
]


def subs(expr, mu, sigma2, beta1, beta2, t):
    values = {MU: mu, S2: sigma2, B1: beta1, B2: beta2, T: t}
    return sp.simplify(expr.subs(values))


@pytest.mark.parametrize(("mu", "sigma2", "beta1", "beta2"), CASES)
def test_symbolic_moments_equal_exact_recursion(mu, sigma2, beta1, beta2):
    m_means, v_means, s_means = exact_moments(mu, sigma2, beta1, beta2, 12)
    for t in (1, 2, 3, 10, 12):
        args = (
            sp.Rational(mu),
            sp.Rational(sigma2),
            sp.Rational(beta1),
            sp.Rational(beta2),
            t,
        )
        assert subs(theory.adam_m_mean(), *args) == sp.Rational(m_means[t - 1])
        assert subs(theory.adam_v_mean(), *args) == sp.Rational(v_means[t - 1])
        s_hat = s_means[t - 1] / (1 - beta2**t)
        assert subs(theory.adabelief_s_hat_mean(), *args) == sp.Rational(s_hat)


def test_bias_corrected_second_moment_is_exact_for_every_t():
    # A1: (1 - b2) sum b2^(t-k) (mu^2 + sigma^2) / (1 - b2^t) = mu^2 + sigma^2.
    assert sp.simplify(theory.adam_v_hat_mean() - (MU**2 + S2)) == 0


def test_uncorrected_first_moment_bias_is_beta1_power_t():
    # E m_t - mu = -beta1^t mu.
    assert sp.simplify(theory.adam_m_mean() - MU + B1**T * MU) == 0


def test_residual_moments_match_hand_derivation():
    # Module docstring: E r_t = beta1^t mu and
    # Var r_t = sigma2 beta1^2 [1 + (1 - b1)/(1 + b1) (1 - b1^(2(t-1)))].
    assert sp.simplify(theory.residual_mean() - B1**T * MU) == 0
    by_hand = S2 * B1**2 * (1 + (1 - B1) / (1 + B1) * (1 - B1 ** (2 * (T - 1))))
    assert sp.simplify(theory.residual_variance() - by_hand) == 0


def test_stationary_belief_is_not_the_variance():
    # lim E s_hat = 2 beta1^2 sigma2 / (1 + beta1): Var r_t as t -> oo.
    expected = 2 * B1**2 * S2 / (1 + B1)
    assert sp.simplify(theory.adabelief_s_limit() - expected) == 0


def test_m_hat_variance_matches_closed_form():
    # Var m_hat = sigma2 (1 - b1)(1 + b1^t) / ((1 + b1)(1 - b1^t)).
    expected = S2 * (1 - B1) * (1 + B1**T) / ((1 + B1) * (1 - B1**T))
    assert sp.simplify(theory.adam_m_hat_variance() - expected) == 0


def test_s_hat_mean_matches_monte_carlo():
    rng = np.random.default_rng(12)
    mu, sigma, beta1, beta2, steps, runs = 0.5, 1.5, 0.9, 0.99, 30, 40_000
    g = mu + sigma * rng.standard_normal((steps, runs))
    m = s = np.zeros(runs)
    for t in range(1, steps + 1):
        m = beta1 * m + (1 - beta1) * g[t - 1]
        s = beta2 * s + (1 - beta2) * (g[t - 1] - m) ** 2
    ci = mean_ci(s / (1 - beta2**steps), level=0.999)
    exact = theory.evaluate(
        theory.adabelief_s_hat_mean(),
        mu=mu,
        sigma2=sigma**2,
        beta1=beta1,
        beta2=beta2,
        t=steps,
    )
    assert ci.low <= exact <= ci.high


def test_evaluate_broadcasts_over_every_value():
    values = theory.evaluate(
        theory.adam_v_hat_mean(), mu=1.0, sigma2=2.0, beta2=0.9, t=[1, 2, 3]
    )
    np.testing.assert_array_equal(values, [3.0, 3.0, 3.0])


def test_evaluate_names_missing_symbols():
    with pytest.raises(ValueError, match="beta1"):
        theory.evaluate(theory.adam_m_mean(), mu=1.0, t=3)


def test_evaluate_rejects_unknown_names():
    with pytest.raises(ValueError, match="gamma"):
        theory.evaluate(theory.adam_m_mean(), mu=1.0, beta1=0.5, t=3, gamma=1.0)


def test_evaluate_stays_finite_at_large_t():
    # E m_t = mu (1 - beta1^t) -> mu; no beta1^(-t) may overflow on the way.
    values = theory.evaluate(theory.adam_m_mean(), mu=1.0, beta1=0.3, t=[700, 1e5])
    np.testing.assert_allclose(values, [1.0, 1.0])
    v = theory.evaluate(theory.adam_v_mean(), mu=1.0, sigma2=1.0, beta2=0.999, t=[1e6])
    np.testing.assert_allclose(v, [2.0])
