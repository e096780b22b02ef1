r"""Regret: comparators, growth fits and the right-hand sides of the bounds.

Regret against the best fixed point in hindsight,

.. math:: R(T) = \sum_{t=1}^T f_t(\theta_t) - \min_{x \in F}\sum_{t=1}^T f_t(x),

is computed by :func:`analysis.simulation.simulate` and
:func:`analysis.fastpath.run_intervals` from running sums. This module
holds what is done with it:

* :func:`linear_regret`, the closed form for linear losses on any domain
  with a closed-form linear minimum (boxes: a vertex; :math:`\ell_2`
  balls: Cauchy–Schwarz);
* :func:`rademacher_expected_regret`, the exact expected regret of *every*
  online algorithm on random :math:`\pm 1` linear losses on
  :math:`[-1, 1]`, a lower bound that no method can beat;
* :func:`fit_regret_growth`, the growth exponent :math:`p` of
  :math:`R(T) \approx C T^p` with a bootstrap interval over runs;
* :func:`residual_bound`, the sharp bound on :math:`|g_t - m_t|` implied by
  :math:`|g_t| \le G_\infty` alone;
* :func:`adabelief_regret_bound`, :func:`adabelief_corollary_bound` and
  :func:`amsgrad_regret_bound`, the right-hand sides of the convex regret
  theorems, with every constant named.

References
----------
Zhuang et al., "AdaBelief Optimizer: Adapting Stepsizes by the Belief in
Observed Gradients", NeurIPS 2020 (Theorem 2.1 and Corollary 2.1.1, proved
in its appendix).
Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018
(Theorem 4 and Corollary 1).
Cesa-Bianchi & Lugosi, "Prediction, Learning, and Games", Cambridge
University Press, 2006 (lower bounds for online linear optimization).
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis._validation import (
    check_finite,
    check_in_range,
    check_positive_int,
    check_scalar_in_range,
)
from analysis.projections import Domain
from analysis.statistics import fit_power_law

__all__ = [
    "GrowthFit",
    "RegretBound",
    "adabelief_corollary_bound",
    "adabelief_regret_bound",
    "amsgrad_regret_bound",
    "fit_regret_growth",
    "linear_regret",
    "rademacher_expected_regret",
    "residual_bound",
]

Array = NDArray[np.float64]


# ---------------------------------------------------------------------------
# Comparators
# ---------------------------------------------------------------------------


def linear_regret(
    cumulative_loss: ArrayLike, coefficient_sum: ArrayLike, domain: Domain
) -> Array:
    r"""Regret of linear losses :math:`f_t(x) = \langle c_t, x\rangle`.

    Parameters
    ----------
    cumulative_loss : array_like
        :math:`\sum_t \langle c_t, \theta_t\rangle`, shape ``(...)``.
    coefficient_sum : array_like
        :math:`C_T = \sum_t c_t`, shape ``(..., d)``.
    domain : Domain
        The feasible set :math:`F`.

    Returns
    -------
    numpy.ndarray
        :math:`R(T) = \sum_t\langle c_t, \theta_t\rangle -
        \min_{x\in F}\langle C_T, x\rangle`, shape ``(...)``.

    Notes
    -----
    On a box :math:`\prod_i [l_i, u_i]` the minimum is
    :math:`\sum_i \min(C_i l_i, C_i u_i)`; on the ball
    :math:`\{\|x - c\|_2 \le r\}` it is :math:`\langle C, c\rangle -
    r\|C\|_2`.
    """
    loss = check_finite("cumulative_loss", np.asarray(cumulative_loss, float))
    total = check_finite("coefficient_sum", np.asarray(coefficient_sum, float))
    if not isinstance(domain, Domain):
        raise ValueError(f"domain must be a Domain, got {type(domain).__name__}")
    best, _ = domain.linear_minimum(total)
    return np.asarray(loss - best, dtype=np.float64)


def rademacher_expected_regret(steps: ArrayLike) -> Array:
    r"""Exact :math:`\mathbb E R(T)` on random :math:`\pm1` losses on [-1, 1].

    For :math:`f_t(x) = c_t x` with i.i.d. :math:`c_t = \pm 1` (probability
    1/2 each) on :math:`F = [-1, 1]`, every online algorithm has

    .. math:: \mathbb E R(T) = \mathbb E |S_T| =
              T \binom{T-1}{\lfloor (T-1)/2\rfloor} 2^{1-T}
              \sim \sqrt{2T/\pi},

    where :math:`S_T = \sum_t c_t`.

    Parameters
    ----------
    steps : int or array_like of int
        Horizons :math:`T \ge 1`.

    Returns
    -------
    numpy.ndarray
        :math:`\mathbb E |S_T|`, computed through log-gamma.

    Notes
    -----
    :math:`\theta_t` depends only on :math:`c_1, \dots, c_{t-1}`, so
    :math:`\mathbb E[c_t\theta_t] = 0` and the expected cumulative loss is
    zero; the comparator is :math:`\min_{x\in[-1,1]} S_T x = -|S_T|`.
    Hence regret grows like :math:`\sqrt T` for every algorithm: the
    worst-case regret of online linear optimization is
    :math:`\Omega(\sqrt T)` (Cesa-Bianchi & Lugosi 2006), and no bound
    better than :math:`O(\sqrt T)` can hold for all convex losses.
    """
    t = np.asarray(steps)
    if not np.issubdtype(t.dtype, np.integer) or np.any(t < 1):
        raise ValueError("steps must be integers >= 1")
    n = t.astype(np.float64)
    k = np.floor((n - 1) / 2)
    lg = np.vectorize(math.lgamma)
    log_binom = lg(n) - lg(k + 1) - lg(n - k)
    return np.asarray(n * np.exp(log_binom + (1 - n) * math.log(2.0)))


# ---------------------------------------------------------------------------
# Growth fits
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class GrowthFit:
    r"""Growth exponent of regret, :math:`\bar R(T) \approx C T^p`.

    Attributes
    ----------
    exponent : float
        Least-squares slope of :math:`\log \bar R` on :math:`\log T` over
        the window, :math:`\bar R` the mean over runs (NaN when
        :math:`\bar R \le 0` somewhere in the window).
    low, high : float
        Interval for :math:`p` (NaN when not fitted).
    method : str
        ``"bootstrap"`` (percentile interval over runs resampled with
        replacement), ``"regression"`` (one run, or identical runs of a
        deterministic problem: the least-squares interval, which treats
        checkpoints as independent) or
        ``"not fitted"``.
    window : tuple of int
        First and last checkpoint used.
    final_mean : float
        :math:`\bar R(T)` at the last checkpoint.
    final_over_sqrt : float
        :math:`\bar R(T)/\sqrt T` at the last checkpoint.
    nonpositive_fraction : float
        Fraction of runs with :math:`R(T) \le 0` at the last checkpoint.
    level : float
        Confidence level of the interval.
    """

    exponent: float
    low: float
    high: float
    method: str
    window: tuple[int, int]
    final_mean: float
    final_over_sqrt: float
    nonpositive_fraction: float
    level: float

    @property
    def fitted(self) -> bool:
        """Whether an exponent was fitted."""
        return self.method != "not fitted"


def _slope(log_t: Array, log_r: Array) -> Array:
    """Least-squares slopes of the columns of ``log_r`` on ``log_t``."""
    u = log_t - log_t.mean()
    w = log_r - log_r.mean(axis=0)
    return np.asarray(u @ w / (u @ u))


def fit_regret_growth(
    checkpoints: ArrayLike,
    regret: ArrayLike,
    *,
    t_min: int | None = None,
    level: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> GrowthFit:
    r"""Fit the growth exponent of the mean regret over runs.

    Parameters
    ----------
    checkpoints : array_like of int
        Increasing steps :math:`T_k`, shape ``(K,)``.
    regret : array_like
        :math:`R(T_k)` per run, shape ``(K, runs)`` (or ``(K,)``).
    t_min : int, optional
        First checkpoint of the window (default: the last checkpoint over
        100, i.e. the last two decades).
    level : float
        Confidence level in (0, 1).
    n_boot : int
        Bootstrap resamples of the runs.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    GrowthFit

    Notes
    -----
    Regret can be negative (a method may beat the best fixed point, e.g.
    on the periodic constructions or by chance on zero-mean losses) or
    flat, where a power law in :math:`R` itself is meaningless.
    The fit is done on the *mean* regret over runs, which is positive in
    every case studied here; when it is not positive over the whole
    window, no exponent is fitted (``method == "not fitted"``) and
    :math:`\bar R(T)/\sqrt T` is what is left to report. Bootstrap
    resamples whose mean is not positive are dropped; if more than 5 %
    are dropped the fit is reported as not fitted.
    A bounded regret gives an exponent near 0, linear regret near 1.
    The checkpoints of one run are strongly correlated, so a
    regression interval (used only for a single run) is too narrow.
    """
    marks = np.asarray(checkpoints)
    if marks.ndim != 1 or not np.issubdtype(marks.dtype, np.integer):
        raise ValueError("checkpoints must be a 1-d array of integer steps")
    if marks.size < 3 or np.any(np.diff(marks) <= 0) or marks[0] < 1:
        raise ValueError("checkpoints must hold >= 3 increasing steps >= 1")
    r = check_finite("regret", regret).astype(np.float64)
    if r.ndim == 1:
        r = r[:, None]
    if r.ndim != 2 or r.shape[0] != marks.size:
        raise ValueError(
            f"regret must have shape ({marks.size}, runs), got {np.shape(regret)}"
        )
    level = check_scalar_in_range("level", level, 0.0, 1.0, low_closed=False)
    n_boot = check_positive_int("n_boot", n_boot)
    last = int(marks[-1])
    start = max(1, last // 100) if t_min is None else int(t_min)
    window = marks >= start
    if window.sum() < 3:
        raise ValueError(
            f"t_min must leave >= 3 checkpoints in the window, got t_min={start}"
        )
    t_w, r_w = marks[window].astype(np.float64), r[window]
    mean = r_w.mean(axis=1)
    runs = r.shape[1]
    final_mean = float(r[-1].mean())
    common = {
        "window": (int(t_w[0]), int(t_w[-1])),
        "final_mean": final_mean,
        "final_over_sqrt": final_mean / math.sqrt(last),
        "nonpositive_fraction": float(np.mean(r[-1] <= 0)),
        "level": level,
    }
    nan = float("nan")
    if np.any(mean <= 0):
        return GrowthFit(nan, nan, nan, "not fitted", **common)  # type: ignore[arg-type]
    log_t = np.log(t_w)
    exponent = float(_slope(log_t, np.log(mean)[:, None])[0])
    if runs == 1 or np.all(r == r[:, :1]):
        # One run, or a deterministic problem whose runs are identical.
        fit = fit_power_law(t_w, mean, level=level)
        return GrowthFit(
            exponent,
            fit.exponent_low,
            fit.exponent_high,
            "regression",
            **common,  # type: ignore[arg-type]
        )
    rng = np.random.default_rng(seed)
    index = rng.integers(0, runs, size=(n_boot, runs))
    boot = r_w[:, index].mean(axis=2)  # (K_w, n_boot)
    positive = np.all(boot > 0, axis=0)
    if positive.mean() < 0.95:
        return GrowthFit(exponent, nan, nan, "not fitted", **common)  # type: ignore[arg-type]
    slopes = _slope(log_t, np.log(boot[:, positive]))
    low, high = np.quantile(slopes, [(1 - level) / 2, (1 + level) / 2])
    return GrowthFit(
        exponent,
        float(low),
        float(high),
        "bootstrap",
        **common,  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------------------
# Premise of the sum bound
# ---------------------------------------------------------------------------


def residual_bound(beta1: ArrayLike, g_inf: ArrayLike) -> Array:
    r"""Sharp bound on :math:`|g_t - m_t|` from :math:`|g_t| \le G_\infty`.

    Parameters
    ----------
    beta1 : float or array_like
        :math:`\beta_1 \in [0, 1)`, the largest momentum of the schedule.
    g_inf : float or array_like
        :math:`G_\infty \ge 0`.

    Returns
    -------
    numpy.ndarray
        :math:`2\beta_1 G_\infty`.

    Notes
    -----
    With the new moment :math:`m_t = \beta_{1,t}m_{t-1} +
    (1-\beta_{1,t})g_t`, the residual is
    :math:`g_t - m_t = \beta_{1,t}(g_t - m_{t-1})`. From :math:`m_0 = 0`,
    :math:`m_{t-1}` is a sub-convex combination of past gradients, so
    :math:`|m_{t-1}| \le G_\infty` and
    :math:`|g_t - m_t| \le 2\beta_{1,t} G_\infty \le 2\beta_1 G_\infty`.
    The bound is approached by a long run of :math:`-G_\infty` followed by
    :math:`+G_\infty`. So :math:`\|g_t - m_t\|_\infty \le G_\infty` follows
    from :math:`\|g_t\|_\infty \le G_\infty` only when
    :math:`\beta_1 \le 1/2`; otherwise it is an extra assumption.
    Since :math:`\hat s_t` is an average of squared residuals with
    weights summing to one (plus ε terms),
    :math:`\sqrt{\hat s_t} \le 2\beta_1 G_\infty` in general.
    """
    b = check_in_range("beta1", beta1, 0.0, 1.0)
    g = check_in_range("g_inf", g_inf, 0.0, np.inf)
    return np.asarray(2.0 * b * g)


# ---------------------------------------------------------------------------
# Right-hand sides of the regret bounds
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RegretBound:
    r"""The terms of a regret bound and their sum.

    Attributes
    ----------
    initial : numpy.ndarray
        The term in :math:`\sqrt T\sum_i \sqrt{q_{T,i}}`.
    gradient : numpy.ndarray
        The term in :math:`\sqrt{1+\log T}\sum_i\|\cdot\|_2`.
    momentum : numpy.ndarray
        The term in :math:`\beta_{1,t}`.
    total : numpy.ndarray
        Their sum (``inf`` if a term is).
    constants : dict of str to float
        The constants used, by name.
    """

    initial: Array
    gradient: Array
    momentum: Array
    total: Array
    constants: dict[str, float]


def _common(
    steps: int, alpha: float, beta1: float, d_inf: float
) -> tuple[int, float, float, float]:
    steps = check_positive_int("steps", steps)
    alpha = check_scalar_in_range("alpha", alpha, 0.0, np.inf, low_closed=False)
    beta1 = check_scalar_in_range("beta1", beta1, 0.0, 1.0)
    d_inf = check_scalar_in_range("d_inf", d_inf, 0.0, np.inf)
    return steps, alpha, beta1, d_inf


def adabelief_regret_bound(
    steps: int,
    *,
    alpha: float,
    beta1: float,
    d_inf: float,
    c: ArrayLike,
    sum_sqrt_s: ArrayLike,
    sum_g2_norm: ArrayLike,
    momentum_sum: ArrayLike,
) -> RegretBound:
    r"""Right-hand side of AdaBelief's convex regret theorem.

    Parameters
    ----------
    steps : int
        Horizon :math:`T`.
    alpha : float
        :math:`\alpha` of :math:`\alpha_t = \alpha/\sqrt t`.
    beta1 : float
        :math:`\beta_1 = \beta_{1,1} \ge \beta_{1,t}`.
    d_inf : float
        :math:`D_\infty \ge \|\theta - \theta'\|_\infty` on :math:`F`.
    c : array_like
        :math:`c > 0` with :math:`s_{t,i} \ge c` for all :math:`t, i`
        (per run: the smallest :math:`\hat s_{t,i}` seen).
    sum_sqrt_s : array_like
        :math:`\sum_i s_{T,i}^{1/2}`.
    sum_g2_norm : array_like
        :math:`\sum_i \|g^2_{1:T,i}\|_2 = \sum_i (\sum_t g_{t,i}^4)^{1/2}`.
    momentum_sum : array_like
        :math:`\sum_{t}\sum_i \beta_{1,t} s_{t,i}^{1/2}/\alpha_t`.

    Returns
    -------
    RegretBound

    Notes
    -----
    The form used, as we read Theorem 2.1 of Zhuang et al. (2020) and its
    proof in the appendix:

    .. math::

        R(T) \le \frac{D_\infty^2\sqrt T}{2\alpha(1-\beta_1)}
                 \sum_{i=1}^d s_{T,i}^{1/2}
               + \frac{(1+\beta_1)\,\alpha\sqrt{1+\log T}}
                      {2\sqrt c\,(1-\beta_1)^3}
                 \sum_{i=1}^d \|g^2_{1:T,i}\|_2
               + \frac{D_\infty^2}{2(1-\beta_1)}\sum_{t=1}^T\sum_{i=1}^d
                 \frac{\beta_{1,t}\, s_{t,i}^{1/2}}{\alpha_t},

    under :math:`\alpha_t = \alpha/\sqrt t`,
    :math:`0 \le \beta_{1,t} \le \beta_1 < 1`, :math:`s_t \le s_{t+1}`
    (which makes :math:`\sqrt{s_t}/\alpha_t` non-decreasing, the property
    the proof actually uses), :math:`s_{t,i} \ge c > 0`,
    :math:`\|\theta - \theta'\|_\infty \le D_\infty` on :math:`F` and
    :math:`\|g_t\|_\infty, \|g_t - m_t\|_\infty \le G_\infty`.

    Uncertainty: this is written from our reading of the paper, not
    copied from it. We are confident about the structure (three terms,
    the :math:`\sqrt T` first term, the :math:`\sqrt{1+\log T}` second
    term, the momentum sum); the second term's norm is of
    :math:`g^2_{1:T,i}` (the sequence of squared gradients), which is
    what makes it dimensionally a loss, and the numerical constants
    :math:`(1+\beta_1)/(2(1-\beta_1)^3)` are as we recall them. The
    quantity :math:`s` is whatever the method divides by; we pass the
    bias-corrected :math:`\hat s` (or its running maximum) as used by the
    implemented method, as the rebuttal does.
    With constant :math:`\beta_{1,t} = \beta_1` the momentum term grows
    like :math:`T^{3/2}`, so the theorem is informative only for a
    decaying schedule such as :math:`\beta_{1,t} = \beta_1\lambda^{t-1}`.
    """
    steps, alpha, beta1, d_inf = _common(steps, alpha, beta1, d_inf)
    c_arr = check_in_range("c", c, 0.0, np.inf)
    if np.any(c_arr == 0):
        warnings.warn(
            "c = 0: the bound's second term is infinite", RuntimeWarning, stacklevel=2
        )
    s = check_in_range("sum_sqrt_s", sum_sqrt_s, 0.0, np.inf)
    g = check_in_range("sum_g2_norm", sum_g2_norm, 0.0, np.inf)
    mom = check_in_range("momentum_sum", momentum_sum, 0.0, np.inf)
    initial = d_inf**2 * math.sqrt(steps) / (2 * alpha * (1 - beta1)) * s
    with np.errstate(divide="ignore"):
        gradient = (
            (1 + beta1)
            * alpha
            * math.sqrt(1 + math.log(steps))
            / (2 * np.sqrt(c_arr) * (1 - beta1) ** 3)
            * g
        )
    momentum = d_inf**2 / (2 * (1 - beta1)) * mom
    constants = {"alpha": alpha, "beta1": beta1, "D_inf": d_inf, "T": float(steps)}
    return RegretBound(
        np.asarray(initial),
        np.asarray(gradient),
        np.asarray(momentum),
        np.asarray(initial + gradient + momentum),
        constants,
    )


def adabelief_corollary_bound(
    steps: int,
    *,
    alpha: float,
    beta1: float,
    decay: float,
    d_inf: float,
    g_inf: ArrayLike,
    c: ArrayLike,
    dim: int,
    sum_sqrt_s: ArrayLike,
    sum_g2_norm: ArrayLike,
) -> RegretBound:
    r"""AdaBelief's bound with :math:`\beta_{1,t} = \beta_1\lambda^{t-1}`.

    The momentum sum of :func:`adabelief_regret_bound` is bounded with
    :math:`s_{t,i}^{1/2} \le G_\infty` and
    :math:`\sum_t \lambda^{t-1}\sqrt t \le 1/(1-\lambda)^2`:

    .. math:: \frac{D_\infty^2}{2(1-\beta_1)}\sum_t\sum_i
              \frac{\beta_1\lambda^{t-1}G_\infty\sqrt t}{\alpha}
              \le \frac{d\,\beta_1 D_\infty^2 G_\infty}
                       {2\alpha(1-\beta_1)(1-\lambda)^2}.

    Notes
    -----
    This is our derivation of the corollary's last term from the theorem
    (as in Reddi et al.'s Corollary 1); the constant printed in Zhuang
    et al.'s Corollary 2.1.1 may group :math:`d` and :math:`\alpha`
    differently. For :math:`\lambda = 1` the term is infinite. It uses
    :math:`\sqrt{s_{t,i}} \le G_\infty`, i.e. the premise
    :math:`\|g_t - m_t\|_\infty \le G_\infty`.
    """
    steps, alpha, beta1, d_inf = _common(steps, alpha, beta1, d_inf)
    lam = float(
        check_in_range("decay", decay, 0.0, 1.0, low_closed=False, high_closed=True)
    )
    g_arr = check_in_range("g_inf", g_inf, 0.0, np.inf)
    dim = check_positive_int("dim", dim)
    base = adabelief_regret_bound(
        steps,
        alpha=alpha,
        beta1=beta1,
        d_inf=d_inf,
        c=c,
        sum_sqrt_s=sum_sqrt_s,
        sum_g2_norm=sum_g2_norm,
        momentum_sum=0.0,
    )
    if lam == 1.0:
        momentum = np.full(np.shape(g_arr), np.inf)
    else:
        momentum = (
            dim * beta1 * d_inf**2 * g_arr / (2 * alpha * (1 - beta1) * (1 - lam) ** 2)
        )
    constants = dict(base.constants, decay=lam)
    return RegretBound(
        base.initial,
        base.gradient,
        np.asarray(momentum),
        np.asarray(base.initial + base.gradient + momentum),
        constants,
    )


def amsgrad_regret_bound(
    steps: int,
    *,
    alpha: float,
    beta1: float,
    beta2: float,
    d_inf: float,
    sum_sqrt_v: ArrayLike,
    sum_g_norm: ArrayLike,
    momentum_sum: ArrayLike,
) -> RegretBound:
    r"""Right-hand side of AMSGrad's regret theorem (Reddi et al. 2018, Thm 4).

    .. math::

        R(T) \le \frac{D_\infty^2\sqrt T}{\alpha(1-\beta_1)}
                 \sum_i \hat v_{T,i}^{1/2}
               + \frac{D_\infty^2}{2(1-\beta_1)}\sum_t\sum_i
                 \frac{\beta_{1,t}\hat v_{t,i}^{1/2}}{\alpha_t}
               + \frac{\alpha\sqrt{1+\log T}}
                      {(1-\beta_1)^2(1-\gamma)\sqrt{1-\beta_2}}
                 \sum_i \|g_{1:T,i}\|_2,

    with :math:`\gamma = \beta_1/\sqrt{\beta_2} < 1`,
    :math:`\alpha_t = \alpha/\sqrt t`, :math:`\hat v_t` the running
    maximum, and the same :math:`D_\infty, G_\infty` assumptions. Written
    from our reading of the paper; the structure is certain, the
    constants are as we recall them.

    Parameters
    ----------
    sum_sqrt_v : array_like
        :math:`\sum_i \hat v_{T,i}^{1/2}`.
    sum_g_norm : array_like
        :math:`\sum_i \|g_{1:T,i}\|_2`.
    momentum_sum : array_like
        :math:`\sum_t\sum_i \beta_{1,t}\hat v_{t,i}^{1/2}/\alpha_t`.
    """
    steps, alpha, beta1, d_inf = _common(steps, alpha, beta1, d_inf)
    beta2 = check_scalar_in_range("beta2", beta2, 0.0, 1.0, low_closed=False)
    gamma = beta1 / math.sqrt(beta2)
    if gamma >= 1:
        raise ValueError(
            f"beta1 / sqrt(beta2) must lie in [0, 1), got {gamma:g} "
            f"(beta1={beta1}, beta2={beta2})"
        )
    v = check_in_range("sum_sqrt_v", sum_sqrt_v, 0.0, np.inf)
    g = check_in_range("sum_g_norm", sum_g_norm, 0.0, np.inf)
    mom = check_in_range("momentum_sum", momentum_sum, 0.0, np.inf)
    initial = d_inf**2 * math.sqrt(steps) / (alpha * (1 - beta1)) * v
    momentum = d_inf**2 / (2 * (1 - beta1)) * mom
    gradient = (
        alpha
        * math.sqrt(1 + math.log(steps))
        / ((1 - beta1) ** 2 * (1 - gamma) * math.sqrt(1 - beta2))
        * g
    )
    constants = {
        "alpha": alpha,
        "beta1": beta1,
        "beta2": beta2,
        "gamma": gamma,
        "D_inf": d_inf,
        "T": float(steps),
    }
    return RegretBound(
        np.asarray(initial),
        np.asarray(gradient),
        np.asarray(momentum),
        np.asarray(initial + gradient + momentum),
        constants,
    )
