"""Tests of analysis.regret: comparators, growth fits and bounds."""

import itertools
import math

import numpy as np
import pytest
from scipy.special import comb

from analysis.projections import Ball, Box
from analysis.regret import (
    adabelief_corollary_bound,
    adabelief_regret_bound,
    amsgrad_regret_bound,
    fit_regret_growth,
    linear_regret,
    rademacher_expected_regret,
    residual_bound,
)


def test_linear_regret_on_a_box_equals_the_best_vertex():
    # Expected value: the minimum of <C, x> over the 2^d vertices.
    rng = np.random.default_rng(0)
    c = rng.normal(size=(30, 3))
    box = Box([-1.0, 0.0, -2.0], [1.0, 0.5, 3.0])
    vertices = np.array(
        list(itertools.product(*zip(box.lower, box.upper, strict=True)))
    )
    theta = rng.uniform(box.lower, box.upper, size=(30, 3))
    loss = float(np.sum(c * theta))
    expected = loss - np.min(vertices @ c.sum(axis=0))
    np.testing.assert_allclose(linear_regret(loss, c.sum(axis=0), box), expected)


def test_linear_regret_on_a_ball_equals_cauchy_schwarz_and_beats_sampling():
    # Expected value: <C, center> - r |C|, which no sampled point undercuts.
    rng = np.random.default_rng(1)
    total = rng.normal(size=4)
    ball = Ball([0.5, 0.0, -1.0, 2.0], 1.5)
    got = linear_regret(0.0, total, ball)
    np.testing.assert_allclose(
        got, -(total @ ball.center - 1.5 * np.linalg.norm(total)), rtol=1e-13
    )
    u = rng.normal(size=(20_000, 4))
    points = ball.center + 1.5 * u / np.linalg.norm(u, axis=1, keepdims=True)
    sampled = -np.min(points @ total)
    assert got >= sampled - 1e-12
    assert got - sampled < 0.05


def test_linear_regret_is_batched():
    box = Box(-1.0, 1.0, dim=2)
    got = linear_regret([0.0, 1.0], [[1.0, -2.0], [0.0, 0.0]], box)
    np.testing.assert_allclose(got, [3.0, 1.0])


def test_rademacher_expected_regret_equals_exact_enumeration():
    # Expected value: E|S_T| by enumerating the binomial law of S_T.
    for n in range(1, 16):
        k = np.arange(n + 1)
        exact = np.sum(comb(n, k) * np.abs(2 * k - n)) / 2.0**n
        np.testing.assert_allclose(rademacher_expected_regret(n), exact, rtol=1e-12)


def test_rademacher_expected_regret_grows_like_sqrt_2t_over_pi():
    # Expected value: E|S_T| ~ sqrt(2T/pi) (central limit theorem).
    t = np.array([10**6, 10**8])
    np.testing.assert_allclose(
        rademacher_expected_regret(t), np.sqrt(2 * t / math.pi), rtol=1e-5
    )


@pytest.mark.parametrize("power", [0.0, 0.5, 1.0])
def test_growth_fit_recovers_the_exponent_of_noisy_power_laws(power):
    # Expected value: the exponent used to build the curves.
    rng = np.random.default_rng(2)
    t = np.unique(np.round(np.logspace(0, 5, 60))).astype(np.int64)
    r = 3.0 * t[:, None] ** power * rng.lognormal(0.0, 0.1, size=(t.size, 40))
    fit = fit_regret_growth(t, r, seed=3)
    assert fit.method == "bootstrap"
    assert fit.low <= power <= fit.high
    assert abs(fit.exponent - power) < 0.02
    assert fit.high - fit.low < 0.1
    np.testing.assert_allclose(fit.final_over_sqrt, r[-1].mean() / math.sqrt(t[-1]))


def test_growth_fit_refuses_a_non_positive_mean():
    t = np.arange(1, 101)
    r = np.tile(-np.sqrt(t)[:, None], (1, 5))
    fit = fit_regret_growth(t, r)
    assert not fit.fitted
    assert math.isnan(fit.exponent)
    assert fit.nonpositive_fraction == 1.0


