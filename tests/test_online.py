"""Tests of analysis.online: comparators in hindsight and the projection switch."""

import numpy as np
import pytest
from scipy.optimize import minimize

from analysis.online import (
    EuclideanProjection,
    OnlineAbsolute,
    OnlineQuadratic,
    reddi_stochastic,
    reddi_synthetic,
)
from analysis.optimizers import AdaBelief
from analysis.problems import Normal, TwoPoint
from analysis.projections import Ball, Box
from analysis.simulation import simulate


def test_quadratic_comparator_on_a_box_equals_a_numerical_minimum():
    # Expected value: L-BFGS-B on sum_t 0.5 |x - z_t|^2 - 0.5 |z_t|^2.
    rng = np.random.default_rng(0)
    z = rng.normal(0.8, 1.0, size=(50, 3))
    box = Box([-1.0, 0.0, -0.2], [0.5, 2.0, 0.3])
    problem = OnlineQuadratic(Normal(0.0, 1.0, dim=3))

    def total(x):
        return float(np.sum(0.5 * x * x - z * x))

    res = minimize(
        total, np.zeros(3), bounds=list(zip(box.lower, box.upper, strict=True))
    )
    got = problem.hindsight_minimum(z.sum(axis=0), 50, box)
    np.testing.assert_allclose(got, res.fun, rtol=1e-8)


def test_quadratic_comparator_on_a_ball_equals_a_numerical_minimum():
    # Expected value: SLSQP with the ball constraint.
    rng = np.random.default_rng(1)
    z = rng.normal(2.0, 1.0, size=(40, 2))
    ball = Ball([0.0, 0.5], 1.0)
    problem = OnlineQuadratic(Normal(0.0, 1.0, dim=2))

    def total(x):
        return float(np.sum(0.5 * x * x - z * x))

    res = minimize(
        total,
        np.array([0.0, 0.5]),
        constraints=[
            {"type": "ineq", "fun": lambda x: 1.0 - np.sum((x - [0.0, 0.5]) ** 2)}
        ],
        method="SLSQP",
        options={"ftol": 1e-14},
    )
    got = problem.hindsight_minimum(z.sum(axis=0), 40, ball)
    np.testing.assert_allclose(got, res.fun, rtol=1e-7)


@pytest.mark.parametrize("lower,upper", [(-1.0, 1.0), (0.2, 0.6), (-3.0, -2.0)])
def test_absolute_comparator_equals_a_grid_minimum(lower, upper):
    # Expected value: the minimum of n_a|x-a| + n_b|x-b| on a fine grid
    # that contains the clipped kinks.
    law = TwoPoint(high=0.7, low=-0.4, p=0.3)
    problem = OnlineAbsolute(law)
    rng = np.random.default_rng(2)
    z = law.sample(rng, 201)
    box = Box(lower, upper, dim=1)
    grid = np.concatenate(
        [np.linspace(lower, upper, 2001), np.clip([-0.4, 0.7], lower, upper)]
    )
    values = np.abs(grid[:, None] - z[:, 0][None, :]).sum(axis=1)
    got = problem.hindsight_minimum(z.sum(axis=0), 201, box)
    np.testing.assert_allclose(got, values.min(), rtol=1e-12)


def test_absolute_counts_are_recovered_from_the_sum():
    # Expected value: the number of draws equal to `high`, counted directly.
    law = TwoPoint(high=[1.0, 5.0], low=[-0.5, 2.0], p=0.4, dim=2)
    z = law.sample(np.random.default_rng(3), 10_000)
    n_a, n_b = OnlineAbsolute(law).counts(z.sum(axis=0), 10_000)
    np.testing.assert_array_equal(n_b, (z == law.high).sum(axis=0))
    np.testing.assert_array_equal(n_a + n_b, [10_000, 10_000])


