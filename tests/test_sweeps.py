"""Tests of analysis.sweeps against direct simulation."""

import numpy as np
import pytest

from analysis.optimizers import SGD, Adam
from analysis.problems import Quadratic
from analysis.simulation import simulate
from analysis.statistics import mean_ci
from analysis.sweeps import (
    SweepResult,
    check_sweep_arguments,
    log_grid,
    normal_law_with_snr,
    sweep_step_sizes,
)


def test_log_grid_spans_the_decades_evenly():
    grid = log_grid(1e-4, 1e-1, per_decade=2)
    np.testing.assert_allclose(grid, 10.0 ** np.arange(-4.0, -0.9, 0.5))


def test_normal_law_with_snr_has_that_snr():
    law = normal_law_with_snr([1e-3, 1.0, 1e4], variance=4.0)
    np.testing.assert_allclose(law.snr, [1e-3, 1.0, 1e4])
    np.testing.assert_allclose(law.variance, 4.0)
    assert np.all(law.mean > 0)


def test_sweep_scores_equal_separate_simulations():
    problem = Quadratic([1.0, 10.0], minimizer=[1.0, -1.0], noise_std=0.5)
    grid = [0.01, 0.05, 0.1]
    sweep = sweep_step_sizes(
        lambda a: Adam(a), problem, [0.0, 0.0], 50, grid, runs=4, seed=3
    )
    for i, alpha in enumerate(grid):
        result = simulate(
            Adam(alpha), problem, [0.0, 0.0], 50, runs=4, seed=3, record=("loss",)
        )
        np.testing.assert_array_equal(sweep.scores[i], result.history["loss"][-1])
        ci = mean_ci(sweep.scores[i], level=0.95)
        assert sweep.low[i] == pytest.approx(ci.low)
    assert sweep.best_index == int(np.argmin(sweep.mean))
    assert sweep.best_step_size == grid[sweep.best_index]


def test_diverged_step_sizes_are_marked_and_never_best():
    # SGD on curvature 10 diverges for steps above 2/10.
    problem = Quadratic([10.0], minimizer=0.0)
    sweep = sweep_step_sizes(
        lambda a: SGD(a), problem, [1.0], 400, [0.01, 0.1, 0.5], runs=2
    )
    assert sweep.diverged.tolist() == [0, 0, 2]
    assert sweep.best_step_size == 0.1
    assert not sweep.best_at_edge


@pytest.mark.parametrize(
    ("score", "match"),
    [
        (lambda result: np.zeros(3), "score must return one number per run"),
        (lambda result: np.array(["1", "2"]), "score"),
    ],
    ids=["wrong shape", "not numbers"],
)
def test_a_score_of_the_wrong_shape_or_type_is_refused(score, match):
    with pytest.raises(ValueError, match=match):
        sweep_step_sizes(
            lambda a: SGD(a), Quadratic([1.0]), [1.0], 3, [0.1], runs=2, score=score
        )


def test_make_rule_must_be_callable():
    with pytest.raises(ValueError, match="make_rule"):
        sweep_step_sizes(3, Quadratic([1.0]), [1.0], 3, [0.1], runs=2)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"step_sizes": [0.1, -0.1]}, "step_sizes"),
        ({"runs": 1}, "runs"),
        ({"steps": 0}, "steps"),
    ],
)
def test_bad_sweeps_raise_naming_the_argument(kwargs, match):
    args = {"step_sizes": [0.1], "runs": 2, "steps": 5}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        sweep_step_sizes(
            lambda a: SGD(a), Quadratic([1.0]), [0.0], args.pop("steps"), **args
        )


@pytest.mark.parametrize(
    "step_sizes",
    [
        ["0.1", "1"],
        [True, True],
        True,
        "abc",
        "0.1",
        None,
        [0.1, None],
        [0.1, 1j],
        [0.1, float("nan")],
        [0.1, float("inf")],
        [0.1, 0.0],
        [],
        [[0.1, 1.0]],
        [[0.1], [1.0, 2.0]],
    ],
)
def test_check_sweep_arguments_refuses_non_numeric_step_sizes(step_sizes):
    with pytest.raises(ValueError, match=r"^step_sizes"):
        check_sweep_arguments(step_sizes, 2, 10)


def test_check_sweep_arguments_accepts_numbers_as_before():
    grid, runs, steps = check_sweep_arguments([1, 0.5], np.int64(3), 10)
    assert grid.dtype == np.float64
    np.testing.assert_array_equal(grid, [1.0, 0.5])
    assert (runs, steps) == (3, 10)
    np.testing.assert_array_equal(check_sweep_arguments(0.1, 2, 1)[0], [0.1])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"level": 1.5}, "level"),
        ({"level": 0.0}, "level"),
        ({"level": True}, "level"),
        ({"level": "0.9"}, "level"),
        ({"score": 3}, "score"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"step_sizes": [0.1, "1"]}, "step_sizes"),
        ({"runs": 1}, "runs"),
    ],
)
def test_every_argument_is_checked_before_anything_runs(kwargs, match):
    calls = []

    def make_rule(alpha):
        calls.append(alpha)
        return SGD(alpha)

    args = {"step_sizes": [0.1, 0.2], "runs": 2}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        sweep_step_sizes(make_rule, Quadratic([1.0]), [0.0], 5, **args)
    assert calls == []


def test_every_rule_is_built_and_checked_before_anything_runs():
    scored = []

    def score(result):
        scored.append(result)
        return result.history["loss"][-1]

    def make_rule(alpha):
        return SGD(alpha) if alpha < 0.15 else "not a rule"

    with pytest.raises(ValueError, match="make_rule must return an UpdateRule"):
        sweep_step_sizes(
            make_rule, Quadratic([1.0]), [0.0], 5, [0.1, 0.2], runs=2, score=score
        )
    assert scored == []


def test_from_scores_checks_the_level():
    with pytest.raises(ValueError, match="level"):
        SweepResult.from_scores(np.array([0.1]), np.ones((1, 3)), 1.0)


@pytest.mark.parametrize(
    ("args", "match"),
    [((1.0, 0.5), "high"), ((0.0, 1.0), "low")],
)
def test_bad_grids_raise_naming_the_argument(args, match):
    with pytest.raises(ValueError, match=match):
        log_grid(*args)


def test_huge_finite_scores_give_an_infinite_interval_without_warnings():
    # Scores near 1e199 overflow the standard deviation; the sweep must
    # neither warn (warnings are errors here) nor pick that step size.
    def score(result):
        return np.array([1e199, 3e199, 2e200]) * (1 + result.theta[:, 0] * 0)

    sweep = sweep_step_sizes(
        lambda a: SGD(a), Quadratic([1.0]), [1.0], 3, [0.1], runs=3, score=score
    )
    assert np.isinf(sweep.high[0])
    assert sweep.best_index == 0
