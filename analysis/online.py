r"""Online convex loss families beyond linear losses, and a projection switch.

The families here complete :mod:`analysis.problems` for the regret
experiments. Each is a :class:`analysis.problems.Problem` with a
closed-form comparator in hindsight that keeps memory flat in :math:`T`:
the sufficient statistic accumulated by
:func:`analysis.simulation.simulate` has one number per run and
coordinate.

:class:`OnlineQuadratic`
    :math:`f_t(x) = \tfrac12\|x - z_t\|^2` with i.i.d. targets
    :math:`z_t`; the statistic is :math:`\sum_t z_t`.
:class:`OnlineAbsolute`
    :math:`f_t(x) = \sum_i |x_i - z_{t,i}|` with two-point targets; the
    statistic is :math:`\sum_t z_t`, from which the counts of the two
    values are recovered exactly.
:func:`reddi_stochastic` and :func:`reddi_synthetic`
    Reddi, Kale & Kumar's stochastic construction and the synthetic
    problem of their experiments, as :class:`~analysis.problems.OnlineLinear`
    problems with two-point coefficients.
:class:`EuclideanProjection`
    wraps an update rule so that the projection is Euclidean instead of
    weighted, to show where the two differ.

References
----------
Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018.
Zinkevich, "Online Convex Programming and Generalized Infinitesimal
Gradient Ascent", ICML 2003.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from analysis._validation import check_scalar_in_range
from analysis.optimizers import UpdateRule
from analysis.problems import LawDriven, OnlineLinear, TwoPoint
from analysis.projections import Box, Domain

__all__ = [
    "EuclideanProjection",
    "OnlineAbsolute",
    "OnlineQuadratic",
    "reddi_stochastic",
    "reddi_synthetic",
]

Array = NDArray[np.float64]


class OnlineQuadratic(LawDriven):
    r"""Online quadratic losses :math:`f_t(x) = \tfrac12\|x - z_t\|^2`.

    The targets :math:`z_t` are i.i.d. draws of a gradient law (any
    :class:`~analysis.problems.GradientLaw`; a :class:`TwoPoint` law keeps
    the gradients bounded).

    Parameters
    ----------
    law : GradientLaw
        Law of the targets :math:`z_t`.

    Notes
    -----
    The gradient is :math:`x - z_t`.
    :meth:`loss` returns :math:`\tfrac12\|x\|^2 - \langle z_t, x\rangle`,
    which differs from :math:`\tfrac12\|x - z_t\|^2` by
    :math:`\tfrac12\|z_t\|^2`, a term that does not depend on :math:`x`:
    the iterates, the gradients and the regret are those of
    :math:`\tfrac12\|x - z_t\|^2`, and the statistic stays one number
    per coordinate.
    With :math:`\bar z = \frac1T\sum_t z_t`,

    .. math:: \sum_{t\le T} f_t(x) = \tfrac{T}{2}\|x - \bar z\|^2 + \text{const},

    so the best point in hindsight is the Euclidean projection
    :math:`x^* = \Pi_F(\bar z)` (exact on boxes and balls) and the
    comparator is :math:`T(\tfrac12\|x^*\|^2 - \langle \bar z, x^*\rangle)`.
    The losses are 1-strongly convex, so methods that exploit strong
    convexity can reach :math:`O(\log T)` regret.
    """

    def gradient(self, theta: Array, data: Array | None, t: int) -> Array:
        r"""Return :math:`\theta - z_t`."""
        assert data is not None
        return theta - data

    def loss(self, theta: Array, data: Array | None, t: int) -> Array:
        r"""Return :math:`\tfrac12\|\theta\|^2 - \langle z_t, \theta\rangle`."""
        assert data is not None
        return np.sum(0.5 * theta * theta - data * theta, axis=-1)

    def hindsight_statistic(self, data: Array | None, t: int) -> Array:
        """Per-step term :math:`z_t` of :math:`\\sum_t z_t`."""
        assert data is not None
        return data

    def hindsight_minimum(self, statistic: Array, steps: int, domain: Domain) -> Array:
        r""":math:`T\min_{x\in F}(\tfrac12\|x\|^2 - \langle\bar z, x\rangle)`."""
        z_bar = np.asarray(statistic, dtype=np.float64) / steps
        x = domain.project(z_bar)
        return steps * np.sum(0.5 * x * x - z_bar * x, axis=-1)

    def __repr__(self) -> str:
        return f"OnlineQuadratic({self.law!r})"


class OnlineAbsolute(LawDriven):
    r"""Online absolute losses :math:`f_t(x) = \sum_i |x_i - z_{t,i}|`.

    The targets take two values per coordinate, ``low`` (:math:`a`) and
    ``high`` (:math:`b`), with :math:`P(z = b) = p`.

    Parameters
    ----------
    law : TwoPoint
        Law of the targets (``high != low`` in every coordinate).

    Notes
    -----
    The gradient is :math:`\operatorname{sign}(x - z_t)` (0 at the kink),
    so :math:`\|g_t\|_\infty \le 1`.
    Per coordinate, with :math:`n_b` the number of steps with
    :math:`z_t = b` and :math:`n_a = T - n_b`,

    .. math:: \sum_{t \le T} |x - z_t| = n_a |x - a| + n_b |x - b|,

    a convex piecewise-linear function minimized at a weighted median of
    :math:`\{a, b\}`; over an interval :math:`[l, u]` its minimum is
    attained at :math:`\operatorname{clip}(a)` or
    :math:`\operatorname{clip}(b)`, the two candidates compared here.
    The count is recovered from the accumulated :math:`S = \sum_t z_t`
    as :math:`n_b = (S - T a)/(b - a)`, rounded to the nearest integer,
    so memory stays one number per coordinate (exact while the rounding
    error of :math:`S` is below half a unit, i.e. far beyond
    :math:`T = 10^9` for targets of order one).
    A law with :math:`K` points would need :math:`K - 1` counts per
    coordinate, which the one-number-per-coordinate statistic of
    :func:`~analysis.simulation.simulate` cannot hold; hence two points.
    The comparator is closed form on a :class:`~analysis.projections.Box`
    (the loss is separable); other domains raise
    :class:`NotImplementedError`.
    """

    def __init__(self, law: TwoPoint) -> None:
        if not isinstance(law, TwoPoint):
            raise ValueError(f"law must be a TwoPoint law, got {type(law).__name__}")
        if np.any(law.high == law.low):
            raise ValueError("law must have high != low in every coordinate")
        super().__init__(law)
        self.law: TwoPoint = law

    def gradient(self, theta: Array, data: Array | None, t: int) -> Array:
        r"""Return :math:`\operatorname{sign}(\theta - z_t)`."""
        assert data is not None
        return np.sign(theta - data)

    def loss(self, theta: Array, data: Array | None, t: int) -> Array:
        r"""Return :math:`\sum_i |\theta_i - z_{t,i}|`."""
        assert data is not None
        return np.sum(np.abs(theta - data), axis=-1)

    def hindsight_statistic(self, data: Array | None, t: int) -> Array:
        """Per-step term :math:`z_t` of :math:`\\sum_t z_t`."""
        assert data is not None
        return data

    def counts(self, statistic: ArrayLike, steps: int) -> tuple[Array, Array]:
        r"""Return :math:`(n_a, n_b)` per coordinate from :math:`\sum_t z_t`."""
        a, b = self.law.low, self.law.high
        n_b = np.rint((np.asarray(statistic, dtype=np.float64) - steps * a) / (b - a))
        return steps - n_b, n_b

    def hindsight_minimum(self, statistic: Array, steps: int, domain: Domain) -> Array:
        r""":math:`\min_{x\in F}\sum_t\sum_i |x_i - z_{t,i}|` on a box."""
        if not isinstance(domain, Box):
            raise NotImplementedError(
                "the comparator of absolute losses is implemented on a Box only"
            )
        n_a, n_b = self.counts(statistic, steps)
        a, b = self.law.low, self.law.high
        best = np.full(np.shape(n_a), np.inf)
        for point in (a, b):
            x = np.clip(point, domain.lower, domain.upper)
            value = n_a * np.abs(x - a) + n_b * np.abs(x - b)
            best = np.minimum(best, value)
        return np.sum(best, axis=-1)

    def __repr__(self) -> str:
        return f"OnlineAbsolute({self.law!r})"


def reddi_stochastic(C: float, delta: float, dim: int = 1) -> OnlineLinear:
    r"""Reddi, Kale & Kumar's stochastic construction (2018, Theorem 3).

    :math:`f_t(x) = Cx` with probability :math:`p = (1+\delta)/(C+1)`
    and :math:`-x` otherwise, on :math:`F = [-1, 1]`; the expected loss
    is :math:`\delta x`, minimized at :math:`x = -1`.

    Parameters
    ----------
    C : float
        The large coefficient, :math:`C > 1 + \delta`.
    delta : float
        Mean of the coefficient, :math:`\delta \in (0, C - 1)`.
    dim : int
        Number of i.i.d. coordinates.
    """
    C = check_scalar_in_range("C", C, 1.0, np.inf, low_closed=False)
    delta = check_scalar_in_range("delta", delta, 0.0, C - 1.0, low_closed=False)
    return OnlineLinear(TwoPoint(C, -1.0, (1.0 + delta) / (C + 1.0), dim=dim))


def reddi_synthetic(dim: int = 1) -> OnlineLinear:
    r"""The synthetic problem of Reddi, Kale & Kumar's experiments.

    :math:`f_t(x) = 1010x` with probability 0.01 and :math:`-10x`
    otherwise, on :math:`F = [-1, 1]`; the expected loss is :math:`0.2x`,
    minimized at :math:`x = -1`.
    """
    return OnlineLinear(TwoPoint(1010.0, -10.0, 0.01, dim=dim))


@dataclasses.dataclass(frozen=True, init=False)
class EuclideanProjection(UpdateRule):
    r"""Run a rule with the Euclidean projection instead of its weighted one.

    Parameters
    ----------
    rule : UpdateRule
        The wrapped rule; its steps and state are unchanged.

    Notes
    -----
    The wrapped rule's update gives :math:`(\delta_t, w_t)`; this wrapper
    returns :math:`(\delta_t, \text{None})`, so the simulator projects
    with :math:`\Pi_F` instead of :math:`\Pi_{F,\operatorname{diag}(w_t)}`.
    On a box the two coincide (the weighted projection is the clip for
    every positive weight); on an :math:`\ell_2` ball they differ when the
    weights differ across coordinates. The regret proofs of AMSGrad and
    AdaBelief use the weighted one.
    The inherited ``lr`` and ``lr_schedule`` fields mirror the wrapped
    rule's.
    """

    rule: UpdateRule | None = None

    label: ClassVar[str] = "Euclidean"

    def __init__(self, rule: UpdateRule) -> None:
        if not isinstance(rule, UpdateRule):
            raise ValueError(f"rule must be an UpdateRule, got {type(rule).__name__}")
        object.__setattr__(self, "rule", rule)
        object.__setattr__(self, "lr", rule.lr)
        object.__setattr__(self, "lr_schedule", rule.lr_schedule)
        super().__post_init__()

    @property
    def name(self) -> str:
        """The wrapped rule's name with ``" (Euclidean)"``."""
        assert self.rule is not None
        return f"{self.rule.name} (Euclidean)"

    def init(self, shape: tuple[int, ...], dtype: DTypeLike = np.float64) -> Any:
        """Return the wrapped rule's initial state."""
        assert self.rule is not None
        return self.rule.init(shape, dtype)

    def update(self, state: Any, g: ArrayLike) -> tuple[Any, None, Any]:
        """Advance the wrapped rule one step and drop its weights."""
        assert self.rule is not None
        delta, _, new = self.rule.update(state, g)
        return delta, None, new
