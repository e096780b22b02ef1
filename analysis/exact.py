r"""Exact-arithmetic moment recursions and the sign of :math:`v_t - m_t^2`.

The moving averages of Adam (Kingma & Ba 2015) and AdaBelief (Zhuang et
al. 2020) are followed step by step over rational numbers
(:class:`fractions.Fraction`) or sympy expressions, so that no rounding
can decide the sign of the centred quantity

.. math:: c_t = v_t - m_t^2 \quad\text{or}\quad
          \hat c_t = \hat v_t - \hat m_t^2,

the square of the denominator of the centred methods (centred RMSprop,
Graves 2013; SDProp, Ida et al. 2017).

With :math:`m_0 = v_0 = 0` the moments are weighted sums,
:math:`m_t = \sum_k a_k g_k` and :math:`v_t = \sum_k b_k g_k^2` with
:math:`a_k = (1-\beta_1)\beta_1^{t-k}` and
:math:`b_k = (1-\beta_2)\beta_2^{t-k}` (divided by :math:`1-\beta_1^t`
and :math:`1-\beta_2^t` after bias correction). Hence :math:`c_t` is the
quadratic form :math:`g^\top(\operatorname{diag}(b) - a a^\top)g`, and
for positive :math:`b`

.. math:: \min_{g \ne 0} \frac{v_t - m_t^2}{v_t}
          = 1 - \sum_{k=1}^t \frac{a_k^2}{b_k},

attained at :math:`g_k = a_k / b_k` (the largest generalised eigenvalue
of :math:`a a^\top` against :math:`\operatorname{diag}(b)` is
:math:`a^\top \operatorname{diag}(b)^{-1} a`).
:func:`worst_case_ratio` returns :math:`S_t = \sum_k a_k^2/b_k`:
:math:`v_t - m_t^2` can be negative for some gradients if and only if
:math:`S_t > 1`.

* :math:`\beta_1 = \beta_2 = \beta`: :math:`S_t = \sum_k a_k = 1-\beta^t`
  without correction and :math:`S_t = 1` with it, so the centred
  quantity is never negative; with correction it is the weighted
  variance :math:`\sum_k p_k (g_k - \hat m_t)^2`,
  :math:`p_k = a_k/(1-\beta^t)`.
* :math:`\beta_1 \ne \beta_2`, with correction: the normalised weights
  :math:`p \ne q` differ for :math:`t \ge 2`, and
  :math:`S_t = 1 + \chi^2(p\,\|\,q) > 1`, so some gradients make
  :math:`\hat v_t - \hat m_t^2 < 0`.

Inputs may be integers, :class:`~fractions.Fraction`, floats (converted
exactly, so ``0.9`` is the binary double nearest 0.9; pass
``Fraction("0.9")`` for the decimal) or sympy expressions (kept symbolic,
not range-checked).

References
----------
Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015.
Zhuang et al., "AdaBelief Optimizer: Adapting Stepsizes by the Belief in
Observed Gradients", NeurIPS 2020.
Graves, "Generating Sequences With Recurrent Neural Networks", 2013.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable, Sequence
from fractions import Fraction
from numbers import Rational
from typing import Any

import sympy as sp

__all__ = [
    "ExactMoments",
    "NegativeExample",
    "centered_gap",
    "ema_weights",
    "exact_moments",
    "smallest_negative_example",
    "worst_case_gradients",
    "worst_case_ratio",
]

Number = int | float | Fraction | Rational


@dataclasses.dataclass(frozen=True)
class ExactMoments:
    r"""The moments of Adam and AdaBelief after each step, exactly.

    Every attribute is a tuple of length :math:`T`, entry ``t - 1``
    holding the value after step ``t``; entries are
    :class:`~fractions.Fraction` or sympy expressions.

    Attributes
    ----------
    m, v : tuple
        Raw moments :math:`m_t`, :math:`v_t` of Adam.
    m_hat, v_hat : tuple
        Bias-corrected :math:`m_t/(1-\beta_1^t)`, :math:`v_t/(1-\beta_2^t)`.
    s : tuple
        AdaBelief's :math:`s_t` (no ε, the residual with the new
        :math:`m_t`), computed with :math:`\beta_2`.
    s_hat : tuple
        :math:`s_t / (1-\beta_2^t)`.
    """

    m: tuple[Any, ...]
    v: tuple[Any, ...]
    m_hat: tuple[Any, ...]
    v_hat: tuple[Any, ...]
    s: tuple[Any, ...]
    s_hat: tuple[Any, ...]


@dataclasses.dataclass(frozen=True)
class NegativeExample:
    r"""A gradient sequence whose centred quantity ends negative.

    Attributes
    ----------
    beta1, beta2 : Fraction
        The decay rates.
    gradients : tuple of Fraction
        :math:`g_1, \dots, g_t`.
    bias_correction : bool
        Whether the gap is :math:`\hat v_t - \hat m_t^2` or
        :math:`v_t - m_t^2`.
    gap : Fraction
        Its value at the last step, negative.
    """

    beta1: Fraction
    beta2: Fraction
    gradients: tuple[Fraction, ...]
    bias_correction: bool
    gap: Fraction

    @property
    def t(self) -> int:
        """The step at which the gap is negative."""
        return len(self.gradients)


def _exact(name: str, value: Any) -> Any:
    """Return ``value`` as a Fraction (sympy expressions pass unchanged)."""
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | Rational):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return Fraction(value)


def _beta(name: str, value: Any) -> Any:
    beta = _exact(name, value)
    if not isinstance(beta, sp.Basic) and not 0 <= beta < 1:
        raise ValueError(f"{name} must lie in [0, 1), got {value!r}")
    return beta


def _steps(name: str, t: int) -> int:
    if isinstance(t, bool) or not isinstance(t, int) or t < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {t!r}")
    return t


def ema_weights(
    beta: Number, t: int, *, bias_correction: bool = True
) -> tuple[Fraction, ...]:
    r"""Weights of :math:`g_1, \dots, g_t` in an exponential moving average.

    Parameters
    ----------
    beta : number
        Decay rate :math:`\beta \in [0, 1)`.
    t : int
        Step :math:`t \ge 1`.
    bias_correction : bool
        Divide by :math:`1 - \beta^t`, so the weights sum to one.

    Returns
    -------
    tuple of Fraction
        :math:`(1-\beta)\beta^{t-k}` for :math:`k = 1, \dots, t`
        (:math:`0^0 = 1`), over :math:`1-\beta^t` with correction.
    """
    b: Fraction = _beta("beta", beta)
    t = _steps("t", t)
    weights = [(1 - b) * b ** (t - k) for k in range(1, t + 1)]
    if bias_correction:
        total = 1 - b**t
        weights = [w / total for w in weights]
    return tuple(weights)


def exact_moments(g: Sequence[Any], beta1: Any, beta2: Any) -> ExactMoments:
    r"""Run the recursions of Adam and AdaBelief without rounding.

    Parameters
    ----------
    g : sequence
        Gradients :math:`g_1, \dots, g_T` of one coordinate (numbers or
        sympy expressions), :math:`T \ge 1`.
    beta1, beta2 : number or sympy expression
        Constant decay rates in :math:`[0, 1)`.

    Returns
    -------
    ExactMoments

    Notes
    -----
    From :math:`m_0 = v_0 = s_0 = 0`:

    .. math::

        m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \\
        s_t &= \beta_2 s_{t-1} + (1-\beta_2)(g_t - m_t)^2,

    the equations of Kingma & Ba (2015) and of Zhuang et al. (2020) with
    ε = 0 and constant :math:`\beta_1`. This is the slow twin of the
    floating-point rules of :mod:`analysis.optimizers`.
    """
    b1, b2 = _beta("beta1", beta1), _beta("beta2", beta2)
    grads = [_exact("g", x) for x in g]
    if not grads:
        raise ValueError("g must hold at least one gradient")
    m = v = s = Fraction(0)
    out: dict[str, list[Any]] = {k: [] for k in ("m", "v", "mh", "vh", "s", "sh")}
    for t, gt in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * gt
        v = b2 * v + (1 - b2) * gt * gt
        s = b2 * s + (1 - b2) * (gt - m) ** 2
        out["m"].append(m)
        out["v"].append(v)
        out["s"].append(s)
        out["mh"].append(m / (1 - b1**t))
        out["vh"].append(v / (1 - b2**t))
        out["sh"].append(s / (1 - b2**t))
    return ExactMoments(
        tuple(out["m"]),
        tuple(out["v"]),
        tuple(out["mh"]),
        tuple(out["vh"]),
        tuple(out["s"]),
        tuple(out["sh"]),
    )


def centered_gap(
    g: Sequence[Any], beta1: Any, beta2: Any, *, bias_correction: bool = True
) -> tuple[Any, ...]:
    r"""Return :math:`\hat v_t - \hat m_t^2` (or :math:`v_t - m_t^2`) for each t.

    Parameters
    ----------
    g : sequence
        Gradients :math:`g_1, \dots, g_T`, :math:`T \ge 1`.
    beta1, beta2 : number or sympy expression
        Decay rates in :math:`[0, 1)`.
    bias_correction : bool
        Use the bias-corrected moments (as :class:`CenteredAdam` does by
        default) or the raw ones.

    Returns
    -------
    tuple
        The exact gap after each step.
    """
    moments = exact_moments(g, beta1, beta2)
    if bias_correction:
        pairs = zip(moments.m_hat, moments.v_hat, strict=True)
    else:
        pairs = zip(moments.m, moments.v, strict=True)
    return tuple(v - m * m for m, v in pairs)


def worst_case_ratio(
    beta1: Number, beta2: Number, t: int, *, bias_correction: bool = True
) -> Fraction:
    r"""Return :math:`S_t = \sum_k a_k^2 / b_k` for the weights at step t.

    :math:`1 - S_t` is the smallest value of
    :math:`(v_t - m_t^2)/v_t` over all non-zero gradient sequences, so the
    centred quantity can be negative if and only if :math:`S_t > 1`.

    Parameters
    ----------
    beta1, beta2 : number
        Decay rates; :math:`\beta_1 \in [0, 1)`, :math:`\beta_2 \in (0, 1)`
        (with :math:`\beta_2 = 0` the weights of the older gradients
        vanish and the ratio is unbounded for :math:`t \ge 2`).
    t : int
        Step :math:`t \ge 1`.
    bias_correction : bool
        Use the normalised weights :math:`p_k, q_k`.

    Returns
    -------
    Fraction

    Notes
    -----
    See the module docstring: :math:`\max_g (a^\top g)^2 /
    (g^\top \operatorname{diag}(b) g) = a^\top \operatorname{diag}(b)^{-1}
    a` by the Cauchy–Schwarz inequality.
    """
    b2 = _beta("beta2", beta2)
    if b2 == 0:
        raise ValueError(f"beta2 must lie in (0, 1), got {beta2!r}")
    a = ema_weights(beta1, t, bias_correction=bias_correction)
    b = ema_weights(b2, t, bias_correction=bias_correction)
    return sum((x * x / y for x, y in zip(a, b, strict=True)), Fraction(0))


def worst_case_gradients(
    beta1: Number, beta2: Number, t: int, *, bias_correction: bool = True
) -> tuple[Fraction, ...]:
    r"""Return the gradients :math:`g_k = a_k/b_k` that attain the minimum.

    They minimise :math:`(v_t - m_t^2)/v_t`, whose value there is
    :math:`1 - S_t` (:func:`worst_case_ratio`); any positive multiple does
    as well. Arguments as in :func:`worst_case_ratio`.
    """
    b2 = _beta("beta2", beta2)
    if b2 == 0:
        raise ValueError(f"beta2 must lie in (0, 1), got {beta2!r}")
    a = ema_weights(beta1, t, bias_correction=bias_correction)
    b = ema_weights(b2, t, bias_correction=bias_correction)
    return tuple(x / y for x, y in zip(a, b, strict=True))


def _height(x: Fraction) -> int:
    return max(abs(x.numerator), x.denominator)


def smallest_negative_example(
    beta_pairs: Iterable[tuple[Number, Number]],
    values: Iterable[Number],
    max_t: int,
    *,
    bias_correction: bool = True,
) -> NegativeExample | None:
    r"""Search exhaustively for the smallest sequence with a negative gap.

    Candidates are ordered by the step :math:`t` first, then by the height
    :math:`\max(|p|, q)` of the decay rates :math:`p/q` (the larger of the
    two), then by the largest :math:`|g_k|`, then lexicographically (a
    positive value before its negative). The first candidate whose gap at
    step :math:`t` is negative is returned.

    Parameters
    ----------
    beta_pairs : iterable of (beta1, beta2)
        Decay rates to try, each in :math:`[0, 1)`.
    values : iterable of numbers
        Values each gradient may take (at least one).
    max_t : int
        Longest sequence tried, :math:`\ge 1`.
    bias_correction : bool
        Search for :math:`\hat v_t - \hat m_t^2 < 0` or
        :math:`v_t - m_t^2 < 0`.

    Returns
    -------
    NegativeExample or None
        ``None`` when no candidate is negative.

    Notes
    -----
    The search visits :math:`|\text{values}|^t` sequences per pair and
    step; keep ``values`` and ``max_t`` small. Only the gap at the last
    step is tested, since a shorter prefix was tried at a smaller
    :math:`t`.
    """
    pairs = [(_beta("beta1", b1), _beta("beta2", b2)) for b1, b2 in beta_pairs]
    if not pairs:
        raise ValueError("beta_pairs must hold at least one pair")
    grid = sorted({_exact("values", x) for x in values}, key=lambda x: (abs(x), -x))
    if not grid:
        raise ValueError("values must hold at least one value")
    max_t = _steps("max_t", max_t)
    pairs.sort(key=lambda p: (max(_height(p[0]), _height(p[1])), p))

    for t in range(1, max_t + 1):
        sequences = sorted(
            itertools.product(grid, repeat=t),
            key=lambda s: (max(abs(x) for x in s), [(abs(x), -x) for x in s]),
        )
        for b1, b2 in pairs:
            for seq in sequences:
                gap = centered_gap(seq, b1, b2, bias_correction=bias_correction)[-1]
                if gap < 0:
                    return NegativeExample(b1, b2, tuple(seq), bias_correction, gap)
    return None
