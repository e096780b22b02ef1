"""Tests of analysis.signs: update ratios, quadratic regimes, fast sweeps."""

import math

import numpy as np
import pytest

from analysis.optimizers import SGD, AdaBelief, Adam, SignDescent
from analysis.problems import OnlineLinear, Quadratic
from analysis.signs import (
    Regime,
    TiledQuadratic,
    adabelief_expected_ratio,
    adabelief_settling_time,
    adam_expected_ratio,
    classify_difference,
    near_sign_fraction,
    off_diagonal_share,
    paired_log_ratio,
    realized_ratios,
    regime_grid,
    sweep_quadratic,
    tail_mean_loss,
)
from analysis.simulation import simulate
from analysis.statistics import mean_ci
from analysis.sweeps import normal_law_with_snr, sweep_step_sizes

SETTINGS = [{"beta1": 0.9, "beta2": 0.999}, {"beta1": 0.3, "beta2": 0.3}]
SNR = [1e-2, 1.0, 1e2]


def expected_s_hat_by_recursion(snr, beta1, beta2, steps):
    """Slow twin of E s_hat_t: the recursion on E (g_k - m_k)^2, sigma = 1.

    E r_k = beta1^k mu and Var r_k = beta1^2 [1 + (1 - beta1)/(1 + beta1)
    (1 - beta1^(2(k-1)))] (unrolling m_k; see analysis.theory's docstring).
    """
    mu = math.sqrt(snr)
    s, out = 0.0, []
    for k in range(1, steps + 1):
        var = beta1**2 * (1 + (1 - beta1) / (1 + beta1) * (1 - beta1 ** (2 * (k - 1))))
        s = beta2 * s + (1 - beta2) * ((beta1**k * mu) ** 2 + var)
        out.append(s / (1 - beta2**k))
    return np.array(out)


def test_realized_ratios_equal_the_rules_own_moments():
    # Slow twin: one simulate per setting, ratio rebuilt from m_hat, v_hat.
    steps = np.array([1, 5, 20])
    ratios = realized_ratios(
        lambda h: Adam(lr=0.5, eps=1e-8, **h),
        SETTINGS,
        SNR,
        steps,
        runs=3,
        copies=2,
        seed=4,
    )
    assert ratios.shape == (3, 2, 3, 6)
    law = normal_law_with_snr(np.tile(np.repeat(SNR, 2), 2))
    beta1 = np.repeat([0.9, 0.3], 6)
    beta2 = np.repeat([0.999, 0.3], 6)
    run = simulate(
        Adam(lr=0.5, beta1=beta1, beta2=beta2, eps=1e-8),
        OnlineLinear(law),
        np.zeros(12),
        20,
        runs=3,
        seed=4,
        record=("m_hat", "v_hat"),
        record_steps=steps,
    )
    direct = run.history["m_hat"] / (np.sqrt(run.history["v_hat"]) + 1e-8)
    # (step, run, setting, snr, copy) -> (step, setting, snr, run * copy)
    direct = direct.reshape(3, 3, 2, 3, 2).transpose(0, 2, 3, 1, 4)
    np.testing.assert_allclose(ratios, direct.reshape(3, 2, 3, 6), rtol=1e-12)


def test_adams_first_step_is_a_sign_step():
    # m_hat_1 = g_1 and v_hat_1 = g_1^2 (Kingma & Ba's bias correction), so
    # the first ratio is g_1/(|g_1| + eps) = sign(g_1) up to eps/|g_1|.
    ratios = realized_ratios(
        lambda h: Adam(lr=1.0, eps=1e-12, **h), SETTINGS, SNR, np.array([1]), runs=50
    )
    np.testing.assert_allclose(np.abs(ratios), 1.0, atol=1e-9)


def test_sign_descent_ratio_is_the_sign_of_m():
    ratios = realized_ratios(
        lambda h: SignDescent(lr=0.1, **h),
        [{"beta1": 0.0}],
        [1e4],
        np.array([3]),
        runs=20,
    )
    # E g = 100 sigma: a negative draw has probability Phi(-100), i.e. none.
    np.testing.assert_array_equal(ratios, 1.0)


