"""Exact weighted projections onto the feasible sets of online optimizers.

Online convex optimization algorithms with diagonal preconditioners
(AdaGrad, AMSGrad, AdaBelief) keep their iterates in a convex feasible set
``F`` through the weighted projection

.. math::

    \\Pi_{F, \\mathrm{diag}(w)}(y)
        = \\operatorname*{argmin}_{x \\in F} \\sum_i w_i (x_i - y_i)^2 ,

with positive weights ``w`` (the square root of the second-moment estimate,
``sqrt(s_t)`` in AdaBelief).  The regret analyses use two more properties of
``F``: the value of a linear loss minimized over ``F`` (the comparator of
linear losses in hindsight) and the ``l_inf`` diameter ``D_inf``.

This module provides

* :class:`Domain` -- the abstract interface;
* :class:`Box` -- ``{x : lower <= x <= upper}`` (projection = clip);
* :class:`Ball` -- the Euclidean ball ``{x : ||x - c||_2 <= r}`` with an
  exact, vectorized weighted projection (a one-dimensional secular
  equation solved to machine precision);
* :class:`ConvexSet` -- a general closed convex set described by
  :mod:`scipy.optimize` constraint objects (projection by SLSQP);
* :class:`Unconstrained` -- ``R^d``.

Arrays are batched: a point argument has shape ``(..., d)`` and every
leading axis indexes an independent run.  Computations are carried out in
float64 (or in the input dtype when it is a wider float) and results are
returned in the input's floating dtype (float64 for integer input).

References
----------
.. [1] J. Duchi, E. Hazan and Y. Singer, "Adaptive subgradient methods for
   online learning and stochastic optimization", JMLR 12 (2011) 2121-2159.
.. [2] S. J. Reddi, S. Kale and S. Kumar, "On the convergence of Adam and
   beyond", ICLR 2018.
.. [3] J. Zhuang et al., "AdaBelief optimizer: adapting stepsizes by the
   belief in observed gradients", NeurIPS 2020.
.. [4] S. Boyd and L. Vandenberghe, "Convex Optimization", Cambridge
   University Press, 2004, sections 5.5 (KKT conditions) and 8.1.
.. [5] J. J. More and D. C. Sorensen, "Computing a trust region step",
   SIAM J. Sci. Stat. Comput. 4 (1983) 553-572.
.. [6] D. Kraft, "A software package for sequential quadratic programming",
   DFVLR-FB 88-28, 1988 (SLSQP).
"""

from __future__ import annotations

import abc
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy.optimize import (
    Bounds,
    LinearConstraint,
    NonlinearConstraint,
    linprog,
    minimize,
)

from analysis._validation import (
    as_real_array,
    check_finite,
    check_positive_int,
    check_scalar_in_range,
)

__all__ = [
    "Ball",
    "Box",
    "ConvexSet",
    "Domain",
    "Unconstrained",
]

#: Default absolute tolerance of :meth:`Domain.contains`.
DEFAULT_ATOL = 1e-12


# ---------------------------------------------------------------------------
# input validation helpers
# ---------------------------------------------------------------------------


def _real_array(value: Any, name: str) -> np.ndarray:
    """Return ``value`` as a real floating array (no copy if already one).

    Booleans, strings, complex numbers, ``None`` and object arrays are
    refused (``ValueError`` naming ``name``); integers become float64.
    """
    arr = as_real_array(name, value)
    return arr if arr.dtype.kind == "f" else arr.astype(np.float64)


def _points(value: Any, name: str, dim: int) -> np.ndarray:
    """Validate a batch of points of shape ``(..., dim)``."""
    arr = _real_array(value, name)
    if arr.ndim == 0 or arr.shape[-1] != dim:
        raise ValueError(
            f"{name} must have shape (..., {dim}) (last axis = domain "
            f"dimension {dim}), got shape {arr.shape}"
        )
    check_finite(name, arr)
    return arr


