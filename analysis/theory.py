r"""Closed-form moments of the optimizers' statistics under stationary
gradients, derived with sympy.

Setting: gradients :math:`g_1, g_2, \dots` i.i.d. with mean :math:`\mu`
and variance :math:`\sigma^2` (one coordinate; coordinates are handled
independently), constant :math:`\beta_1, \beta_2 \in [0, 1)`, moments
started at zero, no :math:`\epsilon`.

With :math:`m_t = (1-\beta_1)\sum_{k\le t}\beta_1^{t-k} g_k`:

* :math:`\mathbb E\, m_t = \mu(1-\beta_1^t)`, so the uncorrected bias is
  :math:`-\beta_1^t \mu` and :math:`\mathbb E\,\hat m_t = \mu`;
* :math:`\mathbb E\,\hat v_t = \mu^2 + \sigma^2` for every :math:`t \ge 1`;
* AdaBelief's residual :math:`r_t = g_t - m_t = \beta_1 g_t -
  (1-\beta_1)\sum_{k<t}\beta_1^{t-k} g_k` has

  .. math:: \mathbb E\, r_t = \beta_1^t \mu, \qquad
            \operatorname{Var} r_t = \sigma^2 \beta_1^2
            \Bigl[1 + \tfrac{1-\beta_1}{1+\beta_1}
            \bigl(1 - \beta_1^{2(t-1)}\bigr)\Bigr],

  so :math:`\mathbb E\,\hat s_t = \frac{1-\beta_2}{1-\beta_2^t}
  \sum_{k\le t} \beta_2^{t-k}\, \mathbb E\, r_k^2`, whose limit is
  :math:`\frac{2\beta_1^2}{1+\beta_1}\sigma^2`, not :math:`\sigma^2`.

Every function below returns a sympy expression built by summing the
recursions symbolically (:func:`sympy.summation`), not by typing in the
results above; the tests compare them with these formulas, with exact
recursions on rational numbers and with Monte Carlo.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "SYMBOLS",
    "adabelief_s_hat_mean",
    "adabelief_s_limit",
    "adam_m_hat_variance",
    "adam_m_mean",
    "adam_v_hat_mean",
    "adam_v_mean",
    "evaluate",
    "residual_mean",
    "residual_variance",
]

mu, sigma2 = sp.symbols("mu sigma2", real=True)
beta1, beta2 = sp.symbols("beta1 beta2", positive=True)
t, k, j = sp.symbols("t k j", integer=True, positive=True)

#: The symbols used by every expression of this module.
SYMBOLS: dict[str, sp.Symbol] = {
    "mu": mu,
    "sigma2": sigma2,
    "beta1": beta1,
    "beta2": beta2,
    "t": t,
}


def _generic(expr: sp.Expr) -> sp.Expr:
    r"""Keep the generic branch of the Piecewise results of geometric sums.

    sympy splits :math:`\sum_k q^k` into the cases :math:`q = 1` and
    :math:`q \ne 1`; here :math:`\beta_1, \beta_2 \in [0, 1)`, so only
    the last ("otherwise") branch applies. It is singular where
    :math:`\beta_2 = \beta_1^2` (a removable singularity of the sums).
    """
    return expr.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[-1][0])


def _sum(term: sp.Expr, var: sp.Symbol, upper: sp.Expr) -> sp.Expr:
    r""":math:`\sum_{var=1}^{upper} term`, in closed form."""
    return _generic(sp.summation(term, (var, 1, upper)))


def _ema_weights_sum(beta: sp.Expr, f: sp.Expr, var: sp.Symbol) -> sp.Expr:
    r""":math:`(1-\beta)\sum_{k=1}^{t} \beta^{t-k} f(k)`, summed in closed
    form."""
    return (1 - beta) * _sum(sp.expand(beta ** (t - var) * f), var, t)


@functools.cache
def adam_m_mean() -> sp.Expr:
    r""":math:`\mathbb E\, m_t` for i.i.d. gradients of mean :math:`\mu`."""
    # Expanded, so that no beta1**(-t) appears (it overflows at large t).
    return sp.expand(sp.simplify(_ema_weights_sum(beta1, mu, k)))


@functools.cache
def adam_v_mean() -> sp.Expr:
    r""":math:`\mathbb E\, v_t` (uncorrected)."""
    return sp.expand(sp.simplify(_ema_weights_sum(beta2, mu**2 + sigma2, k)))


@functools.cache
def adam_v_hat_mean() -> sp.Expr:
    r""":math:`\mathbb E\,\hat v_t = \mathbb E\, v_t/(1-\beta_2^t)`."""
    return sp.simplify(adam_v_mean() / (1 - beta2**t))


@functools.cache
def adam_m_hat_variance() -> sp.Expr:
    r""":math:`\operatorname{Var}\hat m_t` (independent terms add)."""
    weights_sq = _sum(beta1 ** (2 * (t - k)), k, t)
    var_m = (1 - beta1) ** 2 * sigma2 * weights_sq
    return sp.simplify(var_m / (1 - beta1**t) ** 2)


@functools.cache
def residual_mean() -> sp.Expr:
    r""":math:`\mathbb E\,(g_t - m_t)` with :math:`m_t` including
    :math:`g_t`."""
    # r_t = beta1 g_t - (1 - beta1) sum_{k<t} beta1^(t-k) g_k
    past = (1 - beta1) * _sum(beta1 ** (t - k), k, t - 1)
    return sp.simplify(beta1 * mu - past * mu)


@functools.cache
def residual_variance() -> sp.Expr:
    r""":math:`\operatorname{Var}(g_t - m_t)`."""
    past = (1 - beta1) ** 2 * _sum(beta1 ** (2 * (t - k)), k, t - 1)
    return sp.simplify(sigma2 * (beta1**2 + past))


@functools.cache
def adabelief_s_hat_mean() -> sp.Expr:
    r""":math:`\mathbb E\,\hat s_t`, the bias-corrected EMA of
    :math:`\mathbb E\,(g_k - m_k)^2` over :math:`k \le t`."""
    second = residual_mean() ** 2 + residual_variance()
    term = second.subs(t, j)
    s_mean = _ema_weights_sum(beta2, term, j)
    return sp.factor(sp.simplify(s_mean / (1 - beta2**t)))


@functools.cache
def adabelief_s_limit() -> sp.Expr:
    r""":math:`\lim_{t\to\infty} \mathbb E\,\hat s_t`."""
    # beta1**t -> 0 and beta2**t -> 0 as t -> oo since both lie in [0, 1).
    decay = {beta1**t: 0, beta2**t: 0, beta1 ** (2 * t): 0}
    limit = adabelief_s_hat_mean().subs(decay)
    return sp.factor(sp.simplify(limit))


def evaluate(expr: sp.Expr, **values: ArrayLike) -> NDArray[np.float64]:
    """Evaluate an expression of this module numerically, with broadcasting.

    Parameters
    ----------
    expr : sympy.Expr
        An expression in the symbols of :data:`SYMBOLS`.
    **values : array_like
        A value for every free symbol of ``expr``, by name.

    Returns
    -------
    numpy.ndarray
        The values, broadcast over all the given inputs (including those
        the expression does not depend on), in float64.

    Raises
    ------
    ValueError
        If a free symbol has no value.
    """
    names = sorted(str(s) for s in expr.free_symbols)
    missing = [n for n in names if n not in values]
    if missing:
        raise ValueError(f"values must give {missing} for this expression")
    unknown = sorted(set(values) - set(SYMBOLS))
    if unknown:
        raise ValueError(f"values has unknown names {unknown}; known {list(SYMBOLS)}")
    arrays = {n: np.asarray(v, dtype=np.float64) for n, v in values.items()}
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    fn = _lambdify(expr, tuple(names))
    result = fn(*(arrays[n] for n in names))
    return np.broadcast_to(np.asarray(result, dtype=np.float64), shape).copy()


@functools.cache
def _lambdify(expr: sp.Expr, names: tuple[str, ...]) -> Callable[..., Any]:
    return sp.lambdify([SYMBOLS[n] for n in names], expr, modules="numpy")