@pytest.mark.parametrize(
    "problem",
    [
        OnlineQuadratic(TwoPoint(1.0, -0.5, 0.3)),
        OnlineAbsolute(TwoPoint(1.0, -0.5, 0.3)),
    ],
    ids=["quadratic", "absolute"],
)
def test_simulated_regret_equals_a_plain_computation(problem):
    # Expected value: sum of the true losses along the run minus the grid
    # minimum of the summed true losses (the quadratic's shift cancels).
    box = Box(-1.0, 1.0, dim=1)
    rule = AdaBelief(0.1, lr_schedule="inv_sqrt")
    res = simulate(
        rule,
        problem,
        [0.3],
        80,
        runs=1,
        seed=4,
        domain=box,
        record=("theta",),
        regret=True,
    )
    rng = np.random.default_rng(np.random.SeedSequence(4).spawn(1)[0])
    z = problem.draw(rng, 1, 80)[:, 0]
    theta = res.history["theta"][:, 0, 0]
    if isinstance(problem, OnlineQuadratic):

        def true(x, zz):
            return 0.5 * (x - zz) ** 2
    else:

        def true(x, zz):
            return np.abs(x - zz)

    grid = np.concatenate([np.linspace(-1, 1, 4001), [1.0, -0.5, z.mean()]])
    best = min(float(np.sum(true(x, z))) for x in grid if -1 <= x <= 1)
    expected = float(np.sum(true(theta, z))) - best
    np.testing.assert_allclose(res.regret[-1, 0], expected, rtol=1e-9, atol=1e-9)


def test_reddi_problems_have_the_published_means():
    # Expected values: Reddi et al. (2018): mean delta, and 0.01*1010 - 0.99*10.
    np.testing.assert_allclose(reddi_stochastic(10.0, 0.5).law.mean, [0.5])
    np.testing.assert_allclose(reddi_synthetic().law.mean, [0.2])


def test_euclidean_projection_matches_the_weighted_one_on_a_box_only():
    # On a box the weighted projection is the clip for any weights; on a
    # ball with unequal weights it is not.
    from analysis.problems import OnlineLinear

    problem = OnlineLinear(Normal([1.0, -0.3], [3.0, 0.1], dim=2))
    rule = AdaBelief(0.5)
    runs = {}
    for name, domain in (("box", Box(-1.0, 1.0, dim=2)), ("ball", Ball(0.0, 1.0, 2))):
        for wrapped in (rule, EuclideanProjection(rule)):
            res = simulate(wrapped, problem, [0.0, 0.0], 50, seed=5, domain=domain)
            runs[name, wrapped.name] = res.theta
    np.testing.assert_array_equal(
        runs["box", "AdaBelief"], runs["box", "AdaBelief (Euclidean)"]
    )
    gap = np.abs(runs["ball", "AdaBelief"] - runs["ball", "AdaBelief (Euclidean)"])
    assert gap.max() > 1e-3


def test_euclidean_projection_returns_no_weights():
    rule = EuclideanProjection(AdaBelief(0.1))
    state = rule.init((2,))
    _, weights, _ = rule.update(state, np.array([1.0, -2.0]))
    assert weights is None
    assert rule.lr == 0.1


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: OnlineQuadratic("normal"), "law"),
        (lambda: OnlineAbsolute(Normal(0.0, 1.0)), "law"),
        (lambda: OnlineAbsolute(TwoPoint(1.0, 1.0, 0.5)), "law"),
        (lambda: reddi_stochastic(0.5, 0.1), "C"),
        (lambda: reddi_stochastic(10.0, 9.5), "delta"),
        (lambda: EuclideanProjection(None), "rule"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_absolute_comparator_off_a_box_is_not_implemented():
    problem = OnlineAbsolute(TwoPoint(1.0, -1.0, 0.5, dim=2))
    with pytest.raises(NotImplementedError, match="Box"):
        problem.hindsight_minimum(np.zeros(2), 10, Ball(0.0, 1.0, 2))