def test_growth_fit_of_identical_runs_uses_the_regression_interval():
    # Deterministic problems: every run is the same curve.
    t = np.arange(1, 1001)
    r = np.tile((2.0 * t**0.7)[:, None], (1, 4))
    fit = fit_regret_growth(t, r)
    assert fit.method == "regression"
    np.testing.assert_allclose(fit.exponent, 0.7, rtol=1e-10)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"checkpoints": [1, 2], "regret": [1.0, 2.0]}, "checkpoints"),
        ({"checkpoints": [1.0, 2.0, 3.0], "regret": [1.0, 2.0, 3.0]}, "checkpoints"),
        ({"checkpoints": [1, 2, 3], "regret": [1.0, 2.0]}, "regret"),
        ({"checkpoints": [1, 2, 3], "regret": [1.0, np.nan, 2.0]}, "regret"),
        ({"checkpoints": [1, 2, 3], "regret": [1.0, 2.0, 3.0], "level": 1.0}, "level"),
        ({"checkpoints": [1, 2, 3], "regret": [1.0, 2.0, 3.0], "t_min": 2}, "t_min"),
    ],
)
def test_growth_fit_bad_input_raises(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fit_regret_growth(**kwargs)


def test_residual_bound_holds_and_is_approached():
    # |g_t - m_t| <= 2 beta1 G for |g_t| <= G; a run of -G then +G gets close.
    beta1, g_inf = 0.9, 1.5
    rng = np.random.default_rng(4)
    worst = 0.0
    for n in (5, 50, 300):
        # A run of -G, then +G: |g - m| = beta1 (G - m_prev) -> 2 beta1 G.
        g = np.concatenate([np.full(n, -g_inf), [g_inf]])
        g = np.concatenate([rng.uniform(-g_inf, g_inf, 100), g])
        m = 0.0
        for x in g:
            m = beta1 * m + (1 - beta1) * x
            worst = max(worst, abs(x - m))
    bound = float(residual_bound(beta1, g_inf))
    assert worst <= bound + 1e-12
    assert worst > 0.99 * bound


def test_adabelief_bound_equals_hand_computation():
    # Expected value: the three terms of the docstring, by hand.
    b = adabelief_regret_bound(
        100,
        alpha=0.5,
        beta1=0.5,
        d_inf=2.0,
        c=0.25,
        sum_sqrt_s=1.0,
        sum_g2_norm=3.0,
        momentum_sum=4.0,
    )
    initial = 4.0 * 10.0 / (2 * 0.5 * 0.5) * 1.0
    gradient = 1.5 * 0.5 * math.sqrt(1 + math.log(100)) / (2 * 0.5 * 0.125) * 3.0
    momentum = 4.0 / (2 * 0.5) * 4.0
    np.testing.assert_allclose(
        [b.initial, b.gradient, b.momentum, b.total],
        [initial, gradient, momentum, initial + gradient + momentum],
    )
    assert b.constants["D_inf"] == 2.0


def test_adabelief_corollary_bound_is_infinite_without_decay():
    kwargs = {
        "alpha": 0.1,
        "beta1": 0.9,
        "d_inf": 2.0,
        "g_inf": 1.0,
        "c": 0.01,
        "dim": 1,
        "sum_sqrt_s": 0.5,
        "sum_g2_norm": 10.0,
    }
    assert np.isinf(adabelief_corollary_bound(100, decay=1.0, **kwargs).total)
    finite = adabelief_corollary_bound(100, decay=0.5, **kwargs)
    # Expected value: d beta1 D^2 G / (2 alpha (1 - beta1) (1 - lambda)^2).
    np.testing.assert_allclose(finite.momentum, 0.9 * 4.0 / (2 * 0.1 * 0.1 * 0.25))


def test_adabelief_bound_warns_when_c_is_zero():
    with pytest.warns(RuntimeWarning, match="c = 0"):
        b = adabelief_regret_bound(
            10,
            alpha=0.1,
            beta1=0.9,
            d_inf=1.0,
            c=0.0,
            sum_sqrt_s=1.0,
            sum_g2_norm=1.0,
            momentum_sum=1.0,
        )
    assert np.isinf(b.total)


def test_amsgrad_bound_equals_hand_computation():
    # Expected value: Reddi et al.'s Theorem 4, terms by hand.
    b = amsgrad_regret_bound(
        100,
        alpha=0.5,
        beta1=0.5,
        beta2=0.81,
        d_inf=2.0,
        sum_sqrt_v=1.0,
        sum_g_norm=3.0,
        momentum_sum=4.0,
    )
    gamma = 0.5 / 0.9
    expected = (
        4.0 * 10.0 / (0.5 * 0.5)
        + 4.0 / (2 * 0.5) * 4.0
        + 0.5
        * math.sqrt(1 + math.log(100))
        / (0.25 * (1 - gamma) * math.sqrt(0.19))
        * 3
    )
    np.testing.assert_allclose(b.total, expected)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"alpha": 0.0}, "alpha"),
        ({"beta1": 1.0}, "beta1"),
        ({"d_inf": -1.0}, "d_inf"),
        ({"c": -1.0}, "c"),
        ({"sum_sqrt_s": -1.0}, "sum_sqrt_s"),
    ],
)
def test_adabelief_bound_bad_input_raises(kwargs, match):
    base = {
        "alpha": 0.1,
        "beta1": 0.9,
        "d_inf": 1.0,
        "c": 1.0,
        "sum_sqrt_s": 1.0,
        "sum_g2_norm": 1.0,
        "momentum_sum": 1.0,
    }
    with pytest.raises(ValueError, match=match):
        adabelief_regret_bound(10, **{**base, **kwargs})


def test_amsgrad_bound_needs_gamma_below_one():
    with pytest.raises(ValueError, match="beta1 / sqrt"):
        amsgrad_regret_bound(
            10,
            alpha=0.1,
            beta1=0.9,
            beta2=0.5,
            d_inf=1.0,
            sum_sqrt_v=1.0,
            sum_g_norm=1.0,
            momentum_sum=1.0,
        )


def test_residual_bound_bad_input_raises():
    with pytest.raises(ValueError, match="beta1"):
        residual_bound(1.0, 1.0)
    with pytest.raises(ValueError, match="g_inf"):
        residual_bound(0.5, -1.0)


def test_rademacher_bad_input_raises():
    with pytest.raises(ValueError, match="steps"):
        rademacher_expected_regret(0)