def test_two_rules_see_the_same_gradients():
    # Common random numbers: with beta1 = 0 and eps = 0 both rules' m_hat is
    # g_t, so the ratios differ only by the denominators, never in sign.
    adam = realized_ratios(
        lambda h: Adam(lr=1.0, eps=0.0, **h), [{"beta1": 0.0}], [0.5], np.arange(1, 9)
    )
    belief = realized_ratios(
        lambda h: AdaBelief(lr=1.0, eps=1e-16, **h),
        [{"beta1": 0.5}],
        [0.5],
        np.arange(1, 9),
    )
    assert np.array_equal(np.sign(adam[0]), np.sign(belief[0]))


def test_adam_expected_ratio_closed_form():
    # sqrt(snr / (1 + snr)): 0, sqrt(1/2), sqrt(100/101).
    np.testing.assert_allclose(
        adam_expected_ratio([0.0, 1.0, 100.0]),
        [0.0, math.sqrt(0.5), math.sqrt(100 / 101)],
        rtol=1e-15,
    )


@pytest.mark.parametrize(("beta1", "beta2"), [(0.9, 0.999), (0.3, 0.3), (0.5, 0.9)])
def test_adabelief_expected_ratio_matches_the_recursion(beta1, beta2):
    for snr in (1e-2, 1.0, 1e3):
        exact = expected_s_hat_by_recursion(snr, beta1, beta2, 300)
        steps = np.array([1, 2, 3, 10, 50, 300])
        got = adabelief_expected_ratio(snr, beta1, beta2, steps)
        np.testing.assert_allclose(got, math.sqrt(snr) / np.sqrt(exact[steps - 1]))


def test_adabelief_limit_grows_like_the_square_root_of_the_snr():
    # lim E s_hat = 2 beta1^2 / (1 + beta1) sigma^2 (analysis.theory).
    snr = np.array([1e-3, 1.0, 1e4])
    got = adabelief_expected_ratio(snr, 0.9, 0.999)
    np.testing.assert_allclose(got, np.sqrt(snr * 1.9 / (2 * 0.81)), rtol=1e-12)


def test_settling_time_is_the_first_step_after_the_last_violation():
    # Brute force over every integer t <= 2000 (all in the grid below 170).
    t = np.arange(1, 2001)
    for beta1, beta2, snr in ((0.3, 0.3, 100.0), (0.5, 0.9, 1e3), (0.9, 0.99, 10.0)):
        ratio = adabelief_expected_ratio(snr, beta1, beta2, t)
        limit = adabelief_expected_ratio(snr, beta1, beta2)
        bad = np.flatnonzero(np.abs(ratio / limit - 1) > 0.05)
        brute = 1 if bad.size == 0 else int(t[bad[-1] + 1])
        got = int(adabelief_settling_time([snr], beta1, beta2, tol=0.05)[0])
        assert brute <= got <= math.ceil(brute * 10 ** (1 / 400)) + 1


def test_settling_time_is_minus_one_beyond_the_horizon():
    got = adabelief_settling_time([1e6], 0.9, 0.999, tol=1e-3, horizon=100)
    assert got.tolist() == [-1]


def test_near_sign_fraction_counts_unit_lengths():
    assert near_sign_fraction([1.0, -0.95, 0.5, 2.0], tol=0.1) == 0.5


def test_regime_builds_the_stated_quadratic():
    rng = np.random.default_rng(0)
    axis, theta0 = Regime(4, 1e3, False, 0.5).build(rng)
    np.testing.assert_allclose(np.diag(axis.Q), np.logspace(-3, 0, 4))
    assert np.count_nonzero(axis.Q - np.diag(np.diag(axis.Q))) == 0
    # sigma = nu * ||Q theta0|| / sqrt(d).
    rms = np.linalg.norm(np.logspace(-3, 0, 4) * theta0) / 2
    assert axis.noise_std == pytest.approx(0.5 * rms)
    # The start is the next draw of the same generator.
    assert theta0.shape == (4,)
    np.testing.assert_array_equal(
        Regime(4, 1e3, False, 0.5).build(np.random.default_rng(0))[1],
        np.random.default_rng(0).standard_normal(4),
    )
    rotated, _ = Regime(4, 1e3, True, 0.0).build(rng)
    np.testing.assert_allclose(np.linalg.eigvalsh(rotated.Q), np.logspace(-3, 0, 4))
    assert np.abs(rotated.Q - np.diag(np.diag(rotated.Q))).max() > 1e-3


