r"""Sweeps: signal-to-noise grids and step-size sweeps with best-of selection.

A step-size sweep runs one method at every step size of a grid on the same
problem, from the same start, with the same seeds: run :math:`r` sees the
same random data at every step size and for every method (common random
numbers), so differences between step sizes or methods are not noise in
the data. Each setting gets a score per run (by default the final loss),
its mean with a confidence interval, and the best step size is the one of
lowest mean score. The whole sweep is kept, not only the winner, so that a
notebook can publish it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis._validation import (
    as_real_array,
    check_finite,
    check_in_range,
    check_positive_int,
    check_scalar_in_range,
)
from analysis.optimizers import UpdateRule
from analysis.problems import Normal, Problem
from analysis.projections import Domain
from analysis.simulation import DivergenceError, RunResult, simulate
from analysis.statistics import mean_ci

__all__ = [
    "SweepResult",
    "check_sweep_arguments",
    "final_loss",
    "log_grid",
    "normal_law_with_snr",
    "sweep_step_sizes",
]


def log_grid(low: float, high: float, per_decade: int = 3) -> NDArray[np.float64]:
    """Return log-spaced values from ``low`` to ``high``, both included.

    Parameters
    ----------
    low, high : float
        Ends of the grid, ``0 < low < high``.
    per_decade : int
        Number of points per factor of ten.
    """
    low = check_scalar_in_range("low", low, 0.0, np.inf, low_closed=False)
    high = check_scalar_in_range("high", high, low, np.inf, low_closed=False)
    per_decade = check_positive_int("per_decade", per_decade)
    count = round(float(np.log10(high / low)) * per_decade) + 1
    return np.logspace(np.log10(low), np.log10(high), max(count, 2))


def normal_law_with_snr(snr: ArrayLike, variance: float = 1.0) -> Normal:
    r"""Gaussian gradients with signal-to-noise ratios ``snr`` per coordinate.

    Returns :class:`analysis.problems.Normal` with
    :math:`\operatorname{Var} g = \sigma^2` (``variance``) and
    :math:`\mathbb E g = \sqrt{\mathrm{snr}}\,\sigma > 0`, so that
    :math:`(\mathbb E g)^2/\operatorname{Var} g = \mathrm{snr}`; one
    coordinate per value of ``snr``.
    """
    ratio = check_in_range("snr", snr, 0.0, np.inf)
    ratio = np.atleast_1d(ratio)
    if ratio.ndim != 1:
        raise ValueError(f"snr must be a scalar or 1-d, got shape {ratio.shape}")
    var = check_scalar_in_range("variance", variance, 0.0, np.inf, low_closed=False)
    std = np.sqrt(var)
    return Normal(mean=np.sqrt(ratio) * std, std=std, dim=ratio.size)


def final_loss(result: RunResult) -> NDArray[np.float64]:
    """Score: the loss at the last recorded step, one value per run."""
    if "loss" not in result.history:
        raise ValueError("final_loss needs a result that recorded 'loss'")
    return np.asarray(result.history["loss"][-1], dtype=np.float64)


@dataclasses.dataclass(frozen=True)
class SweepResult:
    """The outcome of :func:`sweep_step_sizes`.

    Attributes
    ----------
    step_sizes : numpy.ndarray
        The grid, shape ``(k,)``.
    scores : numpy.ndarray
        Score of every run at every step size, shape ``(k, runs)``;
        non-finite where a run diverged. When a gradient overflows, every
        run of that step size is marked NaN (they advance together).
    mean, low, high : numpy.ndarray
        Mean score per step size and its confidence interval (NaN where a
        run diverged).
    diverged : numpy.ndarray
        Number of runs with a non-finite score, per step size.
    best_index : int
        Index of the lowest mean among step sizes where no run diverged.
    level : float
        Confidence level of the intervals.
    """

    step_sizes: NDArray[np.float64]
    scores: NDArray[np.float64]
    mean: NDArray[np.float64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    diverged: NDArray[np.int64]
    best_index: int
    level: float

    @classmethod
    def from_scores(
        cls, step_sizes: NDArray[np.float64], scores: NDArray[np.float64], level: float
    ) -> SweepResult:
        """Summarize a ``(k, runs)`` array of scores, one row per step size.

        A row with a non-finite score counts as diverged and gets NaN
        statistics; the best step size is the lowest mean among the others.

        Raises
        ------
        ValueError
            If ``level`` is not in (0, 1), or every step size has a
            diverged run.
        """
        level = _check_level(level)
        diverged = np.sum(~np.isfinite(scores), axis=1).astype(np.int64)
        mean = np.full(step_sizes.size, np.nan)
        low = np.full(step_sizes.size, np.nan)
        high = np.full(step_sizes.size, np.nan)
        for i in map(int, np.flatnonzero(diverged == 0)):
            # Finite but huge scores (a run on its way to diverging) may
            # overflow the standard deviation; the interval is then infinite.
            with np.errstate(over="ignore", invalid="ignore"):
                ci = mean_ci(scores[i], level=level)
            mean[i], low[i], high[i] = ci.mean, ci.low, ci.high
        if np.all(diverged > 0):
            raise ValueError(
                "step_sizes: every step size has a diverged run; lower the grid"
            )
        best = int(np.nanargmin(mean))
        return cls(step_sizes, scores, mean, low, high, diverged, best, level)

    @property
    def best_step_size(self) -> float:
        """The step size of lowest mean score."""
        return float(self.step_sizes[self.best_index])

    @property
    def best_scores(self) -> NDArray[np.float64]:
        """Scores of every run at the best step size, shape ``(runs,)``."""
        return self.scores[self.best_index]

    @property
    def best_at_edge(self) -> bool:
        """Whether the best step size is an end of the grid (widen it)."""
        return self.best_index in (0, self.step_sizes.size - 1)


def _check_level(level: float) -> float:
    """Check a confidence level, in the open interval (0, 1)."""
    return check_scalar_in_range(
        "level", level, 0.0, 1.0, low_closed=False, high_closed=False
    )


def check_sweep_arguments(
    step_sizes: ArrayLike, runs: int, steps: int
) -> tuple[NDArray[np.float64], int, int]:
    """Check the arguments every step-size sweep shares.

    Returns
    -------
    tuple
        The grid as a 1-d float array, ``runs`` and ``steps``.

    Raises
    ------
    ValueError
        For ``step_sizes`` that are not real numbers (strings, booleans and
        ``None`` are refused, not converted), non-finite, non-positive,
        empty or not 1-d; fewer than two ``runs`` or fewer than one step.
    """
    grid = np.atleast_1d(check_finite("step_sizes", step_sizes))
    grid = check_in_range("step_sizes", grid, 0.0, np.inf, low_closed=False)
    if grid.ndim != 1:
        raise ValueError(f"step_sizes must be 1-d, got shape {grid.shape}")
    runs = check_positive_int("runs", runs)
    if runs < 2:
        raise ValueError(f"runs must be at least 2 for intervals, got {runs}")
    return grid, runs, check_positive_int("steps", steps)


def sweep_step_sizes(
    make_rule: Callable[[float], UpdateRule],
    problem: Problem,
    theta0: ArrayLike,
    steps: int,
    step_sizes: ArrayLike,
    *,
    runs: int = 8,
    seed: int = 0,
    domain: Domain | None = None,
    score: Callable[[RunResult], NDArray[np.float64]] = final_loss,
    record_steps: ArrayLike | None = None,
    level: float = 0.95,
) -> SweepResult:
    """Run a method at every step size of a grid and pick the best.

    Parameters
    ----------
    make_rule : callable
        ``make_rule(step_size)`` returns the configured update rule.
    problem, theta0, steps, domain
        As in :func:`analysis.simulation.simulate`.
    step_sizes : array_like
        Positive step sizes, shape ``(k,)``, e.g. from :func:`log_grid`.
    runs : int
        Seeded runs per step size (at least 2, for the intervals).
    seed : int
        Seed shared by every step size (common random numbers).
    score : callable
        ``score(result)`` returns one number per run; lower is better.
        The default, :func:`final_loss`, needs the loss, which is recorded
        at ``record_steps`` (default: the last step only).
    record_steps : array_like of int, optional
        Steps at which the loss is recorded.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    SweepResult

    Raises
    ------
    ValueError
        For bad arguments (step sizes that are not positive numbers, fewer
        than two runs, a ``level`` outside (0, 1), a ``make_rule`` or
        ``score`` that is not callable, a ``make_rule`` that does not give
        an update rule...), or a sweep in which every step size has a
        diverged run.

    Notes
    -----
    Every argument is checked before the first run: the arguments of the
    sweep itself here, every rule by building all of them first, and
    those passed on to :func:`analysis.simulation.simulate` (``problem``,
    ``theta0``, ``domain``, ``record_steps``) by the first call of it,
    which checks them before taking a step.
    """
    if not callable(make_rule):
        raise ValueError("make_rule must be a function of the step size")
    if not callable(score):
        raise ValueError("score must be a function of a RunResult")
    grid, runs, steps = check_sweep_arguments(step_sizes, runs, steps)
    seed = check_positive_int("seed", seed, minimum=0)
    level = _check_level(level)
    at = np.array([steps]) if record_steps is None else record_steps
    rules = [make_rule(float(alpha)) for alpha in grid]
    for alpha, rule in zip(grid, rules, strict=True):
        if not isinstance(rule, UpdateRule):
            raise ValueError(
                f"make_rule must return an UpdateRule, got {type(rule).__name__} "
                f"for step size {float(alpha)!r}"
            )

    scores = np.full((grid.size, runs), np.nan)
    for i, rule in enumerate(rules):
        # A step size that is too large makes the iterates overflow; the
        # simulator then stops with DivergenceError and the whole setting
        # counts as diverged (the runs are advanced together, so which one
        # overflowed first is not kept). Bad arguments still raise.
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                result = simulate(
                    rule,
                    problem,
                    theta0,
                    steps,
                    runs=runs,
                    seed=seed,
                    domain=domain,
                    record=("loss",),
                    record_steps=at,
                )
        except DivergenceError:
            continue
        values = as_real_array("score's result", score(result)).astype(np.float64)
        if values.shape != (runs,):
            raise ValueError(
                f"score must return one number per run, shape ({runs},), got "
                f"{values.shape}"
            )
        scores[i] = values

    return SweepResult.from_scores(grid, scores, level)
