r"""Tests of analysis.exact: exact moment recursions and the centred gap.

Expected values come from hand derivations written in the comments, from
the floating-point rules of analysis.optimizers (for which the exact
recursions are the slow twin), and from the identities proved in the
module docstring (Cauchy–Schwarz on the moving-average weights).
"""

import random
from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp

from analysis import exact
from analysis.optimizers import AdaBelief, Adam

HALF, THREE_QUARTERS = F(1, 2), F(3, 4)


def random_gradients(rng, steps, scale=10):
    # Rationals with small denominators, of both signs.
    return [
        F(rng.randint(-scale * 8, scale * 8), rng.randint(1, 8)) for _ in range(steps)
    ]


def test_ema_weights_sum_to_one_after_correction_else_one_minus_beta_power():
    # sum_k (1 - b) b^(t - k) = 1 - b^t (geometric sum).
    for beta in (F(0), HALF, F(9, 10)):
        for t in (1, 2, 7):
            raw = exact.ema_weights(beta, t, bias_correction=False)
            assert sum(raw) == 1 - beta**t
            assert sum(exact.ema_weights(beta, t)) == 1


def test_exact_moments_match_hand_derivation_for_constant_gradient():
    # beta1 = 1/2, beta2 = 3/4, g_t = 2 (as in tests/test_optimizers.py):
    # m_t = 2(1 - 2^-t) = 1, 3/2, 7/4; v_t = 4(1 - (3/4)^t) = 1, 7/4, 37/16;
    # m_1 = 1 so s_1 = (1/4)(2 - 1)^2 = 1/4;
    # s_2 = (3/4)(1/4) + (1/4)(2 - 3/2)^2 = 3/16 + 1/16 = 1/4.
    moments = exact.exact_moments([2, 2, 2], HALF, THREE_QUARTERS)
    assert moments.m == (1, F(3, 2), F(7, 4))
    assert moments.v == (1, F(7, 4), F(37, 16))
    assert moments.m_hat == (2, 2, 2)
    assert moments.v_hat == (4, 4, 4)
    assert moments.s[:2] == (F(1, 4), F(1, 4))


