r"""Run an update rule on a problem inside a domain, for many seeded runs.

:func:`simulate` advances ``runs`` independent runs at once (arrays of
shape ``(runs, d)``). Each run has its own random stream, spawned from one
seed with :class:`numpy.random.SeedSequence`, so run ``r`` does not change
when more runs are added; the data of a run is drawn in blocks of steps,
and the stream of a run does not depend on the block size.

The moments of an adaptive method are always those of its own iterates:
at step :math:`t` the problem is queried at :math:`\theta_t`, the rule
turns :math:`g_t` into a step, and the projection gives
:math:`\theta_{t+1}`. Nothing is estimated after the fact.

Regret is measured against the best fixed point in hindsight,

.. math:: R(T) = \sum_{t=1}^T f_t(\theta_t) - \min_{x\in F}
          \sum_{t=1}^T f_t(x),

at chosen checkpoints, from running sums only, so memory does not grow
with :math:`T`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from analysis._validation import (
    check_bool,
    check_finite,
    check_float_dtype,
    check_positive_int,
)
from analysis.optimizers import UpdateRule
from analysis.problems import Problem
from analysis.projections import Domain, Unconstrained

__all__ = [
    "RECORDABLE",
    "DivergenceError",
    "RunResult",
    "log_checkpoints",
    "simulate",
]

#: Quantities :func:`simulate` can record, per step.
RECORDABLE: tuple[str, ...] = (
    "theta",
    "g",
    "loss",
    "delta",
    "weights",
    "m",
    "v",
    "s",
    "m_hat",
    "v_hat",
    "s_hat",
)

#: Upper bound on the number of floats of data drawn in one block.
_BLOCK_FLOATS = 1 << 20


class DivergenceError(ValueError):
    """A run produced a non-finite gradient, step or projection weight.

    Raised by :func:`simulate` at the first step where it happens, with the
    step and the runs concerned; the iterates are not projected or clipped
    back. Sweeps catch it to mark a step size as diverged.
    """


def _check_finite_during_run(
    what: str, value: NDArray[Any] | None, t: int, rule: UpdateRule
) -> None:
    if value is None:
        return
    bad = ~np.isfinite(value)
    if np.any(bad):
        runs = np.flatnonzero(bad.reshape(bad.shape[0], -1).any(axis=1))
        raise DivergenceError(
            f"the {what} of {rule.name} is not finite at step {t} in "
            f"{runs.size} run(s) (first: run {int(runs[0])}); the run diverged"
        )


def _record_names(record: Iterable[str]) -> tuple[str, ...]:
    """Check ``record``: distinct known names, given as strings."""
    if isinstance(record, str):
        raise ValueError(
            f"record must be a sequence of names, got the string {record!r}; "
            f"write ({record!r},)"
        )
    try:
        names = tuple(record)
    except TypeError:
        raise ValueError(
            f"record must be a sequence of names from {RECORDABLE}, got {record!r}"
        ) from None
    not_str = [name for name in names if not isinstance(name, str)]
    if not_str:
        raise ValueError(f"record must hold names (strings), got {not_str[0]!r}")
    unknown = sorted(set(names) - set(RECORDABLE))
    if unknown:
        raise ValueError(f"record has unknown names {unknown}; known: {RECORDABLE}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"record names {repeated} more than once")
    return names


@dataclasses.dataclass(frozen=True)
class RunResult:
    """What :func:`simulate` returns.

    Attributes
    ----------
    theta : numpy.ndarray
        Final iterates :math:`\\theta_{T+1}`, shape ``(runs, d)``.
    state : object
        Final state of the update rule.
    history : dict of str to numpy.ndarray
        The recorded quantities, each of shape ``(len(record_steps), runs,
        d)`` (``(len(record_steps), runs)`` for ``"loss"``). ``"theta"`` at
        step ``t`` is :math:`\\theta_t`, the point where :math:`g_t` is
        taken; the moments are those after the update of step ``t``.
    record_steps : numpy.ndarray
        Steps (from 1) at which ``history`` was recorded.
    checkpoints : numpy.ndarray
        Steps at which ``regret`` and ``cumulative_loss`` were recorded.
    cumulative_loss : numpy.ndarray or None
        :math:`\\sum_{t\\le T_k} f_t(\\theta_t)`, shape
        ``(len(checkpoints), runs)``; ``None`` unless ``checkpoints`` or
        ``regret`` was given.
    regret : numpy.ndarray or None
        :math:`R(T_k)`, shape ``(len(checkpoints), runs)``.
    """

    theta: NDArray[Any]
    state: Any
    history: dict[str, NDArray[Any]]
    record_steps: NDArray[np.int64]
    checkpoints: NDArray[np.int64]
    cumulative_loss: NDArray[np.float64] | None
    regret: NDArray[np.float64] | None


def log_checkpoints(steps: int, per_decade: int = 10) -> NDArray[np.int64]:
    """Return about ``per_decade`` log-spaced steps per decade up to ``steps``.

    The result is sorted, unique, starts at 1 and ends at ``steps``.
    """
    steps = check_positive_int("steps", steps)
    per_decade = check_positive_int("per_decade", per_decade)
    count = max(2, int(np.ceil(np.log10(steps) * per_decade)) + 1)
    grid = np.unique(np.round(np.logspace(0, np.log10(steps), count)))
    return grid.astype(np.int64)


def _steps_array(name: str, value: ArrayLike, steps: int) -> NDArray[np.int64]:
    arr = np.asarray(value)
    if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must be a non-empty 1-d array of integer steps")
    if np.any(np.diff(arr) <= 0):
        raise ValueError(f"{name} must be strictly increasing")
    if arr[0] < 1 or arr[-1] > steps:
        raise ValueError(f"{name} must lie in [1, steps={steps}]")
    return arr.astype(np.int64)


def _start(theta0: ArrayLike, runs: int, dim: int, dtype: np.dtype[Any]) -> Any:
    start = check_finite("theta0", theta0).astype(np.float64)
    if start.ndim == 0 or start.shape[-1] != dim:
        raise ValueError(
            f"theta0 must have shape ({dim},) or ({runs}, {dim}), got {start.shape}"
        )
    try:
        start = np.broadcast_to(start, (runs, dim))
    except ValueError:
        raise ValueError(
            f"theta0 must have shape ({dim},) or ({runs}, {dim}), got {start.shape}"
        ) from None
    with np.errstate(over="ignore"):
        cast = start.astype(dtype, copy=True)
    if not np.all(np.isfinite(cast)):
        raise ValueError(f"theta0 overflows {dtype}; use a wider dtype")
    return cast


def simulate(
    rule: UpdateRule,
    problem: Problem,
    theta0: ArrayLike,
    steps: int,
    *,
    runs: int = 1,
    seed: int = 0,
    domain: Domain | None = None,
    record: Iterable[str] = (),
    record_steps: ArrayLike | None = None,
    checkpoints: ArrayLike | None = None,
    regret: bool = False,
    dtype: DTypeLike = np.float64,
) -> RunResult:
    """Run ``rule`` on ``problem`` from ``theta0`` for ``steps`` steps.

    Parameters
    ----------
    rule : UpdateRule
        The update rule (its hyperparameters may be arrays broadcasting
        against ``(runs, d)``).
    problem : Problem
        The loss sequence.
    theta0 : array_like
        Start :math:`\\theta_1`, shape ``(d,)`` or ``(runs, d)``; must lie
        in ``domain``.
    steps : int
        Number of steps :math:`T \\ge 1`.
    runs : int
        Number of independent runs :math:`R \\ge 1`.
    seed : int
        Seed of the runs' random streams.
    domain : Domain, optional
        The feasible set :math:`F` (default :math:`\\mathbb{R}^d`); each
        step ends with the weighted projection the rule asks for.
    record : iterable of str
        Names from :data:`RECORDABLE` to keep at ``record_steps``.
    record_steps : array_like of int, optional
        Steps at which to record (default: every step).
    checkpoints : array_like of int, optional
        Steps at which to record the cumulative loss and the regret
        (default: only ``steps``).
    regret : bool
        Compute the regret against the best fixed point in hindsight
        (needs the problem's closed-form comparator).
    dtype : numpy dtype
        Floating type of the iterates and of the rule's arithmetic.

    Returns
    -------
    RunResult

    Raises
    ------
    ValueError
        For a start outside the domain, unknown record names, shapes that
        do not match, or a problem without a comparator when ``regret``
        is asked for.
    DivergenceError
        When a gradient, a step or a projection weight becomes non-finite
        during the run (a subclass of :class:`ValueError`).
    """
    if not isinstance(rule, UpdateRule):
        raise ValueError(f"rule must be an UpdateRule, got {type(rule).__name__}")
    if not isinstance(problem, Problem):
        raise ValueError(f"problem must be a Problem, got {type(problem).__name__}")
    steps = check_positive_int("steps", steps)
    runs = check_positive_int("runs", runs)
    seed = check_positive_int("seed", seed, minimum=0)
    regret = check_bool("regret", regret)
    if regret and type(problem).hindsight_minimum is Problem.hindsight_minimum:
        raise ValueError(
            f"regret needs a comparator in hindsight, which {problem!r} lacks"
        )
    if domain is not None and not isinstance(domain, Domain):
        raise ValueError(
            f"domain must be a Domain instance such as Box(...) or Ball(...), "
            f"got {domain!r}"
        )
    dim = problem.dim
    dt = check_float_dtype("dtype", dtype)
    names = _record_names(record)
    domain = domain if domain is not None else Unconstrained(dim)
    if domain.dim != dim:
        raise ValueError(
            f"domain has dimension {domain.dim}, the problem has dimension {dim}"
        )

    if regret:
        # Ask for the comparator once now, so that a problem and domain
        # without one fail before the run rather than at its end.
        try:
            problem.hindsight_minimum(np.zeros((runs, dim)), 1, domain)
        except NotImplementedError as error:
            raise ValueError(
                f"regret=True needs a comparator in hindsight for {problem!r} "
                f"on {domain!r}: {error}"
            ) from None

    theta = _start(theta0, runs, dim, dt)
    inside = np.asarray(domain.contains(theta))
    if not np.all(inside):
        row = int(np.argmin(inside))
        raise ValueError(
            f"theta0 lies outside the domain {domain!r} (run {row}: "
            f"{theta[row]}); start inside F"
        )
    state = rule.init((runs, dim), dt)
    for name in names:
        if name in RECORDABLE[5:] and getattr(state, name, None) is None:
            raise ValueError(
                f"record asks for {name!r}, which {rule.name} does not have"
            )
    if record_steps is not None:
        at = _steps_array("record_steps", record_steps, steps)
    elif names:
        at = np.arange(1, steps + 1)
    else:  # nothing to record: no array of length T
        at = np.zeros(0, dtype=np.int64)
    marks = (
        np.array([steps])
        if checkpoints is None
        else _steps_array("checkpoints", checkpoints, steps)
    )

    streams = [
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(runs)
    ]
    block = max(1, min(steps, _BLOCK_FLOATS // (runs * dim)))

    history = {name: [] for name in names}  # type: dict[str, list[Any]]
    # The running loss is needed at every step only for the checkpoints.
    need_loss = regret or checkpoints is not None
    total_loss = np.zeros(runs)
    statistic = np.zeros((runs, dim))
    loss_marks: list[NDArray[np.float64]] = []
    regret_marks: list[NDArray[np.float64]] = []
    record_index = mark_index = 0
    data_block: NDArray[Any] | None = None

    for t in range(1, steps + 1):
        # Data of this step, drawn per run in blocks of steps.
        offset = (t - 1) % block
        if offset == 0:
            n = min(block, steps - t + 1)
            drawn = [problem.draw(rng, t, n) for rng in streams]
            blocks = [b for b in drawn if b is not None]
            data_block = np.stack(blocks, axis=1) if blocks else None
        data = None if data_block is None else data_block[offset]

        # Gradient and loss at the current iterate theta_t.
        g = problem.gradient(theta, data, t)
        _check_finite_during_run("gradient", g, t, rule)
        recording = record_index < at.size and at[record_index] == t
        if need_loss or (recording and "loss" in names):
            loss = problem.loss(theta, data, t)
        if need_loss:
            total_loss = total_loss + loss
        if regret:
            statistic = statistic + problem.hindsight_statistic(data, t)

        # The rule's step, then the (weighted) projection onto F.
        delta, weights, state = rule.update(state, g)
        _check_finite_during_run("step", delta, t, rule)
        _check_finite_during_run("projection weight", weights, t, rule)
        if recording:
            values = {"theta": theta, "g": g, "delta": delta, "weights": weights}
            if "loss" in names:
                values["loss"] = loss
            for name in names:
                value = values.get(name, getattr(state, name, None))
                if value is None:
                    raise ValueError(
                        f"record asks for {name!r}, which {rule.name} does not have"
                    )
                history[name].append(np.array(value, copy=True))
            record_index += 1
        with np.errstate(over="ignore", invalid="ignore"):  # checked next
            theta = theta - delta
        _check_finite_during_run("iterate", theta, t, rule)
        theta = domain.project(theta, weights)

        # Cumulative loss and regret at the checkpoints.
        if mark_index < marks.size and marks[mark_index] == t:
            loss_marks.append(total_loss.copy())
            if regret:
                best = problem.hindsight_minimum(statistic, t, domain)
                regret_marks.append(total_loss - best)
            mark_index += 1

    return RunResult(
        theta=theta,
        state=state,
        history={name: np.stack(values) for name, values in history.items()},
        record_steps=at,
        checkpoints=marks,
        cumulative_loss=np.stack(loss_marks) if need_loss else None,
        regret=np.stack(regret_marks) if regret else None,
    )
