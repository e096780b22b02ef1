r"""Sign descent and the update ratios of Adam and AdaBelief.

Three groups of tools, used to check whether Adam behaves like sign
descent when the gradient noise is small, whether that matters, and
whether AdaBelief escapes it:

* realized update ratios: :func:`realized_ratios` runs an actual update
  rule on a stationary Gaussian gradient stream of chosen signal-to-noise
  ratios and returns :math:`\delta_t/\alpha_t`, i.e. Adam's
  :math:`\hat m_t/(\sqrt{\hat v_t}+\epsilon)` or AdaBelief's
  :math:`\hat m_t/(\sqrt{\hat s_t}+\epsilon)`, sample by sample;
  :func:`adam_expected_ratio`, :func:`adabelief_expected_ratio` and
  :func:`adabelief_settling_time` give the ratios of expectations they
  are compared with;
* quadratic regimes: :class:`Regime` describes an axis-aligned or
  randomly rotated quadratic of given dimension, condition number and
  noise level, and :func:`regime_grid` lists a grid of them;
* tuned comparisons: :func:`sweep_quadratic` runs every step size of a
  grid in one simulation with common random numbers (a fast twin of
  :func:`analysis.sweeps.sweep_step_sizes`, with the same result),
  :func:`tail_mean_loss` is the score both use, and
  :func:`paired_log_ratio` / :func:`classify_difference` compare two
  methods run on the same seeds.

References
----------
Balles & Hennig, "Dissecting Adam: The Sign, Magnitude and Variance of
Stochastic Gradients", ICML 2018.
Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015.
Zhuang et al., "AdaBelief Optimizer: Adapting Stepsizes by the Belief in
Observed Gradients", NeurIPS 2020.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis import theory
from analysis._validation import (
    check_finite,
    check_in_range,
    check_positive_int,
    check_scalar_in_range,
)
from analysis.optimizers import UpdateRule
from analysis.problems import OnlineLinear, Problem, Quadratic, random_rotation
from analysis.simulation import RunResult, simulate
from analysis.statistics import MeanCI, mean_ci
from analysis.sweeps import SweepResult, check_sweep_arguments, normal_law_with_snr

__all__ = [
    "Regime",
    "TiledQuadratic",
    "adabelief_expected_ratio",
    "adabelief_settling_time",
    "adam_expected_ratio",
    "classify_difference",
    "near_sign_fraction",
    "off_diagonal_share",
    "paired_log_ratio",
    "realized_ratios",
    "regime_grid",
    "sweep_quadratic",
    "tail_mean_loss",
]

Array = NDArray[np.float64]


# ---------------------------------------------------------------------------
# Update ratios on stationary gradient streams
# ---------------------------------------------------------------------------


def _snr_vector(snr: ArrayLike) -> Array:
    ratio = np.atleast_1d(check_in_range("snr", snr, 0.0, np.inf))
    if ratio.ndim != 1:
        raise ValueError(f"snr must be a scalar or 1-d, got shape {ratio.shape}")
    return ratio


def realized_ratios(
    make_rule: Callable[[dict[str, Array]], UpdateRule],
    settings: Sequence[Mapping[str, float]],
    snr: ArrayLike,
    record_steps: ArrayLike,
    *,
    runs: int = 100,
    copies: int = 1,
    seed: int = 0,
) -> Array:
    r"""Run an update rule on stationary gradients and return its ratios.

    Every coordinate receives i.i.d. Gaussian gradients with
    :math:`\operatorname{Var} g = 1` and :math:`\mathbb E g =
    \sqrt{\mathrm{snr}} > 0` (:func:`analysis.sweeps.normal_law_with_snr`
    through :class:`analysis.problems.OnlineLinear`, whose gradient does
    not depend on the iterate). The coordinates are laid out as
    ``(setting, snr, copy)``: one block per hyperparameter setting, one
    coordinate per signal-to-noise ratio and ``copies`` independent
    coordinates of each. One call of :func:`analysis.simulation.simulate`
    advances everything; the data of a run do not depend on the rule, so
    two rules called with the same arguments see the same gradients
    (common random numbers).

    Parameters
    ----------
    make_rule : callable
        ``make_rule(hyper)`` returns the rule, where ``hyper`` maps each
        key of the settings to a per-coordinate array of shape ``(d,)``,
        e.g. ``lambda h: Adam(lr=1.0, eps=1e-8, **h)``.
    settings : sequence of mappings
        Hyperparameter settings, all with the same keys, e.g.
        ``[{"beta1": 0.9, "beta2": 0.999}, {"beta1": 0.3, "beta2": 0.3}]``.
    snr : array_like
        Signal-to-noise ratios :math:`(\mathbb E g)^2/\operatorname{Var}
        g \ge 0`, shape ``(n,)``.
    record_steps : array_like of int
        Increasing steps :math:`t \ge 1` at which the ratio is kept; the
        run lasts until the last of them.
    runs, copies : int
        Runs of the simulation and independent coordinates per cell;
        each cell holds ``runs * copies`` samples.
    seed : int
        Seed of the runs.

    Returns
    -------
    numpy.ndarray
        :math:`\delta_t/\alpha_t`, shape ``(len(record_steps),
        len(settings), n, runs * copies)``. For Adam this is
        :math:`\hat m_t/(\sqrt{\hat v_t} + \epsilon)`, for AdaBelief
        :math:`\hat m_t/(\sqrt{\hat s_t} + \epsilon)` with its ε
        convention, for sign descent :math:`\operatorname{sign}(m_t)`.
        Since :math:`\mathbb E g > 0`, sign descent on the expected
        gradient is the constant 1 (0 when ``snr`` is 0).

    Notes
    -----
    The ratio is read off the step the rule actually takes, so nothing
    is recomputed outside the rule.
    """
    ratio = _snr_vector(snr)
    runs = check_positive_int("runs", runs)
    copies = check_positive_int("copies", copies)
    if len(settings) == 0:
        raise ValueError("settings must hold at least one setting")
    keys = sorted(settings[0])
    for setting in settings:
        if sorted(setting) != keys:
            raise ValueError(f"settings must all have the keys {keys}")
    steps_at = np.asarray(record_steps)
    if steps_at.ndim != 1 or steps_at.size == 0:
        raise ValueError("record_steps must be a non-empty 1-d array of steps")
    if not np.issubdtype(steps_at.dtype, np.integer) or steps_at[0] < 1:
        raise ValueError("record_steps must be integers >= 1")
    if np.any(np.diff(steps_at) <= 0):
        raise ValueError("record_steps must be strictly increasing")

    # Coordinates in (setting, snr, copy) order.
    per_setting = ratio.size * copies
    hyper = {
        key: np.repeat([float(s[key]) for s in settings], per_setting) for key in keys
    }
    rule = make_rule(hyper)
    law = normal_law_with_snr(np.tile(np.repeat(ratio, copies), len(settings)))
    result = simulate(
        rule,
        OnlineLinear(law),
        np.zeros(law.dim),
        int(steps_at[-1]),
        runs=runs,
        seed=seed,
        record=("delta",),
        record_steps=steps_at,
    )

    # delta_t / alpha_t, then (step, run, setting, snr, copy) -> cells.
    alpha = [np.broadcast_to(rule.step_size(int(t)), (law.dim,)) for t in steps_at]
    values = result.history["delta"] / np.stack(alpha)[:, None, :]
    values = values.reshape(steps_at.size, runs, len(settings), ratio.size, copies)
    values = values.transpose(0, 2, 3, 1, 4)
    return values.reshape(steps_at.size, len(settings), ratio.size, runs * copies)


def adam_expected_ratio(snr: ArrayLike) -> Array:
    r"""Adam's ratio of expectations :math:`\mathbb E g/\sqrt{\mathbb E
    \hat v_t}` for :math:`\mathbb E g > 0`.

    Notes
    -----
    With :math:`\mathbb E \hat v_t = (\mathbb E g)^2 + \operatorname{Var}
    g` at every step (stationary gradients, bias correction),

    .. math:: \frac{\mathbb E g}{\sqrt{\mathbb E\hat v_t}} =
              \sqrt{\frac{\mathrm{snr}}{1 + \mathrm{snr}}},
              \qquad 1 - \text{ratio} \approx \frac{1}{2\,\mathrm{snr}}
              \text{ for large snr}.
    """
    ratio = check_in_range("snr", snr, 0.0, np.inf)
    return np.asarray(np.sqrt(ratio / (1.0 + ratio)), dtype=np.float64)


def adabelief_expected_ratio(
    snr: ArrayLike,
    beta1: float,
    beta2: float,
    t: ArrayLike | None = None,
) -> Array:
    r"""AdaBelief's ratio of expectations :math:`\mathbb E g/\sqrt{\mathbb
    E\hat s_t}` for :math:`\mathbb E g > 0`, at step ``t`` or in the limit.

    Parameters
    ----------
    snr : array_like
        :math:`(\mathbb E g)^2/\operatorname{Var} g \ge 0`.
    beta1, beta2 : float
        In :math:`[0, 1)`, with :math:`\beta_1 > 0` and
        :math:`\beta_2 \ne \beta_1^2` (a removable singularity of the
        closed form).
    t : array_like of int, optional
        Steps :math:`t \ge 1`; ``None`` gives :math:`t \to \infty`.
        Broadcast against ``snr``.

    Notes
    -----
    The closed form of :func:`analysis.theory.adabelief_s_hat_mean`
    (no ε) with :math:`\sigma^2 = 1`. Its limit is
    :math:`\frac{2\beta_1^2}{1+\beta_1}\sigma^2`, so

    .. math:: \lim_{t\to\infty}\frac{\mathbb E g}{\sqrt{\mathbb E\hat s_t}}
              = \sqrt{\mathrm{snr}}\,\sqrt{\frac{1+\beta_1}{2\beta_1^2}},

    which grows without bound with the signal-to-noise ratio instead of
    saturating at 1 as Adam's does. At finite :math:`t`,
    :math:`\mathbb E \hat s_t` still holds the term
    :math:`\beta_1^{2k}(\mathbb E g)^2` of the first steps
    :math:`k`, averaged with weights :math:`\beta_2^{t-k}`, so the ratio
    starts near Adam's.
    """
    ratio = check_in_range("snr", snr, 0.0, np.inf)
    b1 = check_scalar_in_range("beta1", beta1, 0.0, 1.0, low_closed=False)
    b2 = check_scalar_in_range("beta2", beta2, 0.0, 1.0, low_closed=False)
    if abs(b2 - b1**2) < 1e-9:
        raise ValueError(
            f"beta2 must differ from beta1**2 = {b1**2} (the closed form is "
            "singular there)"
        )
    if t is None:
        s_hat = theory.evaluate(
            theory.adabelief_s_limit(), sigma2=1.0, beta1=b1, beta2=b2
        )
        s_hat = np.broadcast_to(s_hat, np.shape(ratio))
    else:
        steps = np.asarray(t)
        if not np.issubdtype(steps.dtype, np.integer) or np.any(steps < 1):
            raise ValueError("t must hold integers >= 1")
        s_hat = theory.evaluate(
            theory.adabelief_s_hat_mean(),
            mu=np.sqrt(ratio),
            sigma2=1.0,
            beta1=b1,
            beta2=b2,
            t=steps.astype(np.float64),
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.sqrt(ratio) / np.sqrt(s_hat), dtype=np.float64)


def adabelief_settling_time(
    snr: ArrayLike,
    beta1: float,
    beta2: float,
    tol: float = 0.1,
    horizon: int = 10**7,
    per_decade: int = 400,
) -> NDArray[np.int64]:
    r"""Steps after which AdaBelief's ratio of expectations stays within
    ``tol`` of its limit.

    Returns, for each ``snr``, the first step :math:`t` of a log-spaced
    integer grid (``per_decade`` points per decade, up to ``horizon``)
    after which :math:`|r_t/r_\infty - 1| \le` ``tol`` at every later
    grid point, where :math:`r_t` is :func:`adabelief_expected_ratio`.
    The value is ``-1`` when the ratio is not settled by ``horizon``.
    The resolution is a factor :math:`10^{1/\text{per\_decade}}` in
    :math:`t`.
    """
    ratio = _snr_vector(snr)
    tol = check_scalar_in_range("tol", tol, 0.0, np.inf, low_closed=False)
    horizon = check_positive_int("horizon", horizon)
    per_decade = check_positive_int("per_decade", per_decade)
    count = max(2, int(np.ceil(np.log10(horizon) * per_decade)) + 1)
    grid = np.unique(np.round(np.logspace(0, np.log10(horizon), count))).astype(
        np.int64
    )
    limit = adabelief_expected_ratio(ratio, beta1, beta2)
    values = adabelief_expected_ratio(ratio[:, None], beta1, beta2, grid[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        outside = ~(np.abs(values / limit[:, None] - 1.0) <= tol)
    settled = np.full(ratio.size, -1, dtype=np.int64)
    for i in range(ratio.size):
        bad = np.flatnonzero(outside[i])
        if bad.size == 0:
            settled[i] = grid[0]
        elif bad[-1] < grid.size - 1:
            settled[i] = grid[bad[-1] + 1]
    return settled


def near_sign_fraction(ratios: ArrayLike, tol: float = 0.1) -> float:
    r"""Fraction of update ratios :math:`r` with :math:`||r| - 1| \le`
    ``tol``: how often a step has (nearly) the length of a sign step."""
    values = check_finite("ratios", ratios).astype(np.float64)
    tol = check_scalar_in_range("tol", tol, 0.0, np.inf)
    if values.size == 0:
        raise ValueError("ratios must not be empty")
    return float(np.mean(np.abs(np.abs(values) - 1.0) <= tol))


# ---------------------------------------------------------------------------
# Quadratic regimes
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Regime:
    r"""A noisy quadratic :math:`f(\theta) = \tfrac12 \theta^\top Q\theta`.

    Parameters
    ----------
    dim : int
        Dimension :math:`d \ge 1`.
    condition : float
        Condition number :math:`\kappa \ge 1`; the eigenvalues of
        :math:`Q` are log-spaced from :math:`1/\kappa` to 1 (so the
        largest curvature is :math:`L = 1` in every regime).
    rotated : bool
        ``False``: :math:`Q` is diagonal (axis-aligned). ``True``:
        :math:`Q = U\Lambda U^\top` with a Haar-random rotation :math:`U`.
    noise : float
        :math:`\nu \ge 0`; the gradient noise is isotropic Gaussian with
        standard deviation :math:`\sigma = \nu\,\lVert Q\theta_1\rVert
        /\sqrt d` per coordinate, i.e. :math:`\nu` times the root mean
        square of the first exact gradient's coordinates.

    Notes
    -----
    The start :math:`\theta_1` is drawn from :math:`\mathcal N(0, I)` by
    :meth:`build` (a generic point: a start on a lattice such as
    :math:`(1, \dots, 1)` lets a sign step of size 1 land exactly on the
    minimizer of an axis-aligned quadratic) and the minimizer is
    :math:`\theta^* = 0`. Along an eigenvector of :math:`Q` of curvature
    :math:`\lambda` sign descent with step :math:`\alpha` moves by
    :math:`\alpha` per coordinate whatever :math:`\lambda`, which helps
    when :math:`Q` is diagonal and ill conditioned; a rotation mixes the
    coordinates and removes that advantage (Balles & Hennig 2018).
    """

    dim: int
    condition: float
    rotated: bool
    noise: float

    def __post_init__(self) -> None:
        check_positive_int("dim", self.dim)
        check_in_range("condition", self.condition, 1.0, np.inf)
        check_in_range("noise", self.noise, 0.0, np.inf)

    @property
    def label(self) -> str:
        """A short name, e.g. ``"d=100 k=1e+04 rotated noise=0.3"``."""
        kind = "rotated" if self.rotated else "axis"
        return f"d={self.dim} k={self.condition:.0e} {kind} noise={self.noise:g}"

    def build(self, rng: np.random.Generator) -> tuple[Quadratic, Array]:
        """Return the quadratic and the start :math:`\\theta_1`.

        ``rng`` draws the rotation (only when ``rotated``), then the start.
        """
        eigenvalues = np.logspace(-np.log10(self.condition), 0.0, self.dim)
        if self.dim == 1:
            eigenvalues = np.ones(1)
        rotation = random_rotation(self.dim, rng) if self.rotated else None
        theta0 = rng.standard_normal(self.dim)
        exact = Quadratic.from_spectrum(eigenvalues, rotation)
        scale = float(np.linalg.norm(exact.exact_gradient(theta0))) / np.sqrt(self.dim)
        problem = Quadratic.from_spectrum(
            eigenvalues, rotation, noise_std=self.noise * scale
        )
        return problem, theta0


def off_diagonal_share(matrix: ArrayLike) -> float:
    r"""Return :math:`\lVert A - \operatorname{diag} A\rVert_F /
    \lVert A\rVert_F`: 0 for a diagonal matrix, at most 1.

    For :math:`Q = U\Lambda U^\top` it measures how far the rotation
    :math:`U` is from the coordinate axes (for :math:`d = 2` and
    :math:`\kappa \to \infty` it is :math:`|\sin 2\varphi|/\sqrt2`,
    with :math:`\varphi` the angle of :math:`U`).
    """
    a = check_finite("matrix", matrix).astype(np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"matrix must be square (d, d), got shape {a.shape}")
    total = float(np.linalg.norm(a))
    if total == 0:
        raise ValueError("matrix must not be zero")
    return float(np.linalg.norm(a - np.diag(np.diag(a)))) / total


def regime_grid(
    dims: Sequence[int],
    conditions: Sequence[float],
    noises: Sequence[float],
) -> list[Regime]:
    r"""Every combination of dimension, condition number, rotation and noise.

    Rotated regimes are left out at :math:`\kappa = 1`, where
    :math:`Q = I` is the same matrix in every basis. The order is
    dimension, condition number, rotation (axis first), noise.
    """
    grid = []
    for dim, condition, rotated, noise in itertools.product(
        dims, conditions, (False, True), noises
    ):
        if rotated and condition == 1:
            continue
        grid.append(Regime(int(dim), float(condition), rotated, float(noise)))
    return grid


# ---------------------------------------------------------------------------
# Step-size sweeps on quadratics, all step sizes in one simulation
# ---------------------------------------------------------------------------


class TiledQuadratic(Problem):
    r"""``copies`` independent copies of a quadratic that share their noise.

    The iterate has :math:`k d` coordinates, ``copies`` blocks of the
    quadratic's :math:`d`; each block gets
    :math:`Q(\theta^{(j)} - \theta^*) + \sigma\xi_t` with the same
    :math:`\xi_t` in every block. The noise is drawn exactly as
    :class:`analysis.problems.Quadratic` draws it, so block :math:`j` of
    run :math:`r` sees the data a separate simulation of the quadratic
    with the same seed would see (common random numbers). The loss is
    the sum over the blocks; :meth:`block_values` gives each.
    """

    def __init__(self, quadratic: Quadratic, copies: int) -> None:
        if not isinstance(quadratic, Quadratic):
            raise ValueError(
                f"quadratic must be a Quadratic, got {type(quadratic).__name__}"
            )
        self.base = quadratic
        self.copies = check_positive_int("copies", copies)
        self.dim = quadratic.dim * self.copies

    def _blocks(self, theta: ArrayLike) -> Array:
        arr = np.asarray(theta, dtype=np.float64)
        return arr.reshape(*arr.shape[:-1], self.copies, self.base.dim)

    def draw(self, rng: np.random.Generator, t0: int, n: int) -> NDArray[Any] | None:
        """Draw the shared noise of ``n`` steps, shape ``(n, d)``."""
        return self.base.draw(rng, t0, n)

    def block_values(self, theta: ArrayLike) -> Array:
        """Return :math:`f` of every block, shape ``(..., copies)``."""
        return self.base.value(self._blocks(theta))

    def gradient(self, theta: Array, data: NDArray[Any] | None, t: int) -> Array:
        """Return the noisy gradient of every block."""
        g = self.base.exact_gradient(self._blocks(theta))
        if data is not None:
            g = g + self.base.noise_std * np.asarray(data)[..., None, :]
        return g.reshape(theta.shape)

    def loss(self, theta: Array, data: NDArray[Any] | None, t: int) -> Array:
        """Return the sum of the blocks' losses."""
        return np.sum(self.block_values(theta), axis=-1)

    def __repr__(self) -> str:
        return f"TiledQuadratic({self.base!r}, copies={self.copies})"


def tail_mean_loss(initial: float) -> Callable[[RunResult], Array]:
    r"""Score for :func:`analysis.sweeps.sweep_step_sizes`: the mean of
    :math:`f(\theta_t)/f(\theta_1)` over the recorded steps.

    Record the loss on the last part of the run (``record_steps``) to get
    the mean loss over that part, relative to the start.
    """
    f0 = check_scalar_in_range("initial", initial, 0.0, np.inf, low_closed=False)

    def score(result: RunResult) -> Array:
        if "loss" not in result.history:
            raise ValueError("tail_mean_loss needs a result that recorded 'loss'")
        return np.asarray(np.mean(result.history["loss"], axis=0) / f0)

    return score


def sweep_quadratic(
    make_rule: Callable[[Array], UpdateRule],
    quadratic: Quadratic,
    theta0: ArrayLike,
    steps: int,
    step_sizes: ArrayLike,
    record_steps: ArrayLike,
    *,
    runs: int = 8,
    seed: int = 0,
    level: float = 0.95,
) -> SweepResult:
    r"""Step-size sweep on a quadratic, every step size in one simulation.

    The same result as :func:`analysis.sweeps.sweep_step_sizes` called
    with ``score=tail_mean_loss(f(theta0))`` and the same
    ``record_steps`` (up to rounding), at a fraction of the cost: the
    ``k`` step sizes are ``k`` blocks of a :class:`TiledQuadratic`, so a
    run advances all of them at once with the same noise.

    Parameters
    ----------
    make_rule : callable
        ``make_rule(lr)`` returns the rule for a per-coordinate step-size
        array ``lr`` of shape ``(k d,)``; e.g. ``lambda lr: Adam(lr)``.
        The other hyperparameters must be scalars.
    quadratic : Quadratic
        The problem.
    theta0 : array_like
        Start, shape ``(d,)``.
    steps : int
        Number of steps.
    step_sizes : array_like
        Positive step sizes, shape ``(k,)``.
    record_steps : array_like of int
        Steps over which the loss is averaged (the score).
    runs, seed, level
        As in :func:`analysis.sweeps.sweep_step_sizes`.

    Returns
    -------
    SweepResult

    Raises
    ------
    ValueError
        For bad arguments, or when a step size makes the iterates
        overflow: the simulation then cannot tell which step size failed,
        and :func:`analysis.sweeps.sweep_step_sizes`, which runs them
        separately, is the tool to use.
    """
    grid, runs, steps = check_sweep_arguments(step_sizes, runs, steps)
    start = check_finite("theta0", theta0).astype(np.float64)
    if start.shape != (quadratic.dim,):
        raise ValueError(f"theta0 must have shape ({quadratic.dim},)")
    f0 = float(quadratic.value(start))
    if f0 <= 0:
        raise ValueError("theta0 must not be a minimizer (f(theta0) > 0 needed)")

    tiled = TiledQuadratic(quadratic, grid.size)
    lr = np.repeat(grid, quadratic.dim)
    with np.errstate(over="ignore", invalid="ignore"):
        result = simulate(
            make_rule(lr),
            tiled,
            np.tile(start, grid.size),
            steps,
            runs=runs,
            seed=seed,
            record=("theta",),
            record_steps=np.asarray(record_steps),
        )
    # theta_t -> f per block: (steps, runs, k) -> (k, runs).
    with np.errstate(over="ignore", invalid="ignore"):
        values = tiled.block_values(result.history["theta"])
        scores = np.mean(values, axis=0).T / f0

    # A step size whose iterates overflowed has non-finite scores: it
    # counts as diverged, as in sweep_step_sizes, and its mean is NaN.
    return SweepResult.from_scores(grid, scores, level)


# ---------------------------------------------------------------------------
# Paired comparisons
# ---------------------------------------------------------------------------


def paired_log_ratio(
    scores_a: ArrayLike,
    scores_b: ArrayLike,
    floor: float = 1e-12,
    level: float = 0.95,
) -> MeanCI:
    r"""Mean and interval of :math:`\log_{10}(a_r/b_r)` over paired runs.

    Run :math:`r` of both methods used the same seed (common random
    numbers), so the difference is taken run by run. Scores below
    ``floor`` count as ``floor``: two methods that both reach it tie.
    Negative values mean that ``a`` is better (lower score).
    """
    a = check_finite("scores_a", scores_a).astype(np.float64)
    b = check_finite("scores_b", scores_b).astype(np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(
            f"scores_a and scores_b must be 1-d of equal length, got {a.shape} "
            f"and {b.shape}"
        )
    floor = check_scalar_in_range("floor", floor, 0.0, np.inf, low_closed=False)
    check_in_range("scores_a", a, 0.0, np.inf)
    check_in_range("scores_b", b, 0.0, np.inf)
    diff = np.log10(np.maximum(a, floor)) - np.log10(np.maximum(b, floor))
    return mean_ci(diff, level=level)


def classify_difference(ci: MeanCI, tie: float = 0.1) -> int:
    r"""Return ``-1`` (a better), ``+1`` (a worse) or ``0`` (no clear
    difference) for a :func:`paired_log_ratio` interval.

    A difference counts when the interval excludes 0 and the mean exceeds
    ``tie`` in absolute value (``tie = 0.1`` is a factor
    :math:`10^{0.1} \approx 1.26` in loss).
    """
    tie = check_scalar_in_range("tie", tie, 0.0, np.inf)
    low, high, mean = float(ci.low), float(ci.high), float(ci.mean)
    if low > 0 and mean > tie:
        return 1
    if high < 0 and mean < -tie:
        return -1
    return 0