def test_exact_moments_agree_with_float_rules():
    # The floating-point rules follow the same equations; float64 rounding
    # keeps them within a few ulps over 50 steps.
    rng = random.Random(0)
    g = random_gradients(rng, 50)
    beta1, beta2 = F(9, 10), F(999, 1000)
    moments = exact.exact_moments(g, beta1, beta2)
    adam = Adam(beta1=0.9, beta2=0.999)
    belief = AdaBelief(beta1=0.9, beta2=0.999, eps=0.0, eps_convention="outside")
    state_a, state_b = adam.init((1,)), belief.init((1,))
    for t, gt in enumerate(g):
        _, _, state_a = adam.update(state_a, [float(gt)])
        _, _, state_b = belief.update(state_b, [float(gt)])
        for got, want in (
            (state_a.m_hat[0], moments.m_hat[t]),
            (state_a.v_hat[0], moments.v_hat[t]),
            (state_b.s_hat[0], moments.s_hat[t]),
        ):
            assert got == pytest.approx(float(want), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("beta", [F(0), F(1, 3), F(9, 10), F(99, 100)])
def test_centered_gap_is_never_negative_with_equal_betas(beta):
    # Cauchy–Schwarz on the weights: v_t - m_t^2 >= beta^t v_t >= 0, and
    # v_hat - m_hat^2 is a weighted variance.
    rng = random.Random(1)
    for _ in range(20):
        g = random_gradients(rng, 12)
        raw = exact.centered_gap(g, beta, beta, bias_correction=False)
        moments = exact.exact_moments(g, beta, beta)
        for t, (gap, v) in enumerate(zip(raw, moments.v, strict=True), start=1):
            assert gap >= beta**t * v
        assert min(exact.centered_gap(g, beta, beta)) >= 0


def test_corrected_gap_is_the_weighted_variance_with_equal_betas():
    # v_hat - m_hat^2 = sum_k p_k (g_k - m_hat)^2 with p the normalised
    # weights (expand the square; sum_k p_k = 1).
    rng = random.Random(2)
    beta = F(4, 5)
    g = random_gradients(rng, 9)
    gaps = exact.centered_gap(g, beta, beta)
    m_hat = exact.exact_moments(g, beta, beta).m_hat
    for t in range(1, len(g) + 1):
        p = exact.ema_weights(beta, t)
        variance = sum(
            pk * (gk - m_hat[t - 1]) ** 2 for pk, gk in zip(p, g, strict=False)
        )
        assert gaps[t - 1] == variance


def test_s_equals_beta_times_raw_gap_with_equal_betas():
    # With c_t = v_t - m_t^2: c_t = b c_{t-1} + b(1-b)(g_t - m_{t-1})^2 and
    # g_t - m_t = b (g_t - m_{t-1}), so b c_t and s_t obey one recursion
    # from zero: s_t = b (v_t - m_t^2) for every t.
    rng = random.Random(3)
    for beta in (F(1, 2), F(9, 10)):
        g = random_gradients(rng, 15)
        moments = exact.exact_moments(g, beta, beta)
        gaps = exact.centered_gap(g, beta, beta, bias_correction=False)
        assert moments.s == tuple(beta * c for c in gaps)


def test_s_relation_holds_symbolically():
    # The same identity with symbolic gradients and beta, three steps.
    beta = sp.Symbol("beta", positive=True)
    g = sp.symbols("g1:4", real=True)
    moments = exact.exact_moments(g, beta, beta)
    gaps = exact.centered_gap(g, beta, beta, bias_correction=False)
    for s, c in zip(moments.s, gaps, strict=True):
        assert sp.expand(s - beta * c) == 0


def test_worst_case_ratio_for_equal_betas():
    # S_t = sum_k a_k^2 / a_k = sum_k a_k: 1 after correction, 1 - b^t raw.
    beta = F(7, 10)
    for t in (1, 3, 8):
        assert exact.worst_case_ratio(beta, beta, t) == 1
        assert exact.worst_case_ratio(beta, beta, t, bias_correction=False) == (
            1 - beta**t
        )


def test_worst_case_ratio_at_step_one_raw():
    # t = 1: a = 1 - b1, b = 1 - b2, so S_1 = (1 - b1)^2 / (1 - b2);
    # Adam's defaults: 0.01 / 0.001 = 10.
    assert (
        exact.worst_case_ratio(F(9, 10), F(999, 1000), 1, bias_correction=False) == 10
    )


@pytest.mark.parametrize("bias_correction", [True, False])
def test_worst_case_gradients_attain_one_minus_ratio(bias_correction):
    # At g_k = a_k / b_k: v_t = sum_k a_k^2 / b_k = S and m_t = S, so
    # (v - m^2)/v = 1 - S exactly.
    beta1, beta2 = F(1, 2), F(9, 10)
    for t in (2, 5):
        g = exact.worst_case_gradients(beta1, beta2, t, bias_correction=bias_correction)
        moments = exact.exact_moments(g, beta1, beta2)
        v = moments.v_hat[-1] if bias_correction else moments.v[-1]
        gap = exact.centered_gap(g, beta1, beta2, bias_correction=bias_correction)[-1]
        ratio = exact.worst_case_ratio(beta1, beta2, t, bias_correction=bias_correction)
        assert gap / v == 1 - ratio
        assert ratio > 1


def test_worst_case_ratio_bounds_every_sequence():
    # 1 - S_t is the minimum of (v_hat - m_hat^2) / v_hat over g != 0.
    rng = random.Random(4)
    beta1, beta2 = F(9, 10), F(99, 100)
    for _ in range(30):
        g = random_gradients(rng, 6)
        if all(x == 0 for x in g):
            continue
        gap = exact.centered_gap(g, beta1, beta2)[-1]
        v_hat = exact.exact_moments(g, beta1, beta2).v_hat[-1]
        assert gap / v_hat >= 1 - exact.worst_case_ratio(beta1, beta2, 6)


def test_smallest_negative_examples_match_hand_values():
    # Raw, t = 1, b1 = 0, b2 = 1/2, g = 1: v - m^2 = 1/2 - 1 = -1/2.
    # Corrected, t = 2, g = (0, 1): v_hat = (1/2*0 + 1/2*1)/(3/4) = 2/3,
    # m_hat = 1, gap -1/3 (t = 1 is always 0 after correction).
    grid = [F(0), F(1, 2)]
    pairs = [(a, b) for a in grid for b in grid]
    raw = exact.smallest_negative_example(pairs, range(-1, 2), 2, bias_correction=False)
    assert raw is not None
    assert (raw.beta1, raw.beta2, raw.gradients, raw.gap) == (0, HALF, (1,), F(-1, 2))
    assert raw.t == 1
    hat = exact.smallest_negative_example(pairs, range(-1, 2), 2)
    assert hat is not None
    assert (hat.beta1, hat.beta2, hat.gradients, hat.gap) == (0, HALF, (0, 1), F(-1, 3))


def test_search_finds_nothing_with_equal_betas():
    pairs = [(b, b) for b in (F(0), F(1, 2), F(2, 3))]
    for correction in (True, False):
        found = exact.smallest_negative_example(
            pairs, range(-2, 3), 3, bias_correction=correction
        )
        assert found is None


def test_floats_are_converted_exactly():
    # 0.5 is exact in binary; 0.1 is the double nearest 0.1, not 1/10.
    assert exact.ema_weights(0.5, 1) == (1,)
    assert exact.exact_moments([0.1], 0.5, 0.5).m[0] == F(0.1) / 2
    assert F(0.1) != F(1, 10)


@pytest.mark.parametrize("beta", [-0.1, 1, 1.5, float("nan")])
def test_beta_out_of_range_raises(beta):
    with pytest.raises(ValueError, match="beta1"):
        exact.exact_moments([1], beta, 0.5)
    with pytest.raises(ValueError, match="beta2"):
        exact.centered_gap([1], 0.5, beta)
    with pytest.raises(ValueError, match="beta"):
        exact.ema_weights(beta, 1)


def test_bad_arguments_raise_naming_them():
    with pytest.raises(ValueError, match="g must hold"):
        exact.exact_moments([], 0.5, 0.5)
    with pytest.raises(ValueError, match="g must be finite"):
        exact.exact_moments([float("inf")], 0.5, 0.5)
    with pytest.raises(ValueError, match="g must be a real number"):
        exact.exact_moments(["1"], 0.5, 0.5)
    with pytest.raises(ValueError, match="t must be an integer >= 1"):
        exact.ema_weights(0.5, 0)
    with pytest.raises(ValueError, match="t must be an integer >= 1"):
        exact.worst_case_ratio(0.5, 0.5, True)
    with pytest.raises(ValueError, match=r"beta2 must lie in \(0, 1\)"):
        exact.worst_case_ratio(0.5, 0, 2)
    with pytest.raises(ValueError, match=r"beta2 must lie in \(0, 1\)"):
        exact.worst_case_gradients(0.5, 0, 2)
    with pytest.raises(ValueError, match="beta_pairs"):
        exact.smallest_negative_example([], [1], 1)
    with pytest.raises(ValueError, match="values"):
        exact.smallest_negative_example([(0.5, 0.5)], [], 1)
    with pytest.raises(ValueError, match="max_t"):
        exact.smallest_negative_example([(0.5, 0.5)], [1], 0)


def test_float_rules_and_exact_gap_agree_in_sign_when_resolved():
    # Where |exact gap| is far above float64 rounding of v_hat, the float
    # rule's v_hat - m_hat^2 has the exact sign.
    rng = np.random.default_rng(5)
    g = 1.0 + 0.1 * rng.standard_normal(40)
    gaps = exact.centered_gap(list(g), F(0.5), F(0.25))
    adam = Adam(beta1=0.5, beta2=0.25)
    state = adam.init((1,))
    for t, gt in enumerate(g):
        _, _, state = adam.update(state, [gt])
        computed = state.v_hat[0] - state.m_hat[0] ** 2
        if abs(gaps[t]) > 1e-12:
            assert np.sign(computed) == np.sign(float(gaps[t]))