def _weights(value: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Validate weights and broadcast them to ``shape`` (read-only view)."""
    if value is None:
        return np.broadcast_to(np.float64(1.0), shape)
    w = _real_array(value, "weights")
    try:
        target = np.broadcast_shapes(w.shape, shape)
    except ValueError:
        target = None
    if target != shape:
        raise ValueError(
            f"weights with shape {w.shape} does not broadcast to the shape "
            f"{shape} of the points"
        )
    if w.size:
        if not np.all(np.isfinite(w)):
            bad = w[~np.isfinite(w)].flat[0]
            raise ValueError(f"weights must be positive and finite, got {bad}")
        wmin = float(np.min(w))
        if wmin <= 0.0:
            raise ValueError(f"weights must be positive and finite, got min {wmin:g}")
    return np.broadcast_to(w, shape)


def _out_dtype(arr: np.ndarray) -> np.dtype[Any]:
    return arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float64)


def _work_dtype(dtype: np.dtype[Any]) -> np.dtype[Any]:
    return np.promote_types(dtype, np.float64)


def _check_atol(atol: float) -> float:
    """A finite tolerance ``>= 0`` (``inf`` would make every point inside)."""
    return check_scalar_in_range("atol", atol, 0.0, math.inf)


def _norm(v: np.ndarray) -> np.ndarray:
    """Euclidean norm along the last axis, safe against overflow."""
    a = np.abs(v)
    scale = a.max(axis=-1) if a.shape[-1] else np.zeros(a.shape[:-1], a.dtype)
    safe = np.where(scale > 0, scale, 1.0)
    return scale * np.sqrt(np.sum((a / safe[..., None]) ** 2, axis=-1))


def _refine_value(
    value: np.ndarray,
    c: np.ndarray,
    xmax: np.ndarray,
    fn: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> np.ndarray:
    """Recompute the non-finite entries of a value linear in ``c``.

    ``value = fn(c, rows)`` is a linear function of ``c`` per row (such as
    ``sum(c * x)``) whose products or partial sums may overflow (to ``inf``,
    or ``nan`` for ``inf - inf``) although the result is representable.
    Those rows are recomputed as ``2**e fn(c 2**-e, rows)`` with ``e`` chosen
    so that no term exceeds the largest float (``xmax`` bounds the factors
    multiplying ``c`` in each row); the result is ``+-inf`` only if it does
    not fit itself.  Finite entries are returned unchanged.
    """
    bad = ~np.isfinite(value)
    if not np.any(bad):
        return value
    rows = np.flatnonzero(bad)
    cb = c[rows]
    # |c_i| < 2**ec and factors < 2**ex (ex >= 1 bounds norms of c too):
    # every term, and ||c 2**-e||, is below 2**(maxexp - 2) / d
    ec = np.frexp(np.max(np.abs(cb), axis=-1))[1].astype(np.int64)
    ex = np.maximum(np.frexp(xmax[rows])[1].astype(np.int64), 1)
    maxexp = int(np.finfo(c.dtype).maxexp)
    margin = math.ceil(math.log2(c.shape[-1])) + 2
    e = np.maximum(ec + ex + margin - maxexp, 0)
    with np.errstate(over="ignore"):
        value[rows] = np.ldexp(fn(np.ldexp(cb, -e[:, None]), rows), e)
    return value


def _vector(value: Any, name: str, dim: int | None) -> tuple[np.ndarray, bool]:
    """Validate a scalar or 1-D parameter; return (array, was_scalar)."""
    arr = _real_array(value, name)
    if arr.ndim > 1:
        raise ValueError(
            f"{name} must be a scalar or a 1-D array, got shape {arr.shape}"
        )
    check_finite(name, arr)
    if dim is not None and arr.ndim == 1 and arr.shape[0] != dim:
        raise ValueError(
            f"{name} must have shape ({dim},) to match dim={dim}, got shape {arr.shape}"
        )
    return arr.astype(np.float64), arr.ndim == 0


def _check_dim(dim: Any) -> int:
    return check_positive_int("dim", dim)


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr = np.array(arr, dtype=np.float64)
    arr.setflags(write=False)
    return arr


def _short(arr: np.ndarray) -> str:
    return np.array2string(np.asarray(arr), threshold=6, precision=6, separator=", ")


# ---------------------------------------------------------------------------
# abstract base class
# ---------------------------------------------------------------------------


class Domain(abc.ABC):
    """A closed, convex, nonempty feasible set ``F`` in ``R^d``.

    Subclasses implement the weighted projection, a membership test, the
    minimization of a linear function over ``F`` and the ``l_inf``
    diameter.  The public methods validate their input and accept batches:
    a point argument has shape ``(..., dim)``.

    Attributes
    ----------
    dim : int
        Dimension ``d`` of the ambient space.

    Notes
    -----
    The weighted projection with weights ``w > 0`` is

    .. math::

        \\Pi_{F,W}(y) = \\operatorname*{argmin}_{x \\in F}
            \\tfrac12 (x - y)^\\top W (x - y), \\qquad W = \\mathrm{diag}(w).

    The objective is strongly convex, so the minimizer exists and is unique
    for every closed convex nonempty ``F``.  It is characterised by the
    variational inequality (the KKT conditions in geometric form, [4]_)

    .. math::

        \\langle W (y - x), z - x \\rangle \\le 0 \\quad
            \\text{for all } z \\in F ,

    i.e. ``W (y - x)`` lies in the normal cone of ``F`` at ``x``.  This is
    the projection used by AdaGrad [1]_, AMSGrad [2]_ and AdaBelief [3]_
    with ``w = sqrt(v_hat)`` or ``w = sqrt(s_hat)``.

    References
    ----------
    .. [1] Duchi, Hazan and Singer, JMLR 12 (2011).
    .. [2] Reddi, Kale and Kumar, ICLR 2018.
    .. [3] Zhuang et al., NeurIPS 2020.
    .. [4] Boyd and Vandenberghe, "Convex Optimization" (2004), sec. 5.5.
    """

    dim: int

    # -- hooks implemented by subclasses (rows are 2-D, in a float dtype) --

    @abc.abstractmethod
    def _project(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Project the rows of ``y`` (shape (n, d)) with weights ``w``."""

    @abc.abstractmethod
    def _violation(self, x: np.ndarray) -> np.ndarray:
        """Constraint violation of each row of ``x`` (0 inside ``F``)."""

    @abc.abstractmethod
    def _linear_minimum(self, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Minimum of ``<c, x>`` over ``F`` for each row of ``c``."""

    @property
    @abc.abstractmethod
    def diameter_inf(self) -> float:
        """``D_inf = max_{x, y in F} ||x - y||_inf`` (``inf`` if unbounded)."""

    @property
    def _scale(self) -> float:
        """Magnitude of the set's data; scales the membership tolerance."""
        return 1.0

    # -- public API ------------------------------------------------------

    def project(
        self, y: npt.ArrayLike, weights: npt.ArrayLike | None = None
    ) -> np.ndarray:
        """Weighted projection ``argmin_{x in F} sum_i w_i (x_i - y_i)^2``.

        Parameters
        ----------
        y : array_like, shape (..., dim)
            Points to project; leading axes index independent runs.  Must
            be finite.
        weights : array_like or None, optional
            Positive, finite weights broadcastable to ``y.shape``.  ``None``
            (default) gives the Euclidean projection.

        Returns
        -------
        numpy.ndarray, shape (..., dim)
            The projections, in ``y``'s floating dtype (float64 for integer
            input).  A new array, never ``y`` itself.

        Raises
        ------
        ValueError
            If ``y`` is not finite or has the wrong last axis, or if the
            weights are not positive and finite or do not broadcast.
        RuntimeError
            If a numerical solver fails (see the subclass).
        """
        arr = _points(y, "y", self.dim)
        w = _weights(weights, arr.shape)
        out_dtype = _out_dtype(arr)
        work = _work_dtype(out_dtype)
        y2 = arr.astype(work).reshape(-1, self.dim)
        if y2.shape[0] == 0:
            return y2.reshape(arr.shape).astype(out_dtype)
        w2 = np.asarray(w, dtype=work).reshape(-1, self.dim)
        x2 = self._project(y2, w2)
        return x2.reshape(arr.shape).astype(out_dtype, copy=False)

    def violation(self, x: npt.ArrayLike) -> np.ndarray:
        """Largest constraint violation of each point (0 inside ``F``).

        Parameters
        ----------
        x : array_like, shape (..., dim)
            Finite points.

        Returns
        -------
        numpy.ndarray, shape x.shape[:-1]
            Non-negative violations, in the units of the constraints
            (distance to the box / ball, constraint-function excess for
            :class:`ConvexSet`).
        """
        arr = _points(x, "x", self.dim)
        return self._violation_of(arr)

    def _violation_of(self, arr: np.ndarray) -> np.ndarray:
        work = _work_dtype(_out_dtype(arr))
        x2 = arr.astype(work).reshape(-1, self.dim)
        if x2.shape[0] == 0:
            return np.zeros(arr.shape[:-1], dtype=work)
        return self._violation(x2).reshape(arr.shape[:-1])

    def _tolerance(self, atol: float, dtype: np.dtype[Any]) -> float:
        eps = float(np.finfo(dtype).eps)
        return max(atol, 16.0 * eps) * self._scale

    def contains(self, x: npt.ArrayLike, atol: float = DEFAULT_ATOL) -> np.ndarray:
        """Membership test with tolerance.

        Parameters
        ----------
        x : array_like, shape (..., dim)
            Finite points.
        atol : float, optional
            Finite tolerance ``>= 0`` on :meth:`violation` (``ValueError``
            otherwise, as for booleans or strings).  It is multiplied by the scale
            of the set (``max(1, largest magnitude of its data)``) so that
            rounding in large sets is not mistaken for infeasibility, and
            raised to 16 machine epsilons of ``x``'s dtype.

        Returns
        -------
        numpy.ndarray of bool, shape x.shape[:-1]
        """
        tol = _check_atol(atol)
        arr = _points(x, "x", self.dim)
        viol = self._violation_of(arr)
        return np.asarray(viol <= self._tolerance(tol, _out_dtype(arr)))

    def check_point(
        self, x: npt.ArrayLike, name: str = "x", atol: float = DEFAULT_ATOL
    ) -> np.ndarray:
        """Validate a point (e.g. a start point) and require it in ``F``.

        Parameters
        ----------
        x : array_like, shape (..., dim)
            Point or batch of points.
        name : str, optional
            Name of the argument used in error messages (e.g. ``"theta0"``).
        atol : float, optional
            Tolerance as in :meth:`contains`.

        Returns
        -------
        numpy.ndarray
            ``x`` as a new floating array.

        Raises
        ------
        ValueError
            If ``x`` is not finite, has the wrong shape, or lies outside the
            domain (the message names ``name`` and the largest violation).
        """
        tol = _check_atol(atol)
        arr = _points(x, name, self.dim)
        viol = self._violation_of(arr)
        limit = self._tolerance(tol, _out_dtype(arr))
        outside = viol > limit
        if np.any(outside):
            where = ""
            if viol.ndim:
                first = tuple(int(i) for i in np.argwhere(outside)[0])
                where = (
                    f"; {int(outside.sum())} of {outside.size} rows outside, "
                    f"first at index {first}"
                )
            raise ValueError(
                f"{name} lies outside the domain {self!r}: constraint "
                f"violation {float(np.max(viol)):.3g} exceeds the tolerance "
                f"{limit:.3g}{where}"
            )
        return arr.astype(_out_dtype(arr))

    def linear_minimum(self, c: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Minimize the linear function ``<c, x>`` over ``F``.

        This is the loss of the best fixed point in hindsight for linear
        losses ``f_t(x) = <g_t, x>`` with ``c = sum_t g_t``.

        Parameters
        ----------
        c : array_like, shape (..., dim)
            Finite cost vectors.

        Returns
        -------
        value : numpy.ndarray, shape c.shape[:-1]
            ``min_{x in F} <c, x>`` (``-inf`` if unbounded below).
        minimizer : numpy.ndarray, shape c.shape
            A minimizer (``nan`` where the minimum is not attained).
        """
        arr = _points(c, "c", self.dim)
        out_dtype = _out_dtype(arr)
        work = _work_dtype(out_dtype)
        c2 = arr.astype(work).reshape(-1, self.dim)
        if c2.shape[0] == 0:
            return (
                np.zeros(arr.shape[:-1], dtype=out_dtype),
                np.zeros(arr.shape, dtype=out_dtype),
            )
        value, xmin = self._linear_minimum(c2)
        return (
            np.asarray(value).reshape(arr.shape[:-1]).astype(out_dtype),
            np.asarray(xmin).reshape(arr.shape).astype(out_dtype),
        )


# ---------------------------------------------------------------------------
# Box
# ---------------------------------------------------------------------------


class Box(Domain):
    """Axis-aligned box ``{x : lower <= x <= upper}``.

    Parameters
    ----------
    lower, upper : float or array_like of shape (dim,)
        Finite bounds with ``lower <= upper`` componentwise (equal bounds
        fix a coordinate).
    dim : int, optional
        Dimension; required when both bounds are scalars.

    Raises
    ------
    ValueError
        If the bounds are not finite, have incompatible shapes, or
        ``lower > upper`` somewhere.

    Notes
    -----
    The objective ``sum_i w_i (x_i - y_i)^2`` and the constraints are
    separable, so the problem splits into ``d`` scalar problems
    ``min_{l_i <= x_i <= u_i} w_i (x_i - y_i)^2`` whose solution does not
    depend on ``w_i > 0``:

    .. math::

        \\Pi_{F,W}(y)_i = \\min(\\max(y_i, l_i), u_i) ,

    i.e. the weighted projection is the clip for *any* positive weights.
    KKT: with multipliers ``alpha_i, beta_i >= 0`` for ``l_i - x_i <= 0``
    and ``x_i - u_i <= 0``, stationarity reads
    ``2 w_i (x_i - y_i) - alpha_i + beta_i = 0``; complementary slackness
    gives ``alpha_i = 2 w_i (l_i - y_i) > 0`` only when ``y_i < l_i`` and
    ``beta_i = 2 w_i (y_i - u_i) > 0`` only when ``y_i > u_i``.

    The linear minimum is separable too:
    ``min_{x in F} <c, x> = sum_i min(c_i l_i, c_i u_i)``, attained at
    ``x_i = l_i`` for ``c_i > 0``, ``x_i = u_i`` for ``c_i < 0`` (we choose
    ``l_i`` when ``c_i = 0``).  The ``l_inf`` diameter is
    ``max_i (u_i - l_i)``.

    References
    ----------
    .. [2] Reddi, Kale and Kumar, ICLR 2018 (their counterexample to Adam
       uses the box ``F = [-1, 1]``).
    .. [4] Boyd and Vandenberghe, "Convex Optimization" (2004), sec. 5.5.
    """

    def __init__(
        self,
        lower: npt.ArrayLike,
        upper: npt.ArrayLike,
        dim: int | None = None,
    ) -> None:
        if dim is not None:
            dim = _check_dim(dim)
        lo, lo_scalar = _vector(lower, "lower", dim)
        hi, hi_scalar = _vector(upper, "upper", dim)
        if dim is None:
            if lo_scalar and hi_scalar:
                raise ValueError(
                    "dim is required when lower and upper are both scalars"
                )
            dim = lo.shape[0] if not lo_scalar else hi.shape[0]
        if not lo_scalar and not hi_scalar and lo.shape != hi.shape:
            raise ValueError(
                f"lower and upper must have the same shape, got {lo.shape} "
                f"and {hi.shape}"
            )
        if dim < 1:
            raise ValueError("lower and upper must not be empty arrays")
        lo = np.broadcast_to(lo, (dim,))
        hi = np.broadcast_to(hi, (dim,))
        bad = lo > hi
        if np.any(bad):
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"lower must be <= upper in every coordinate, got "
                f"lower[{i}] = {lo[i]:g} > upper[{i}] = {hi[i]:g}"
            )
        self.dim = dim
        self.lower = _frozen(lo)
        self.upper = _frozen(hi)

    def __repr__(self) -> str:
        return f"Box(lower={_short(self.lower)}, upper={_short(self.upper)})"

    @property
    def diameter_inf(self) -> float:
        """``max_i (upper_i - lower_i)`` (``inf`` beyond the largest float)."""
        with np.errstate(over="ignore"):
            return float(np.max(self.upper - self.lower))

    @property
    def _scale(self) -> float:
        return max(
            1.0, float(np.max(np.abs(self.lower))), float(np.max(np.abs(self.upper)))
        )

    def _project(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.clip(y, self.lower.astype(y.dtype), self.upper.astype(y.dtype))

    def _violation(self, x: np.ndarray) -> np.ndarray:
        lo = self.lower.astype(x.dtype)
        hi = self.upper.astype(x.dtype)
        with np.errstate(over="ignore"):  # inf beyond the largest float
            excess = np.maximum(lo - x, x - hi)
        return np.maximum(np.max(excess, axis=-1), 0.0)

    def _linear_minimum(self, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lo = self.lower.astype(c.dtype)
        hi = self.upper.astype(c.dtype)
        xmin = np.where(c < 0, hi, lo)
        with np.errstate(over="ignore", invalid="ignore"):
            value = np.sum(c * xmin, axis=-1)
        value = _refine_value(
            value,
            c,
            np.max(np.abs(xmin), axis=-1),
            lambda cs, rows: np.sum(cs * xmin[rows], axis=-1),
        )
        return value, xmin


# ---------------------------------------------------------------------------
# Ball
# ---------------------------------------------------------------------------


#: Above ``||y - c|| / r = 2**_BALL_EXP`` the multiplier of the secular
#: equation is carried in units of ``2**k`` (see :func:`_ball_offsets`); it
#: would overflow near ``2**1024``.
_BALL_EXP = 128


def _centred(y: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Offsets ``y - c`` of the rows of ``y`` with their norms, without overflow.

    Returns ``(z, nz, e)`` with ``y - c = z * 2**e`` and ``nz = ||z||``
    finite for every row.  ``e`` is 0 (and ``z = y - c`` exactly) unless
    ``y - c`` or its norm overflows; those rows are computed from
    ``y * 2**-e - c * 2**-e`` instead.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        z = y - c
        nz = _norm(z)
    e = np.zeros(nz.shape, dtype=np.int64)
    big = ~np.isfinite(nz)
    if np.any(big):
        # |y_i - c_i| 2**-e0 <= max / 4 and ||.|| <= sqrt(d) max / 4 < max
        e0 = 2 + math.ceil(0.5 * math.log2(y.shape[-1]))
        z[big] = np.ldexp(y[big], -e0) - np.ldexp(c, -e0)
        nz[big] = _norm(z[big])
        e[big] = e0
    return z, nz, e


def _ball_offsets(
    z: np.ndarray,
    w: np.ndarray,
    radius: float,
    zexp: np.ndarray,
    nz: np.ndarray,
    maxiter: int = 200,
) -> np.ndarray:
    """Return ``x - c`` for the weighted projection of rows ``z 2**zexp = y - c``.

    ``nz = ||z||``.  Every row must lie strictly outside the ball
    (``||z|| 2**zexp > r``).  See :class:`Ball` for the algorithm.

    Far from the ball, ``t = ||y - c|| / r`` (which may exceed the largest
    float), the multiplier ``mu ~ t`` and the terms ``q ~ 1/t`` of the
    iteration would overflow or underflow.  Rows with ``t > 2**_BALL_EXP``
    are solved for ``mu / S`` with ``S = 2**k``, ``k`` the binary exponent
    of ``t``: ``t``, ``mu``, the bracket and the weights in ``w + mu`` are
    divided by ``S``, so ``q`` is multiplied by ``S``; and in every step
    ``q`` is normalised by a power of two before it is squared.  Scaling
    by powers of two is exact, so this is the same iteration: wherever the
    unscaled one neither underflows nor overflows, the results agree bit
    for bit.
    """
    n, d = z.shape
    eps = float(np.finfo(z.dtype).eps)
    # t = ||z|| 2**zexp / r = ts 2**k, from the binary exponents (no overflow)
    mz, ez = np.frexp(nz)
    mr, er = np.frexp(radius)
    expo = ez.astype(np.int64) + zexp - int(er)
    k = np.where(expo > _BALL_EXP, expo, 0)
    t = np.ldexp(mz / mr, expo - k)
    inv_s = np.ldexp(np.ones((), z.dtype), -k)  # 1 / S (0 if it underflows)
    u = z / nz[:, None]  # unit vectors
    # weights relative to the row maximum (kept above underflow)
    wt = np.maximum(w / np.max(w, axis=1, keepdims=True), np.finfo(w.dtype).tiny)
    wmin = np.min(wt, axis=1)
    ws = np.ldexp(wt, -k[:, None])  # w / S, in the denominators w + mu
    wmin_s = np.ldexp(wmin, -k)
    # Bracket: w_min (t - 1) <= mu <= w_max (t - 1) with w_max = 1.
    lo = wmin * (t - inv_s)
    hi = t - inv_s
    mu = lo.copy()
    active = np.ones(n, dtype=bool)
    ftol = (8.0 + 2.0 * math.log2(d)) * eps
    for _ in range(maxiter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        m_a, w_a, t_a = mu[idx], wt[idx], t[idx]
        lo_a, hi_a = lo[idx], hi[idx]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            den = ws[idx] + m_a[:, None]
            q = w_a * u[idx] / den  # S (x - c) / ||z||
            # q / 2**eq has its largest entry in [1/2, 1): the squares
            # neither underflow nor overflow, and the powers of two cancel
            # exactly in f and in the Newton step
            eq = np.frexp(np.max(np.abs(q), axis=1))[1]
            q = np.ldexp(q, -eq[:, None])
            q2 = q * q
            m2 = np.sum(q2, axis=1)
            # f > 0  <=>  ||x(mu) - c|| > r  <=>  mu below the root
            f = np.ldexp(t_a * np.sqrt(m2), eq) - 1.0
            s = np.sum(q2 / den, axis=1)
            # Newton step on psi(mu) = 1/r - 1/||x(mu) - c|| (scaled)
            new = m_a + f * m2 / s
        lo_a = np.where(f >= 0.0, np.maximum(lo_a, m_a), lo_a)
        hi_a = np.where(f <= 0.0, np.minimum(hi_a, m_a), hi_a)
        ok = np.isfinite(new) & np.isfinite(s) & (new > lo_a) & (new < hi_a)
        new = np.where(ok, new, 0.5 * (lo_a + hi_a))
        small_f = np.abs(f) <= ftol
        # A change of mu by delta moves x by at most delta / (w_min + mu)
        # relative, so these tests are convergence to machine precision.
        xscale = wmin_s[idx] + m_a
        done = (
            small_f
            | (np.abs(new - m_a) <= 2.0 * eps * xscale)
            | (hi_a - lo_a <= 4.0 * eps * xscale)
        )
        mu[idx] = np.where(small_f, m_a, new)
        lo[idx] = lo_a
        hi[idx] = hi_a
        active[idx[done]] = False
    if np.any(active):
        raise RuntimeError(
            f"Ball.project: the secular equation did not converge within "
            f"{maxiter} iterations for {int(active.sum())} row(s)"
        )
    # x - c = (y - c) w / (w + mu) = (z 2**zexp / S) w / (w / S + mu / S);
    # shift down before multiplying, up after (where y - c overflows)
    factor = wt / (ws + mu[:, None])
    shift = (zexp - k)[:, None]
    off = np.ldexp(z, np.minimum(shift, 0)) * factor
    up = shift[:, 0] > 0
    if np.any(up):
        off[up] = np.ldexp(z[up] * factor[up], shift[up])
    # Rounding may put ||off|| a few ulps above r: rescale onto the sphere.
    for _ in range(4):
        no = _norm(off)
        over = no > radius
        if not np.any(over):
            break
        factor = np.where(over, radius / np.where(over, no, 1.0), 1.0)
        factor = np.where(over & (factor >= 1.0), 1.0 - 2.0 * eps, factor)
        off = off * factor[:, None]
    return off


class Ball(Domain):
    """Euclidean ball ``{x : ||x - center||_2 <= radius}``.

    Parameters
    ----------
    center : float or array_like of shape (dim,)
        Finite centre.
    radius : float
        Positive, finite radius.
    dim : int, optional
        Dimension; required when ``center`` is a scalar.

    Raises
    ------
    ValueError
        If the centre is not finite or has a bad shape, or the radius is not
        positive and finite.

    Notes
    -----
    **Weighted projection.**  With ``z = y - c`` and ``W = diag(w)``, the
    problem ``min (x - y)^T W (x - y)`` s.t. ``||x - c||^2 <= r^2`` has the
    Lagrangian ``(x-y)^T W (x-y) + mu (||x-c||^2 - r^2)``.  The KKT
    conditions [4]_ are

    .. math::

        W (y - x) = \\mu (x - c), \\quad \\mu \\ge 0, \\quad
        \\|x - c\\| \\le r, \\quad \\mu (\\|x - c\\| - r) = 0 .

    If ``||z|| <= r`` then ``x = y`` (``mu = 0``).  Otherwise the constraint
    is active and stationarity gives ``(W + mu I)(x - c) = W z``, i.e.

    .. math::

        x_i = c_i + \\frac{w_i z_i}{w_i + \\mu}, \\qquad
        \\phi(\\mu) = \\sum_i \\Big(\\frac{w_i z_i}{w_i + \\mu}\\Big)^2
            - r^2 = 0 ,

    where ``phi`` is strictly decreasing from ``||z||^2 - r^2 > 0``, so
    the root ``mu > 0`` is unique.  Since ``w_i / (w_i + mu)`` increases
    with ``w_i``, the root is bracketed by
    ``w_min (||z||/r - 1) <= mu <= w_max (||z||/r - 1)`` (equal weights give
    ``mu = w (||z||/r - 1)`` and ``x = c + r z / ||z||``).

    The root is found by Newton's method on the well-conditioned secular
    equation of More and Sorensen [5]_,
    ``psi(mu) = 1/r - 1/||x(mu) - c|| = 0``.  By Cauchy-Schwarz
    ``1/||x(mu) - c||`` is concave, so ``psi`` is convex and decreasing,
    and Newton's method started at the lower end of the bracket increases
    monotonically and converges quadratically (it is exact in one step for
    equal weights).  The iteration is safeguarded: the bracket is updated
    with the sign of ``psi`` and a bisection step replaces any Newton step
    that leaves it.  All rows are iterated simultaneously until each has
    converged to machine precision (at most 200 iterations, else
    ``RuntimeError``).  The weights are normalised by their row maximum and
    ``z`` by ``||z||``; far from the ball (``||z|| / r`` up to ``~1e616``
    for finite input) ``mu`` is carried in units of a power of two close to
    ``||z|| / r`` and the terms ``~r / ||z||`` are rescaled by powers of two
    before squaring, and ``y - c`` is formed as ``2**e (y 2**-e - c 2**-e)``
    where it would overflow.  These exact rescalings keep every
    intermediate quantity finite and normal for all finite input.  If
    rounding leaves ``||x - c||`` a few ulps above ``r``, the offset is
    rescaled onto the sphere.

    **Linear minimum.**  By Cauchy-Schwarz,
    ``min_{x in F} <g, x> = <g, c> - r ||g||`` at ``x = c - r g / ||g||``
    (``x = c`` when ``g = 0``).  The ``l_inf`` diameter is ``2 r``.

    References
    ----------
    .. [4] Boyd and Vandenberghe, "Convex Optimization" (2004), sec. 5.5.
    .. [5] More and Sorensen, SIAM J. Sci. Stat. Comput. 4 (1983) 553-572.
    """

    def __init__(
        self,
        center: npt.ArrayLike,
        radius: float,
        dim: int | None = None,
    ) -> None:
        if dim is not None:
            dim = _check_dim(dim)
        ctr, scalar = _vector(center, "center", dim)
        if scalar:
            if dim is None:
                raise ValueError("dim is required when center is a scalar")
            ctr = np.full(dim, float(ctr))
        elif ctr.shape[0] < 1:
            raise ValueError("center must not be an empty array")
        r = check_scalar_in_range("radius", radius, 0.0, math.inf, low_closed=False)
        self.dim = int(ctr.shape[0])
        self.center = _frozen(ctr)
        self.radius = r

    def __repr__(self) -> str:
        return f"Ball(center={_short(self.center)}, radius={self.radius:g})"

    @property
    def diameter_inf(self) -> float:
        """``2 * radius``."""
        return 2.0 * self.radius

    @property
    def _scale(self) -> float:
        size = float(np.max(np.abs(self.center))) + self.radius
        return max(1.0, min(size, float(np.finfo(np.float64).max)))

    def _project(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        c = self.center.astype(y.dtype)
        z, nz, e = _centred(y, c)
        # rows with e > 0 are farther than the largest float from c
        outside = (nz > self.radius) | (e > 0)
        out = y.copy()
        if np.any(outside):
            off = _ball_offsets(
                z[outside], w[outside], self.radius, e[outside], nz[outside]
            )
            out[outside] = c + off
        return out

    def _violation(self, x: np.ndarray) -> np.ndarray:
        _, nz, e = _centred(x, self.center.astype(x.dtype))
        with np.errstate(over="ignore"):
            dist = np.ldexp(nz, e)  # inf beyond the largest float
        return np.maximum(dist - self.radius, 0.0)

    def _linear_minimum(self, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ctr = self.center.astype(c.dtype)
        with np.errstate(over="ignore", invalid="ignore"):
            nc = _norm(c)
            safe = np.where(nc > 0, nc, 1.0)
            xmin = ctr - self.radius * c / safe[:, None]
            value = c @ ctr - self.radius * nc
        big = ~np.isfinite(nc) | ~np.all(np.isfinite(xmin), axis=-1)
        if np.any(big):
            # ||c|| or r * c overflowed: use the unit vector of c * 2**-e0
            e0 = 2 + math.ceil(0.5 * math.log2(self.dim))
            cs = np.ldexp(c[big], -e0)
            xmin[big] = ctr - self.radius * (cs / _norm(cs)[:, None])
            value[big] = np.nan
        # <c, c0> - r ||c|| is linear in c for c != 0; its factors are below
        # max(|c0|_max, r) (times sqrt(d), absorbed in the margin)
        factor = max(float(np.max(np.abs(ctr))), self.radius)
        value = _refine_value(
            value,
            c,
            np.full(c.shape[0], factor),
            lambda cs, rows: np.sum(cs * ctr, axis=-1) - self.radius * _norm(cs),
        )
        return value, xmin


# ---------------------------------------------------------------------------
# Unconstrained
# ---------------------------------------------------------------------------


class Unconstrained(Domain):
    """The whole space ``R^dim`` (no projection).

    Parameters
    ----------
    dim : int
        Positive dimension.

    Notes
    -----
    The projection is the identity (a copy is returned), every finite point
    is feasible, ``D_inf = inf``, and ``min_x <c, x> = -inf`` unless
    ``c = 0`` (value 0, minimizer 0 by convention); the minimizer of an
    unbounded problem is reported as ``nan``.  Regret bounds that contain
    ``D_inf`` are vacuous on this domain.  (Without constraints the KKT
    conditions reduce to stationarity, ``W (x - y) = 0``, i.e. ``x = y``
    for any positive weights.)
    """

    def __init__(self, dim: int) -> None:
        self.dim = _check_dim(dim)

    def __repr__(self) -> str:
        return f"Unconstrained(dim={self.dim})"

    @property
    def diameter_inf(self) -> float:
        """Always ``inf``."""
        return math.inf

    def _project(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        return y.copy()

    def _violation(self, x: np.ndarray) -> np.ndarray:
        return np.zeros(x.shape[0], dtype=x.dtype)

    def _linear_minimum(self, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        zero = np.all(c == 0, axis=-1)
        value = np.where(zero, 0.0, -np.inf).astype(c.dtype)
        xmin = np.where(zero[:, None], np.zeros_like(c), np.nan)
        return value, xmin


# ---------------------------------------------------------------------------
# General convex set through scipy
# ---------------------------------------------------------------------------

_Constraint: TypeAlias = LinearConstraint | NonlinearConstraint


def _as_matrix(a: Any) -> np.ndarray:
    if hasattr(a, "toarray"):
        a = a.toarray()
    return np.atleast_2d(np.asarray(a, dtype=np.float64))


def _side(value: Any, m: int, name: str) -> np.ndarray:
    arr = _real_array(value, name).astype(np.float64)
    try:
        arr = np.broadcast_to(arr, (m,)).copy()
    except ValueError as exc:
        raise ValueError(
            f"{name} must be a scalar or have shape ({m},), got shape {arr.shape}"
        ) from exc
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} must not contain nan")
    return arr


def _bound_value(value: Any, default: float, name: str) -> float:
    """One end of a ``(low, high)`` pair: ``None`` means ``default``."""
    if value is None:
        return default
    arr = _real_array(value, name)
    if arr.ndim != 0:
        raise ValueError(
            f"{name} must be a single number or None, got shape {arr.shape}"
        )
    return float(arr)


def _parse_bounds(
    bounds: Any,
) -> tuple[np.ndarray, np.ndarray, list[tuple[str, int]]]:
    """Lower and upper bound arrays and the dimensions they imply.

    A :class:`scipy.optimize.Bounds` side of length 1 (``Bounds(0, 1)``
    stores its scalars so) is broadcast to the dimension, as scipy does,
    and implies none.
    """
    dims: list[tuple[str, int]] = []
    if isinstance(bounds, Bounds):
        sides = []
        for side in ("lb", "ub"):
            arr = _real_array(getattr(bounds, side), f"bounds.{side}")
            if arr.ndim > 1:
                raise ValueError(
                    f"bounds.{side} must be a scalar or a 1-D array, got shape "
                    f"{arr.shape}"
                )
            if arr.ndim == 1 and arr.shape[0] != 1:
                dims.append((f"len(bounds.{side})", arr.shape[0]))
            sides.append(arr.reshape(-1) if arr.ndim else arr)
        return sides[0], sides[1], dims
    if isinstance(bounds, dict) or not isinstance(bounds, Iterable):
        raise TypeError(
            "bounds must be a scipy.optimize.Bounds or a sequence of (low, high) "
            f"pairs, got {type(bounds).__name__}"
        )
    if isinstance(bounds, str | bytes):
        raise ValueError(
            "bounds must be a scipy.optimize.Bounds or a sequence of (low, high) "
            f"pairs of numbers, got the string {bounds!r}"
        )
    lows: list[float] = []
    highs: list[float] = []
    for i, pair in enumerate(bounds):
        if isinstance(pair, str | bytes) or not isinstance(pair, Sequence | np.ndarray):
            raise ValueError(
                f"bounds[{i}] must be a (low, high) pair, got {type(pair).__name__}"
            )
        if len(pair) != 2:
            raise ValueError(
                f"bounds[{i}] must be a (low, high) pair, got {len(pair)} entries"
            )
        lows.append(_bound_value(pair[0], -math.inf, f"bounds[{i}][0]"))
        highs.append(_bound_value(pair[1], math.inf, f"bounds[{i}][1]"))
    dims.append(("len(bounds)", len(lows)))
    return np.array(lows), np.array(highs), dims


class ConvexSet(Domain):
    """Closed convex set given by :mod:`scipy.optimize` constraints.

    ``F = {x : lb_k <= g_k(x) <= ub_k for all constraints, lb <= x <= ub}``.

    Parameters
    ----------
    constraints : LinearConstraint, NonlinearConstraint or sequence thereof
        The constraints.  The user is responsible for ``F`` being convex
        and nonempty (e.g. convex ``g`` with only an upper bound, linear
        ``g`` for equalities).
    bounds : scipy.optimize.Bounds or sequence of (low, high), optional
        Simple bounds on ``x``; ``None`` entries or infinities mean no bound.
        A ``Bounds`` side of length 1 (such as ``Bounds(0, 1)``) is
        broadcast to the dimension, as in :func:`scipy.optimize.minimize`.
    dim : int, optional
        Dimension.  Inferred from linear constraints or array bounds when
        possible; required otherwise.
    diameter_inf : float, optional
        ``D_inf`` of ``F``.  If omitted it is computed (on first use) with
        :func:`scipy.optimize.linprog` when all constraints are linear
        (``inf`` if ``F`` is unbounded), and is ``nan`` otherwise.
    tol : float, optional
        ``ftol`` of the refining SLSQP passes (default ``1e-12``; it acts
        on a normalised objective, so it is a relative tolerance).
    maxiter : int, optional
        Iteration limit of each SLSQP solve (default 1000).
    feasibility_tol : float, optional
        Largest constraint violation accepted from SLSQP (default
        ``1e-7``, in the units of the constraint functions).  Projections
        onto sets with nonlinear constraints are feasible within this
        tolerance (typically within ``1e-11``), so test their membership
        with ``contains(x, atol=feasibility_tol)``.

    Raises
    ------
    ValueError
        For inconsistent dimensions, ``lb > ub``, invalid ``diameter_inf``
        or tolerances, or linear constraints that define an empty set.
    TypeError
        If a constraint is not a ``LinearConstraint``/``NonlinearConstraint``,
        or ``bounds`` is neither ``Bounds`` nor a sequence.

    Notes
    -----
    **Projection.**  Rows already in ``F`` (violation at rounding level)
    are returned unchanged; every other row is solved separately with
    SLSQP [6]_, a sequential quadratic programming method whose
    quasi-Newton model of the Hessian starts at the identity.  In the
    variables ``u = (x - y) / (rho s)`` with ``s_i = (w_max / w_i)^(1/2)``
    the objective ``sum_i w_i (x_i - y_i)^2`` is ``w_max rho^2 ||u||^2``,
    so that model is exact from the start whatever the spread of the
    weights; the constraints are composed with this affine map.  A first
    pass (``rho = 1``, ``ftol = 1e-10``) estimates the weighted distance
    ``rho``; a second pass from there, with ``||u|| ~ 1`` and
    ``ftol = tol``, refines it (a third pass restarts from ``y`` if the
    second stalls).  Gradients are exact for the objective and the linear
    constraints; nonlinear constraints use their ``jac`` (finite
    differences if none is given).

    The KKT conditions of the projection are

    .. math::

        2 W (x - y) + \\sum_k \\lambda_k \\nabla g_k(x) = 0, \\quad
        g(x) \\in [lb, ub], \\quad
        \\lambda_k \\le 0 \\text{ at an active lower bound},
        \\lambda_k \\ge 0 \\text{ at an active upper bound},
        \\lambda_k = 0 \\text{ otherwise}.

    *Linear sets* (all constraints linear, plus bounds): from the SLSQP
    point the active set ``B x = b`` is identified and the KKT system
    solved exactly, ``x = y + s u`` with ``u`` the minimum-norm solution
    of ``(B S) u = b - B y`` and multipliers from ``(B S)^T lam = -u``.
    The result is accepted only if it is feasible to rounding (scaled by
    the condition number of ``B S``) and the inequality multipliers are
    non-negative; the projection is then exact to rounding.  Otherwise
    (e.g. degenerate vertices) the SLSQP point is used.

    *Nonlinear sets*: the result satisfies KKT only to solver accuracy,
    typically ``1e-7`` in ``x`` (relative to the distance moved) -- use
    :class:`Ball` or :class:`Box` when an exact projection exists.  SLSQP
    exit mode 8 ("positive directional derivative for linesearch"), which
    it reports when it cannot decrease the merit function further at tight
    tolerances, is accepted if the point is feasible within
    ``feasibility_tol``; every other failure raises ``RuntimeError`` naming
    the row (flattened index of the batch).

    **Linear minimum.**  With only linear constraints the LP is solved by
    HiGHS through :func:`scipy.optimize.linprog` (``-inf`` and a ``nan``
    minimizer if unbounded).  Otherwise SLSQP is started from a feasible
    point and the result accepted if feasible within ``feasibility_tol``;
    unboundedness cannot be detected and shows up as ``RuntimeError``.

    **Membership** (:meth:`contains`) evaluates every constraint; the
    tolerance is absolute in the units of the constraint functions.

    References
    ----------
    .. [6] D. Kraft, "A software package for sequential quadratic
       programming", DFVLR-FB 88-28, 1988.
    """

    def __init__(
        self,
        constraints: _Constraint | Sequence[_Constraint] = (),
        bounds: Bounds | Sequence[tuple[float | None, float | None]] | None = None,
        *,
        dim: int | None = None,
        diameter_inf: float | None = None,
        tol: float = 1e-12,
        maxiter: int = 1000,
        feasibility_tol: float = 1e-7,
    ) -> None:
        if isinstance(constraints, LinearConstraint | NonlinearConstraint):
            items: list[Any] = [constraints]
        elif isinstance(constraints, Iterable) and not isinstance(constraints, dict):
            items = list(constraints)
        else:
            raise TypeError(
                "constraints must be a LinearConstraint, a NonlinearConstraint "
                f"or a sequence of them, got {type(constraints).__name__}"
            )
        dims: list[tuple[str, int]] = []
        if dim is not None:
            dims.append(("dim", _check_dim(dim)))
        linear: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        nonlinear: list[NonlinearConstraint] = []
        for k, con in enumerate(items):
            if isinstance(con, LinearConstraint):
                a = _as_matrix(con.A)
                m = a.shape[0]
                if not np.all(np.isfinite(a)):
                    raise ValueError(f"constraints[{k}].A must be finite")
                lb = _side(con.lb, m, f"constraints[{k}].lb")
                ub = _side(con.ub, m, f"constraints[{k}].ub")
                if np.any(lb > ub):
                    raise ValueError(f"constraints[{k}]: lb must be <= ub")
                linear.append((a, lb, ub))
                dims.append((f"constraints[{k}].A.shape[1]", a.shape[1]))
            elif isinstance(con, NonlinearConstraint):
                for side in ("lb", "ub"):
                    label = f"constraints[{k}].{side}"
                    if np.any(np.isnan(_real_array(getattr(con, side), label))):
                        raise ValueError(f"{label} must not contain nan")
                nonlinear.append(con)
            else:
                raise TypeError(
                    f"constraints[{k}] must be a LinearConstraint or a "
                    f"NonlinearConstraint, got {type(con).__name__}"
                )
        blo: Any = None
        bhi: Any = None
        if bounds is not None:
            blo, bhi, bound_dims = _parse_bounds(bounds)
            dims.extend(bound_dims)
            if not dims and isinstance(bounds, Bounds):
                dims.append(("len(bounds.lb)", 1))
        if not dims:
            raise ValueError(
                "dim is required when it cannot be inferred from linear "
                "constraints or array bounds"
            )
        d = dims[0][1]
        for label, value in dims[1:]:
            if value != d:
                raise ValueError(
                    f"inconsistent dimensions: {dims[0][0]} = {d} but {label} = {value}"
                )
        self.dim = _check_dim(d)
        if bounds is None:
            self.lb = _frozen(np.full(d, -np.inf))
            self.ub = _frozen(np.full(d, np.inf))
        else:
            self.lb = _frozen(_side(blo, d, "bounds lower"))
            self.ub = _frozen(_side(bhi, d, "bounds upper"))
            if np.any(self.lb > self.ub):
                raise ValueError("bounds: lower must be <= upper")
        self._linear = linear
        self._nonlinear = nonlinear
        self.tol = check_scalar_in_range("tol", tol, 0.0, 1.0, low_closed=False)
        self.feasibility_tol = check_scalar_in_range(
            "feasibility_tol", feasibility_tol, 0.0, 1.0, low_closed=False
        )
        self.maxiter = check_positive_int("maxiter", maxiter)
        self._feasible: np.ndarray | None = None
        self._g, self._h, self._e, self._f = self._standard_form()
        if self.is_linear:
            self._feasible = self._lp_point(np.zeros(d), "feasibility check")
        self._diameter: float | None = None
        if diameter_inf is not None:
            self._diameter = check_scalar_in_range(
                "diameter_inf", diameter_inf, 0.0, math.inf, high_closed=True
            )
        elif not self.is_linear:
            self._diameter = math.nan

    # -- description -----------------------------------------------------

    @property
    def is_linear(self) -> bool:
        """True when every constraint is a ``LinearConstraint``."""
        return not self._nonlinear

    @property
    def _n_bounded(self) -> int:
        return int(np.sum(np.isfinite(self.lb) | np.isfinite(self.ub)))

    def __repr__(self) -> str:
        return (
            f"ConvexSet(dim={self.dim}, linear={len(self._linear)}, "
            f"nonlinear={len(self._nonlinear)}, "
            f"bounded_coords={self._n_bounded})"
        )

    @property
    def diameter_inf(self) -> float:
        """User value, LP value for linear sets, or ``nan``."""
        if self._diameter is None:
            self._diameter = self._lp_diameter()
        return self._diameter

    @property
    def _scale(self) -> float:
        return 1.0

    def _standard_form(
        self,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Linear constraints and bounds as ``G x <= h``, ``E x = f``."""
        d = self.dim
        eye = np.eye(d)
        g_rows = [np.zeros((0, d))]
        h_rows = [np.zeros(0)]
        e_rows = [np.zeros((0, d))]
        f_rows = [np.zeros(0)]
        items = [*self._linear, (eye, self.lb, self.ub)]
        for a, lb, ub in items:
            eq = lb == ub
            up = np.isfinite(ub) & ~eq
            down = np.isfinite(lb) & ~eq
            e_rows.append(a[eq])
            f_rows.append(lb[eq])
            g_rows.extend([a[up], -a[down]])
            h_rows.extend([ub[up], -lb[down]])
        return (
            np.vstack(g_rows),
            np.concatenate(h_rows),
            np.vstack(e_rows),
            np.concatenate(f_rows),
        )

    # -- LP helpers ------------------------------------------------------

    def _lp_data(self) -> dict[str, Any]:
        a_ub: list[np.ndarray] = []
        b_ub: list[np.ndarray] = []
        a_eq: list[np.ndarray] = []
        b_eq: list[np.ndarray] = []
        for a, lb, ub in self._linear:
            eq = lb == ub
            up = np.isfinite(ub) & ~eq
            down = np.isfinite(lb) & ~eq
            a_eq.append(a[eq])
            b_eq.append(lb[eq])
            a_ub.append(a[up])
            b_ub.append(ub[up])
            a_ub.append(-a[down])
            b_ub.append(-lb[down])
        data: dict[str, Any] = {
            "bounds": list(zip(self.lb, self.ub, strict=True)),
            "method": "highs",
        }
        if a_ub and sum(len(b) for b in b_ub):
            data["A_ub"] = np.vstack(a_ub)
            data["b_ub"] = np.concatenate(b_ub)
        if a_eq and sum(len(b) for b in b_eq):
            data["A_eq"] = np.vstack(a_eq)
            data["b_eq"] = np.concatenate(b_eq)
        return data

    def _lp(self, c: np.ndarray) -> Any:
        return linprog(np.asarray(c, dtype=np.float64), **self._lp_data())

    def _lp_point(self, c: np.ndarray, what: str) -> np.ndarray:
        res = self._lp(c)
        if res.status == 2:
            raise ValueError(
                "the constraints and bounds define an empty set "
                f"(linprog reports infeasibility in the {what})"
            )
        if res.status != 0:
            raise RuntimeError(
                f"ConvexSet: linprog failed in the {what}: {res.message}"
            )
        return np.asarray(res.x, dtype=np.float64)

    def _lp_diameter(self) -> float:
        diam = 0.0
        for i in range(self.dim):
            e = np.zeros(self.dim)
            e[i] = 1.0
            lo = self._lp(e)
            hi = self._lp(-e)
            if lo.status == 3 or hi.status == 3:
                return math.inf
            if lo.status != 0 or hi.status != 0:
                raise RuntimeError(
                    "ConvexSet: linprog failed while computing diameter_inf: "
                    f"{lo.message if lo.status else hi.message}"
                )
            diam = max(diam, float(-hi.fun - lo.fun))
        return diam

    # -- constraint evaluation --------------------------------------------

    def _nonlinear_violation_row(self, x: np.ndarray) -> float:
        worst = 0.0
        for con in self._nonlinear:
            with np.errstate(all="ignore"):
                g = np.atleast_1d(np.asarray(con.fun(x), dtype=np.float64))
            if not np.all(np.isfinite(g)):
                return math.inf
            lb = np.broadcast_to(np.asarray(con.lb, dtype=np.float64), g.shape)
            ub = np.broadcast_to(np.asarray(con.ub, dtype=np.float64), g.shape)
            excess = np.maximum(lb - g, g - ub)
            worst = max(worst, float(np.max(excess, initial=0.0)))
        return worst

    def _violation(self, x: np.ndarray) -> np.ndarray:
        x64 = np.asarray(x, dtype=np.float64)
        lb = self.lb
        ub = self.ub
        with np.errstate(invalid="ignore"):
            viol = np.max(np.maximum(lb - x64, x64 - ub), axis=-1)
            for a, clb, cub in self._linear:
                g = x64 @ a.T
                excess = np.maximum(clb - g, g - cub)
                viol = np.maximum(viol, np.max(excess, axis=-1, initial=-np.inf))
        viol = np.maximum(viol, 0.0)
        if self._nonlinear:
            for i in range(x64.shape[0]):
                viol[i] = max(viol[i], self._nonlinear_violation_row(x64[i]))
        return viol.astype(x.dtype)

    # -- SLSQP in affine coordinates x = origin + sigma * u -------------

    def _affine_constraints(self, origin: np.ndarray, sigma: np.ndarray) -> list[Any]:
        cons: list[Any] = []
        for a, lb, ub in self._linear:
            shift = a @ origin
            cons.append(LinearConstraint(a * sigma, lb - shift, ub - shift))
        for con in self._nonlinear:
            cons.append(_affine_nonlinear(con, origin, sigma))
        return cons

    def _affine_bounds(self, origin: np.ndarray, sigma: np.ndarray) -> Bounds | None:
        if not np.any(np.isfinite(self.lb) | np.isfinite(self.ub)):
            return None
        return Bounds((self.lb - origin) / sigma, (self.ub - origin) / sigma)

    def _row_violation(self, x: np.ndarray) -> float:
        if not np.all(np.isfinite(x)):
            return math.inf
        return float(self._violation(x[None, :])[0])

    def _slsqp_projection(
        self, y: np.ndarray, sigma: np.ndarray, u0: np.ndarray, ftol: float
    ) -> tuple[Any, np.ndarray, np.ndarray]:
        """Minimize ``||u||^2 / 2`` over ``x = y + sigma * u`` in ``F``."""

        def objective(u: np.ndarray) -> tuple[float, np.ndarray]:
            return 0.5 * float(u @ u), u

        res = minimize(
            objective,
            u0,
            jac=True,
            method="SLSQP",
            bounds=self._affine_bounds(y, sigma),
            constraints=self._affine_constraints(y, sigma),
            options={"ftol": ftol, "maxiter": self.maxiter},
        )
        u = np.asarray(res.x, dtype=np.float64)
        return res, u, y + sigma * u

    def _project_row(self, y: np.ndarray, w: np.ndarray, label: str) -> np.ndarray:
        # In u = (x - y) / s with s_i = (w_max / w_i)^(1/2) the objective is
        # a multiple of ||u||^2, so SLSQP's initial quasi-Newton matrix (the
        # identity) is exact.  Later passes rescale u by the distance rho
        # found in the first, so that ftol acts as a relative tolerance; the
        # third pass restarts from y because SLSQP occasionally stalls a few
        # 1e-9 outside a curved boundary.
        s = np.sqrt(np.max(w) / w)
        passes: list[tuple[Any, np.ndarray]] = []

        def good(res: Any, x: np.ndarray) -> bool:
            viol = self._row_violation(x)
            return res.status in (0, 8) and viol <= self.feasibility_tol

        res, u, x = self._slsqp_projection(y, s, np.zeros(self.dim), 1e-10)
        passes.append((res, x))
        polished = self._polish_linear(y, s, x) if self.is_linear else None
        if polished is not None:
            return polished
        rho = float(np.linalg.norm(u))
        if 0.0 < rho < math.inf:
            for u0 in (u / rho, np.zeros(self.dim)):
                res, _, x = self._slsqp_projection(y, s * rho, u0, self.tol)
                passes.append((res, x))
                if self.is_linear:
                    polished = self._polish_linear(y, s, x)
                    if polished is not None:
                        return polished
                if good(res, x):
                    return x
        if good(*passes[0]):
            return passes[0][1]
        messages = [
            f"exit mode {res.status} ({res.message}), constraint violation "
            f"{self._row_violation(x):.3g}"
            for res, x in passes
        ]
        raise RuntimeError(
            f"ConvexSet.project: SLSQP failed{label}: "
            + "; ".join(messages)
            + f" (feasibility_tol {self.feasibility_tol:g})"
        )

    def _polish_linear(
        self, y: np.ndarray, s: np.ndarray, x: np.ndarray
    ) -> np.ndarray | None:
        """Exact projection on the active set of ``x``, if KKT holds.

        For linear constraints the projection solves the equality
        constrained problem ``min ||(x - y) / s||^2`` s.t. ``B x = b`` on its
        active set; with ``x = y + s * u`` the solution is the minimum-norm
        ``u`` of ``(B S) u = b - B y`` and the multipliers solve
        ``(B S)^T lam = -u``.  The point is accepted only if it is feasible
        to rounding and the inequality multipliers are non-negative.
        """
        g, h, e, f = self._g, self._h, self._e, self._f
        if not np.all(np.isfinite(x)):
            return None
        gy = g @ y
        slack = h - g @ x
        scale_h = 1.0 + np.abs(h) + np.abs(g) @ np.abs(x)
        scale_f = 1.0 + np.abs(f) + np.abs(e) @ np.abs(x)
        eps = np.finfo(np.float64).eps
        for threshold in (1e-10, 1e-7):
            active = slack <= threshold * scale_h
            b_mat = np.vstack([e, g[active]])
            rhs = np.concatenate([f - e @ y, h[active] - gy[active]])
            if b_mat.shape[0] == 0:
                continue
            bs = b_mat * s
            u, _, rank, sv = np.linalg.lstsq(bs, rhs, rcond=None)
            if rank == 0:
                continue
            xp = y + s * u
            lam = np.linalg.lstsq(bs.T, -u, rcond=None)[0]
            lam_in = lam[e.shape[0] :]
            lam_tol = 1e-9 * max(1.0, float(np.max(np.abs(lam))))
            if np.any(lam_in < -lam_tol):
                continue
            # rounding level of the solve: eps * condition number
            level = 64.0 * eps * float(sv[0] / sv[rank - 1])
            resid = np.abs(b_mat @ xp - np.concatenate([f, h[active]]))
            if np.any(resid > level * np.concatenate([scale_f, scale_h[active]])):
                continue
            if np.any(g @ xp - h > level * scale_h):
                continue
            return xp
        return None

    def _project(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        y64 = np.asarray(y, dtype=np.float64)
        w64 = np.asarray(w, dtype=np.float64)
        viol = self._violation(y64)
        inside = viol <= 16.0 * np.finfo(np.float64).eps
        out = y.copy()
        for i in np.flatnonzero(~inside):
            label = f" at row {int(i)}" if y.shape[0] > 1 else ""
            out[i] = self._project_row(y64[i], w64[i], label)
        return out

    def project(
        self, y: npt.ArrayLike, weights: npt.ArrayLike | None = None
    ) -> np.ndarray:
        """Weighted projection by SLSQP, one solve per row outside ``F``.

        See :meth:`Domain.project`.  Row numbers in error messages refer to
        the flattened batch (``numpy.ravel`` order of the leading axes).
        """
        return super().project(y, weights)

    # -- linear minimum ---------------------------------------------------

    def _feasible_point(self) -> np.ndarray:
        if self._feasible is None:
            x0 = np.zeros(self.dim)
            x0 = np.clip(x0, self.lb, self.ub)
            self._feasible = self._project_row(x0, np.ones(self.dim), " (start point)")
        return self._feasible

    def _linear_minimum_row(
        self, c: np.ndarray, label: str
    ) -> tuple[float, np.ndarray]:
        if self.is_linear:
            res = self._lp(c)
            if res.status == 3:
                return -math.inf, np.full(self.dim, np.nan)
            if res.status != 0:
                raise RuntimeError(
                    f"ConvexSet.linear_minimum: linprog failed{label}: {res.message}"
                )
            x = np.asarray(res.x, dtype=np.float64)
            return float(c @ x), x
        x0 = self._feasible_point()
        nc = float(np.linalg.norm(c))
        if nc == 0.0:
            return 0.0, x0.copy()
        cn = c / nc

        def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
            return float(cn @ x), cn

        zero, one = np.zeros(self.dim), np.ones(self.dim)
        res = minimize(
            objective,
            x0,
            jac=True,
            method="SLSQP",
            bounds=self._affine_bounds(zero, one),
            constraints=self._affine_constraints(zero, one),
            options={"ftol": self.tol, "maxiter": self.maxiter},
        )
        x = np.asarray(res.x, dtype=np.float64)
        finite = bool(np.all(np.isfinite(x)))
        viol = float(self._violation(x[None, :])[0]) if finite else math.inf
        if res.status in (0, 8) and viol <= self.feasibility_tol:
            return float(c @ x), x
        raise RuntimeError(
            f"ConvexSet.linear_minimum: SLSQP failed{label} (exit mode "
            f"{res.status}: {res.message}; constraint violation {viol:.3g}); "
            "the set may be unbounded in this direction"
        )

    def _linear_minimum(self, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        c64 = np.asarray(c, dtype=np.float64)
        n = c64.shape[0]
        values = np.empty(n)
        xs = np.empty((n, self.dim))
        for i in range(n):
            label = f" at row {i}" if n > 1 else ""
            values[i], xs[i] = self._linear_minimum_row(c64[i], label)
        return values, xs


def _affine_nonlinear(
    con: NonlinearConstraint, origin: np.ndarray, sigma: np.ndarray
) -> NonlinearConstraint:
    """Compose a nonlinear constraint with ``x = origin + sigma * u``."""
    fun: Callable[..., Any] = con.fun

    def fun_u(u: np.ndarray) -> Any:
        return fun(origin + sigma * u)

    jac: Any = con.jac
    if not callable(jac):
        return NonlinearConstraint(fun_u, con.lb, con.ub, jac=jac)
    jac_x: Callable[..., Any] = jac

    def jac_u(u: np.ndarray) -> np.ndarray:
        j = jac_x(origin + sigma * u)
        if hasattr(j, "toarray"):
            j = j.toarray()
        return np.atleast_2d(np.asarray(j, dtype=np.float64)) * sigma

    return NonlinearConstraint(fun_u, con.lb, con.ub, jac=jac_u)