def test_off_diagonal_share_of_a_45_degree_rotation():
    # Q = U diag(1, 0) U^T with U at 45 degrees is [[1, 1], [1, 1]] / 2:
    # off-diagonal norm sqrt(2)/2 over norm 1, i.e. |sin(2 phi)|/sqrt(2).
    c = math.sqrt(0.5)
    u = np.array([[c, -c], [c, c]])
    q = (u * [1.0, 0.0]) @ u.T
    assert off_diagonal_share(q) == pytest.approx(math.sqrt(0.5))
    assert off_diagonal_share(np.diag([1.0, 5.0])) == 0.0


def test_regime_grid_skips_rotations_of_the_identity():
    grid = regime_grid([2, 10], [1.0, 100.0], [0.0, 1.0])
    # Per dimension: kappa = 1 axis (2 noises) + kappa = 100 axis and rotated.
    assert len(grid) == 2 * (2 + 4)
    assert not any(r.rotated and r.condition == 1 for r in grid)


def test_tiled_quadratic_blocks_are_the_quadratic():
    base = Quadratic([[2.0, 0.5], [0.5, 1.0]], minimizer=[1.0, -1.0], noise_std=0.3)
    tiled = TiledQuadratic(base, 3)
    rng = np.random.default_rng(1)
    theta = rng.standard_normal((5, 6))
    data = base.draw(np.random.default_rng(2), 1, 1)[0]
    g = tiled.gradient(theta, np.broadcast_to(data, (5, 2)), 1)
    for j in range(3):
        block = theta[:, 2 * j : 2 * j + 2]
        np.testing.assert_allclose(
            g[:, 2 * j : 2 * j + 2], base.gradient(block, data, 1), rtol=1e-14
        )
    np.testing.assert_allclose(
        tiled.block_values(theta)[:, 1], base.value(theta[:, 2:4]), rtol=1e-14
    )


@pytest.mark.parametrize(
    "make_rule",
    [lambda a: SGD(a), lambda a: SignDescent(a), lambda a: Adam(a), AdaBelief],
    ids=["SGD", "sign", "Adam", "AdaBelief"],
)
def test_fast_sweep_equals_the_plain_sweep(make_rule):
    # Slow twin: analysis.sweeps.sweep_step_sizes, one simulation per step.
    problem, theta0 = Regime(3, 100.0, True, 0.5).build(np.random.default_rng(3))
    grid = [1e-3, 1e-2, 1e-1, 0.5]
    tail = np.arange(31, 41)
    fast = sweep_quadratic(make_rule, problem, theta0, 40, grid, tail, runs=3, seed=5)
    slow = sweep_step_sizes(
        make_rule,
        problem,
        theta0,
        40,
        grid,
        runs=3,
        seed=5,
        score=tail_mean_loss(float(problem.value(theta0))),
        record_steps=tail,
    )
    np.testing.assert_allclose(fast.scores, slow.scores, rtol=1e-10)
    np.testing.assert_allclose(fast.low, slow.low, rtol=1e-9)
    assert fast.best_index == slow.best_index


