r"""Many update rules on many separable one-dimensional problems, one loop.

:func:`run_intervals` advances every combination of (rule, run, problem)
at once: one Python loop over :math:`t` with arrays of shape
``(rules, runs, problems)``. It is the fast twin of
:func:`analysis.simulation.simulate` for the regret experiments, where
the per-step cost of one :func:`simulate` call per rule and problem (tens
of microseconds each) would not fit long horizons.

Scope
-----
* Rules: :class:`~analysis.optimizers.SGD`,
  :class:`~analysis.optimizers.AdaGrad`, :class:`~analysis.optimizers.Adam`
  (with or without the running maximum, i.e. AMSGrad) and
  :class:`~analysis.optimizers.AdaBelief` (every ε convention, with or
  without the running maximum), with scalar hyperparameters.
* Problems: one-dimensional :class:`~analysis.problems.OnlineLinear`
  (including :class:`~analysis.problems.PeriodicLinear`),
  :class:`~analysis.online.OnlineQuadratic` and
  :class:`~analysis.online.OnlineAbsolute`, each on an interval
  :math:`[l_j, u_j]`. On an interval the weighted projection is the clip
  whatever the weights, so the fast path clips.

Problem ``j`` uses the random streams of ``simulate(..., seed=seed + j)``:
run ``r`` of rule ``k`` on problem ``j`` sees exactly the data that
:func:`simulate` gives run ``r`` with that seed, for every rule, so all
rules are compared on common data.

Besides the regret at checkpoints, the loop keeps running aggregates
along each run, for the assumptions of the regret bounds (see
:class:`IntervalRun`); no history is stored, so memory is flat in
:math:`T`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis._validation import check_finite, check_positive_int
from analysis.online import OnlineAbsolute, OnlineQuadratic
from analysis.optimizers import SGD, AdaBelief, AdaGrad, Adam, UpdateRule
from analysis.problems import OnlineLinear, Problem
from analysis.projections import Box

__all__ = ["IntervalRun", "rule_parameters", "run_intervals"]

Array = NDArray[np.float64]

_BLOCK_FLOATS = 1 << 20
_KINDS = {"linear": 0, "quadratic": 1, "absolute": 2}


@dataclasses.dataclass(frozen=True)
class IntervalRun:
    r"""What :func:`run_intervals` returns.

    Arrays are indexed ``[rule, run, problem]`` (a leading checkpoint axis
    for ``regret`` and ``cumulative_loss``).

    Attributes
    ----------
    checkpoints : numpy.ndarray
        Steps :math:`T_k` of the regret records.
    regret, cumulative_loss : numpy.ndarray
        :math:`R(T_k)` and :math:`\sum_{t \le T_k} f_t(\theta_t)`.
    theta : numpy.ndarray
        Final iterate :math:`\theta_{T+1}`.
    m, v, s : numpy.ndarray
        Final raw moments (``v`` is AdaGrad's sum for AdaGrad rows; ``s``
        is computed for every row along that row's own iterates, and is
        AdaBelief's moment on AdaBelief rows).
    v_hat, s_hat : numpy.ndarray
        Their bias-corrected values at :math:`T` (equal to the raw ones
        for rows without bias correction).
    denominator_sq : numpy.ndarray
        The quantity under the root of the row's last denominator
        (:math:`\hat v_T`, :math:`\hat s_T` or their running maximum).
    max_abs_g, max_abs_residual : numpy.ndarray
        :math:`\max_t |g_t|` (the observed :math:`G_\infty`) and
        :math:`\max_t |g_t - m_t|`.
    min_denominator_sq, max_denominator_sq : numpy.ndarray
        Smallest and largest quantity under the root over the run; the
        smallest sets the constant :math:`c` of the AdaBelief bound.
    ratio_decreases : numpy.ndarray
        Number of steps :math:`t \ge 2` at which
        :math:`\sqrt{q_t}/\alpha_t < \sqrt{q_{t-1}}/\alpha_{t-1}` (relative
        tolerance :math:`10^{-12}`), where :math:`q_t` is the quantity
        under the root; zero is what the regret proofs need.
    moment_decreases : numpy.ndarray
        Number of steps :math:`t \ge 2` with :math:`q_t < q_{t-1}`.
    sum_g2, sum_g4 : numpy.ndarray
        :math:`\sum_t g_t^2` and :math:`\sum_t g_t^4`.
    momentum_sum : numpy.ndarray
        :math:`\sum_t \beta_{1,t}\sqrt{q_t}/\alpha_t`, the last sum of the
        AdaBelief and AMSGrad regret bounds.
    rule_names, problem_names : tuple of str
        Names of the rules and problems, in axis order.
    """

    checkpoints: NDArray[np.int64]
    regret: Array
    cumulative_loss: Array
    theta: Array
    m: Array
    v: Array
    s: Array
    v_hat: Array
    s_hat: Array
    denominator_sq: Array
    max_abs_g: Array
    max_abs_residual: Array
    min_denominator_sq: Array
    max_denominator_sq: Array
    ratio_decreases: NDArray[np.int64]
    moment_decreases: NDArray[np.int64]
    sum_g2: Array
    sum_g4: Array
    momentum_sum: Array
    rule_names: tuple[str, ...]
    problem_names: tuple[str, ...]


def _scalar(rule: UpdateRule, field: str) -> float:
    value = np.asarray(getattr(rule, field), dtype=np.float64)
    if value.ndim != 0:
        raise ValueError(
            f"rules must have scalar hyperparameters for the fast path; "
            f"{rule.name}.{field} has shape {value.shape}"
        )
    return float(value)


def rule_parameters(rule: UpdateRule) -> dict[str, float]:
    r"""Return the row parameters of the unified step for one rule.

    Every supported rule is the step

    .. math::

        m_t &= \beta_{1,t} m_{t-1} + (1-\beta_{1,t}) g_t, \quad
        v_t = b\,v_{t-1} + a\,g_t^2, \\
        s_t &= \beta_2 s_{t-1} + (1-\beta_2)(g_t - m_t)^2 + \epsilon_s, \\
        q_t &= \max\nolimits_{\text{opt}}(q_{t-1}, \hat v_t \text{ or }
        \hat s_t), \quad
        D_t = \sqrt{q_t + \epsilon_{\text{in}}} + \epsilon_{\text{out}},
        \quad \delta_t = \alpha_t \hat m_t / D_t,

    with SGD as :math:`\beta_1 = 0, D_t = 1` and AdaGrad as
    :math:`\beta_1 = 0, a = b = 1` without bias correction.

    Raises
    ------
    ValueError
        For an unsupported rule or array-valued hyperparameters.
    """
    if not isinstance(rule, UpdateRule):
        raise ValueError(f"rules must be UpdateRule objects, got {type(rule)}")
    p = {
        "lr": _scalar(rule, "lr"),
        "inv_sqrt": float(rule.lr_schedule == "inv_sqrt"),
        "beta1": 0.0,
        "decay": 1.0,
        "beta2": 1.0,
        "a2": 1.0,
        "bias": 0.0,
        "use_s": 0.0,
        "use_max": 0.0,
        "sgd": 0.0,
        "eps_s": 0.0,
        "eps_in": 0.0,
        "eps_out": 0.0,
    }
    kind = type(rule)
    if kind is SGD:
        p["sgd"] = 1.0
    elif kind is AdaGrad:
        p["eps_out"] = _scalar(rule, "eps")
    elif kind is Adam:
        assert isinstance(rule, Adam)
        p["beta1"] = _scalar(rule, "beta1")
        p["decay"] = _scalar(rule, "beta1_decay")
        p["beta2"] = _scalar(rule, "beta2")
        p["a2"] = 1.0 - p["beta2"]
        p["bias"] = float(rule.bias_correction)
        p["use_max"] = float(rule.max_second_moment)
        p["eps_out"] = _scalar(rule, "eps")
    elif kind is AdaBelief:
        assert isinstance(rule, AdaBelief)
        p["beta1"] = _scalar(rule, "beta1")
        p["decay"] = _scalar(rule, "beta1_decay")
        p["beta2"] = _scalar(rule, "beta2")
        p["a2"] = 1.0 - p["beta2"]
        p["bias"] = float(rule.bias_correction)
        p["use_max"] = float(rule.max_second_moment)
        p["use_s"] = 1.0
        eps = _scalar(rule, "eps")
        if rule.eps_convention == "authors":
            p["eps_s"] = p["eps_out"] = eps
        elif rule.eps_convention == "outside":
            p["eps_out"] = eps
        else:
            p["eps_in"] = eps
    else:
        raise ValueError(
            "rules must be SGD, AdaGrad, Adam/AMSGrad or AdaBelief for the fast "
            f"path, got {kind.__name__}"
        )
    return p


def _kind(problem: Problem) -> int:
    if isinstance(problem, OnlineLinear):
        kind = _KINDS["linear"]
    elif isinstance(problem, OnlineQuadratic):
        kind = _KINDS["quadratic"]
    elif isinstance(problem, OnlineAbsolute):
        kind = _KINDS["absolute"]
    else:
        raise ValueError(
            "problems must be OnlineLinear, OnlineQuadratic or OnlineAbsolute, "
            f"got {type(problem).__name__}"
        )
    if problem.dim != 1:
        raise ValueError(f"problems must be one-dimensional, got dim={problem.dim}")
    return kind


def _draw(
    problem: Problem, streams: list[np.random.Generator], t: int, n: int
) -> Array:
    """Data of steps ``t .. t+n-1`` for every run, shape ``(n, runs)``."""
    blocks = []
    for rng in streams:
        data = problem.draw(rng, t, n)
        assert data is not None  # online families always have data
        blocks.append(data[:, 0])
    return np.stack(blocks, axis=1)


def run_intervals(
    rules: Sequence[UpdateRule],
    problems: Sequence[Problem],
    domains: Sequence[Box],
    theta0: ArrayLike,
    steps: int,
    *,
    runs: int = 1,
    seed: int = 0,
    checkpoints: ArrayLike | None = None,
) -> IntervalRun:
    r"""Run every rule on every one-dimensional problem, for ``runs`` runs.

    Parameters
    ----------
    rules : sequence of UpdateRule
        See the module notes for the supported rules.
    problems : sequence of Problem
        One-dimensional online problems (see the module notes).
    domains : sequence of Box
        One interval per problem.
    theta0 : float or array_like
        Start :math:`\theta_1`, a scalar or one value per problem; must lie
        in the intervals.
    steps : int
        Horizon :math:`T \ge 1`.
    runs : int
        Runs per (rule, problem); problem ``j`` uses the streams of
        ``simulate(..., runs=runs, seed=seed + j)``.
    seed : int
        Base seed.
    checkpoints : array_like of int, optional
        Increasing steps in :math:`[1, T]` at which the regret is recorded
        (default: only :math:`T`).

    Returns
    -------
    IntervalRun

    Raises
    ------
    ValueError
        For unsupported rules or problems, mismatched lengths, a start
        outside an interval, or bad checkpoints.

    Notes
    -----
    The unified step is given in :func:`rule_parameters`; it performs the
    same floating-point operations as the rules' own ``update`` up to the
    order of a few multiplications, so it agrees with
    :func:`~analysis.simulation.simulate` to rounding (tested).
    Regret at :math:`T_k` uses each problem's closed-form comparator
    (``hindsight_minimum``) on its interval.
    """
    steps = check_positive_int("steps", steps)
    runs = check_positive_int("runs", runs)
    if len(rules) == 0 or len(problems) == 0:
        raise ValueError("rules and problems must not be empty")
    if len(domains) != len(problems):
        raise ValueError(
            f"domains must have one Box per problem, got {len(domains)} for "
            f"{len(problems)} problems"
        )
    kinds = np.array([_kind(p) for p in problems])
    for j, box in enumerate(domains):
        if not isinstance(box, Box) or box.dim != 1:
            raise ValueError(f"domains[{j}] must be a one-dimensional Box")
    n_rules, n_prob = len(rules), len(problems)
    lower = np.array([float(b.lower[0]) for b in domains])
    upper = np.array([float(b.upper[0]) for b in domains])
    start = check_finite("theta0", theta0).astype(np.float64)
    try:
        start = np.broadcast_to(start, (n_prob,)).copy()
    except ValueError:
        raise ValueError(
            f"theta0 must be a scalar or have shape ({n_prob},), got {start.shape}"
        ) from None
    if np.any(start < lower) or np.any(start > upper):
        raise ValueError("theta0 must lie in every interval (start inside F)")
    if checkpoints is None:
        marks = np.array([steps], dtype=np.int64)
    else:
        marks = np.asarray(checkpoints)
        if (
            marks.ndim != 1
            or marks.size == 0
            or not np.issubdtype(marks.dtype, np.integer)
            or np.any(np.diff(marks) <= 0)
            or marks[0] < 1
            or marks[-1] > steps
        ):
            raise ValueError(
                f"checkpoints must be increasing integer steps in [1, {steps}]"
            )
        marks = marks.astype(np.int64)

    # Row parameters, shape (rules, 1, 1) so they broadcast over runs and
    # problems.
    params = [rule_parameters(r) for r in rules]

    def col(name: str) -> Array:
        return np.array([p[name] for p in params]).reshape(n_rules, 1, 1)

    lr, inv_sqrt = col("lr"), col("inv_sqrt").astype(bool)
    beta1, decay, beta2, a2 = col("beta1"), col("decay"), col("beta2"), col("a2")
    bias = col("bias").astype(bool)
    use_s, use_max = col("use_s").astype(bool), col("use_max").astype(bool)
    sgd = col("sgd").astype(bool)
    eps_s, eps_in, eps_out = col("eps_s"), col("eps_in"), col("eps_out")
    has_decay = bool(np.any(decay != 1.0))

    # Problem coefficients: g = k_lin x + k_quad (theta - x) + k_abs sign(.)
    is_lin = kinds == _KINDS["linear"]
    is_quad = kinds == _KINDS["quadratic"]
    is_abs = kinds == _KINDS["absolute"]
    any_quad, any_abs = bool(is_quad.any()), bool(is_abs.any())

    # Random streams: those of simulate(..., seed=seed + j) for problem j.
    streams = [
        [np.random.default_rng(s) for s in np.random.SeedSequence(seed + j).spawn(runs)]
        for j in range(n_prob)
    ]
    block = max(1, min(steps, _BLOCK_FLOATS // (runs * n_prob)))

    shape = (n_rules, runs, n_prob)
    theta = np.broadcast_to(start, shape).copy()
    m = np.zeros(shape)
    v = np.zeros(shape)
    s = np.zeros(shape)
    q_max = np.zeros(shape)
    q = np.zeros(shape)
    total = np.zeros(shape)
    statistic = np.zeros((runs, n_prob))
    max_g = np.zeros(shape)
    max_r = np.zeros(shape)
    min_q = np.full(shape, np.inf)
    max_q = np.zeros(shape)
    prev_ratio = np.zeros(shape)
    prev_q = np.zeros(shape)
    ratio_dec = np.zeros(shape, dtype=np.int64)
    moment_dec = np.zeros(shape, dtype=np.int64)
    sum_g2 = np.zeros(shape)
    sum_g4 = np.zeros(shape)
    momentum_sum = np.zeros(shape)
    regret_marks: list[Array] = []
    loss_marks: list[Array] = []
    mark_index = 0
    data_block: Array = np.zeros((0, runs, n_prob))
    one = np.ones(shape)
    factor_v = np.ones((n_rules, 1, 1))
    factor_m = np.ones((n_rules, 1, 1))

    for t in range(1, steps + 1):
        offset = (t - 1) % block
        if offset == 0:
            n = min(block, steps - t + 1)
            data_block = np.stack(
                [_draw(p, streams[j], t, n) for j, p in enumerate(problems)],
                axis=-1,
            )
        x = data_block[offset]  # (runs, problems)

        # Gradient and loss at theta_t.
        g = np.where(is_lin, x, 0.0) * one
        loss = np.where(is_lin, x * theta, 0.0)
        if any_quad:
            g = np.where(is_quad, theta - x, g)
            loss = np.where(is_quad, 0.5 * theta * theta - x * theta, loss)
        if any_abs:
            g = np.where(is_abs, np.sign(theta - x), g)
            loss = np.where(is_abs, np.abs(theta - x), loss)
        total += loss
        statistic += x

        # Moments (the rules' own formulas, see rule_parameters).
        beta1_t = beta1 * decay ** (t - 1) if has_decay else beta1
        m = beta1_t * m + (1 - beta1_t) * g
        v = beta2 * v + a2 * g * g
        residual = g - m
        s = beta2 * s + (1 - beta2) * residual * residual + eps_s
        factor_m = np.where(bias, 1 - beta1**t, 1.0)
        factor_v = np.where(bias, 1 - beta2**t, 1.0)
        m_hat = m / factor_m
        q = np.where(use_s, s, v) / factor_v
        q_max = np.maximum(q_max, q)
        q_used = np.where(use_max, q_max, q)

        # Step and projection (the clip is the weighted projection).
        alpha_t = np.where(inv_sqrt, lr / np.sqrt(float(t)), lr)
        weights = np.where(sgd, 1.0, np.sqrt(q_used + eps_in) + eps_out)
        theta = np.clip(theta - alpha_t * m_hat / weights, lower, upper)

        # Running aggregates for the bounds' assumptions.
        abs_g = np.abs(g)
        max_g = np.maximum(max_g, abs_g)
        max_r = np.maximum(max_r, np.abs(residual))
        min_q = np.minimum(min_q, q_used)
        max_q = np.maximum(max_q, q_used)
        root = np.sqrt(q_used)
        ratio = root / alpha_t
        if t > 1:
            ratio_dec += ratio < prev_ratio * (1 - 1e-12)
            moment_dec += q_used < prev_q * (1 - 1e-12)
        prev_ratio, prev_q = ratio, q_used
        g2 = g * g
        sum_g2 += g2
        sum_g4 += g2 * g2
        momentum_sum += beta1_t * ratio

        if mark_index < marks.size and marks[mark_index] == t:
            best = np.stack(
                [
                    problems[j].hindsight_minimum(
                        statistic[:, j : j + 1], t, domains[j]
                    )
                    for j in range(n_prob)
                ],
                axis=-1,
            )
            loss_marks.append(total.copy())
            regret_marks.append(total - best)
            mark_index += 1

    v_hat = v / factor_v
    s_hat = s / factor_v
    return IntervalRun(
        checkpoints=marks,
        regret=np.stack(regret_marks),
        cumulative_loss=np.stack(loss_marks),
        theta=theta,
        m=m,
        v=v,
        s=s,
        v_hat=np.broadcast_to(v_hat, shape).copy(),
        s_hat=np.broadcast_to(s_hat, shape).copy(),
        denominator_sq=np.where(use_max, q_max, q),
        max_abs_g=max_g,
        max_abs_residual=max_r,
        min_denominator_sq=min_q,
        max_denominator_sq=max_q,
        ratio_decreases=ratio_dec,
        moment_decreases=moment_dec,
        sum_g2=sum_g2,
        sum_g4=sum_g4,
        momentum_sum=momentum_sum,
        rule_names=tuple(r.name for r in rules),
        problem_names=tuple(repr(p) for p in problems),
    )