def test_fast_sweep_survives_huge_scores_and_refuses_overflow():
    # SGD on f = theta^2 / 2 from 1: theta_2 = 1 - alpha and theta_3 =
    # (1 - alpha)^2. At alpha = 1e100 the loss 5e199 is finite but its
    # square overflows inside the interval: no warning may leak, and the
    # step size is simply not the best. At 1e160 the iterate overflows, the
    # simulation cannot go on, and the error says so (see the docstring).
    problem = Quadratic([1.0])
    sweep = sweep_quadratic(
        lambda a: SGD(a), problem, [1.0], 2, [0.5, 1e100], np.array([2]), runs=2
    )
    assert sweep.diverged.tolist() == [0, 0]
    assert sweep.best_step_size == 0.5
    with pytest.raises(ValueError, match="finite"):
        sweep_quadratic(
            lambda a: SGD(a), problem, [1.0], 2, [0.5, 1e160], np.array([2]), runs=2
        )


def test_paired_log_ratio_is_the_mean_log_difference():
    ci = paired_log_ratio([1.0, 10.0, 1e-20], [10.0, 10.0, 1e-30], floor=1e-12)
    # log10 ratios -1, 0 and 0 (both below the floor tie).
    expected = mean_ci([-1.0, 0.0, 0.0])
    assert ci.mean == pytest.approx(-1 / 3)
    assert ci.half_width == pytest.approx(expected.half_width)


def test_classify_difference_needs_significance_and_size():
    big = paired_log_ratio([10.0, 11.0, 12.0], [1.0, 1.0, 1.0])
    small = paired_log_ratio([1.05, 1.06, 1.07], [1.0, 1.0, 1.0])
    noisy = paired_log_ratio([10.0, 0.1, 1.0], [1.0, 1.0, 1.0])
    assert classify_difference(big) == 1
    assert classify_difference(paired_log_ratio([1.0] * 3, [10.0, 11.0, 12.0])) == -1
    assert classify_difference(small) == 0
    assert classify_difference(noisy) == 0


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: realized_ratios(Adam, SETTINGS, [-1.0], np.array([1])), "snr"),
        (lambda: realized_ratios(Adam, SETTINGS, [1.0], np.array([1]), runs=0), "runs"),
        (
            lambda: realized_ratios(Adam, SETTINGS, [1.0], np.array([2, 1])),
            "record_steps",
        ),
        (lambda: realized_ratios(Adam, [], [1.0], np.array([1])), "settings"),
        (lambda: adabelief_expected_ratio(1.0, 1.0, 0.9), "beta1"),
        (lambda: adabelief_expected_ratio(1.0, 0.5, 0.25), "beta2"),
        (lambda: adabelief_expected_ratio(1.0, 0.5, 0.9, np.array([0])), "t"),
        (lambda: adabelief_settling_time([1.0], 0.5, 0.9, tol=0.0), "tol"),
        (lambda: near_sign_fraction([]), "ratios"),
        (lambda: near_sign_fraction([1.0], tol=-1.0), "tol"),
        (lambda: Regime(0, 1.0, False, 0.0), "dim"),
        (lambda: Regime(2, 0.5, False, 0.0), "condition"),
        (lambda: Regime(2, 1.0, False, -1.0), "noise"),
        (lambda: TiledQuadratic(Quadratic([1.0]), 0), "copies"),
        (lambda: tail_mean_loss(0.0), "initial"),
        (lambda: off_diagonal_share(np.zeros((2, 2))), "matrix"),
        (lambda: off_diagonal_share(np.ones(3)), "matrix"),
        (lambda: paired_log_ratio([1.0], [1.0, 2.0]), "scores_a"),
        (lambda: paired_log_ratio([1.0, 2.0], [1.0, 2.0], floor=0.0), "floor"),
        (lambda: classify_difference(mean_ci([1.0, 2.0]), tie=-1.0), "tie"),
    ],
)
def test_bad_input_raises_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"step_sizes": [0.1, -0.1]}, "step_sizes"),
        ({"runs": 1}, "runs"),
        ({"theta0": [1.0, 1.0]}, "theta0"),
    ],
)
def test_bad_sweeps_raise_naming_the_argument(kwargs, match):
    args = {"step_sizes": [0.1], "runs": 2, "theta0": [1.0]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        sweep_quadratic(
            lambda a: SGD(a),
            Quadratic([1.0]),
            args["theta0"],
            5,
            args["step_sizes"],
            np.array([5]),
            runs=args["runs"],
        )
