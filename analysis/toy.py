r"""Two-dimensional toy problems and the measurements made on their paths.

The AdaBelief paper (Zhuang et al. 2020, Fig. 3) compares SGD, Adam and
AdaBelief on small deterministic problems in the plane. This module
provides those that :mod:`analysis.problems` does not already have, as
:class:`analysis.problems.Problem` subclasses that
:func:`analysis.simulation.simulate` runs directly:

:class:`AbsLinear`
    :math:`f(\theta) = \lVert A(\theta - \theta^*)\rVert_1`, which covers
    :math:`|x| + |y|`, :math:`|x + y| + |x - y|/10` and
    :math:`|x|/10 + |y|`;
:class:`Beale`
    Beale's function, smooth, minimized at :math:`(3, 1/2)`.

The quadratic :math:`(x+y)^2 + (x-y)^2/10` is
:class:`analysis.problems.Quadratic` and Rosenbrock's function is
:class:`analysis.problems.Rosenbrock`.

It also provides what the notebook measures on a path
:math:`\theta_1, \dots, \theta_T`: the first step inside a neighbourhood
of the optimum (:func:`first_hitting_step`), the distance between two
paths (:func:`path_distance`) and the amplitude of an oscillation over
windows of steps (:func:`window_amplitude`).

Notes
-----
Convention at kinks. Where :math:`a_i^\top(\theta - \theta^*) = 0` the
absolute value has the subdifferential :math:`[-1, 1]`; the code takes
:math:`\operatorname{sign}(0) = 0`, so the subgradient returned is
:math:`A^\top \operatorname{sign}(A(\theta - \theta^*))` with
:math:`\operatorname{sign}(0) = 0`. This is what automatic
differentiation of ``abs`` gives in PyTorch and JAX, and, for a diagonal
:math:`A`, it is the subgradient of minimum norm.

References
----------
Zhuang et al., "AdaBelief Optimizer: Adapting Stepsizes by the Belief in
Observed Gradients", NeurIPS 2020.
Beale, "On an iterative method for finding a local minimum of a function
of more than one variable", Princeton technical report 25, 1958.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis._validation import (
    check_finite,
    check_points,
    check_positive_int,
    check_scalar_in_range,
)
from analysis.problems import Problem

__all__ = [
    "AbsLinear",
    "Beale",
    "first_hitting_step",
    "log_window_edges",
    "path_distance",
    "window_amplitude",
]

Array = NDArray[np.float64]


# ---------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------


class AbsLinear(Problem):
    r"""A sum of absolute values of linear forms.

    .. math:: f(\theta) = \sum_{i=1}^k \left|a_i^\top(\theta-\theta^*)
              \right| = \lVert A(\theta - \theta^*)\rVert_1 .

    Parameters
    ----------
    matrix : array_like
        :math:`A`, shape ``(k, d)`` with rows :math:`a_i`; :math:`A` must
        have rank :math:`d` so that :math:`\theta^*` is the only minimizer.
    minimizer : array_like
        :math:`\theta^*`, shape ``(d,)`` or scalar (default 0).

    Notes
    -----
    The paper's L1-type problems in the plane are
    ``AbsLinear([[1, 0], [0, 1]])`` for :math:`|x| + |y|`,
    ``AbsLinear([[1, 1], [0.1, -0.1]])`` for :math:`|x+y| + |x-y|/10` and
    ``AbsLinear([[0.1, 0], [0, 1]])`` for :math:`|x|/10 + |y|`.

    The subgradient is :math:`A^\top \operatorname{sign}(A(\theta -
    \theta^*))` with :math:`\operatorname{sign}(0) = 0` (see the module
    notes). It does not depend on the distance to the kinks, only on the
    side: away from the kinks the gradient is piecewise constant, and the
    Hessian is zero. On a kink line the Hessian does not exist and
    :meth:`hessian` returns NaN there.
    """

    def __init__(self, matrix: ArrayLike, minimizer: ArrayLike = 0.0) -> None:
        a = check_finite("matrix", matrix).astype(np.float64)
        if a.ndim != 2 or a.shape[0] < 1 or a.shape[1] < 1:
            raise ValueError(f"matrix must have shape (k, d), got {a.shape}")
        if np.linalg.matrix_rank(a) < a.shape[1]:
            raise ValueError(
                f"matrix must have rank d = {a.shape[1]} (a unique minimizer)"
            )
        self.A = a
        self.dim = a.shape[1]
        point = check_finite("minimizer", minimizer).astype(np.float64)
        try:
            self.minimizer = np.broadcast_to(point, (self.dim,)).copy()
        except ValueError:
            raise ValueError(
                f"minimizer must be a scalar or have shape ({self.dim},), "
                f"got {point.shape}"
            ) from None
        self.minimum = 0.0

    def forms(self, theta: ArrayLike) -> Array:
        r"""Return :math:`A(\theta - \theta^*)`, shape ``(..., k)``."""
        z = check_points("theta", theta, self.dim) - self.minimizer
        return z @ self.A.T

    def value(self, theta: ArrayLike) -> Array:
        r"""Return :math:`f(\theta)`, shape ``theta.shape[:-1]``."""
        return np.sum(np.abs(self.forms(theta)), axis=-1)

    def exact_gradient(self, theta: ArrayLike) -> Array:
        r"""Return the subgradient :math:`A^\top\operatorname{sign}(A(\theta
        - \theta^*))`, with :math:`\operatorname{sign}(0) = 0`."""
        # np.sign(0.0) == 0.0: the kink convention of the module notes.
        return np.sign(self.forms(theta)) @ self.A

    def hessian(self, theta: ArrayLike) -> Array:
        """Return the zero Hessian, NaN at points on a kink line.

        Shape ``(..., d, d)``.
        """
        on_kink = np.any(self.forms(theta) == 0, axis=-1)
        h = np.zeros((*on_kink.shape, self.dim, self.dim))
        h[on_kink] = np.nan
        return h

    def kink_distance(self, theta: ArrayLike) -> Array:
        r"""Return the distance from :math:`\theta` to the nearest kink line.

        That is :math:`\min_i |a_i^\top(\theta-\theta^*)| / \lVert a_i
        \rVert`, shape ``theta.shape[:-1]``; zero exactly on a kink.
        """
        norms = np.linalg.norm(self.A, axis=1)
        return np.min(np.abs(self.forms(theta)) / norms, axis=-1)

    def gradient(self, theta: Array, data: Array | None, t: int) -> Array:
        """Return the subgradient (the problem is deterministic)."""
        return self.exact_gradient(theta)

    def loss(self, theta: Array, data: Array | None, t: int) -> Array:
        """Return :math:`f(\\theta)`."""
        return self.value(theta)

    def __repr__(self) -> str:
        rows = ", ".join(str(list(map(float, row))) for row in self.A)
        return f"AbsLinear(matrix=[{rows}], minimizer={list(self.minimizer)})"


class Beale(Problem):
    r"""Beale's function in the plane.

    .. math:: f(x, y) = \sum_{k=1}^{3} \left(c_k - x + x y^k\right)^2,
              \qquad c = (1.5,\ 2.25,\ 2.625),

    with its global minimum :math:`f = 0` at :math:`(3, 1/2)`.

    Notes
    -----
    With :math:`r_k = c_k - x + x y^k`, the gradient is
    :math:`\nabla f = \sum_k 2 r_k (y^k - 1,\ k x y^{k-1})` and the
    Hessian is :math:`\sum_k 2(\nabla r_k \nabla r_k^\top + r_k
    \nabla^2 r_k)` with :math:`\nabla^2 r_k = \begin{pmatrix} 0 &
    k y^{k-1} \\ k y^{k-1} & k(k-1) x y^{k-2}\end{pmatrix}`.
    """

    C: tuple[float, float, float] = (1.5, 2.25, 2.625)

    def __init__(self) -> None:
        self.dim = 2
        self.minimizer = np.array([3.0, 0.5])
        self.minimum = 0.0

    def _parts(self, theta: ArrayLike) -> tuple[Array, Array, list[Array]]:
        z = check_points("theta", theta, 2)
        x, y = z[..., 0], z[..., 1]
        residuals = [c - x + x * y ** (k + 1) for k, c in enumerate(self.C)]
        return x, y, residuals

    def value(self, theta: ArrayLike) -> Array:
        r"""Return :math:`f(\theta)`, shape ``theta.shape[:-1]``."""
        _, _, residuals = self._parts(theta)
        return np.asarray(sum(r * r for r in residuals))

    def exact_gradient(self, theta: ArrayLike) -> Array:
        r"""Return :math:`\nabla f(\theta)`, shape of ``theta``."""
        x, y, residuals = self._parts(theta)
        gx = np.zeros_like(x)
        gy = np.zeros_like(x)
        for k, r in enumerate(residuals, start=1):
            gx = gx + 2.0 * r * (y**k - 1.0)
            gy = gy + 2.0 * r * k * x * y ** (k - 1)
        return np.stack([gx, gy], axis=-1)

    def hessian(self, theta: ArrayLike) -> Array:
        r"""Return :math:`\nabla^2 f(\theta)`, shape ``(..., 2, 2)``."""
        x, y, residuals = self._parts(theta)
        hxx = np.zeros_like(x)
        hxy = np.zeros_like(x)
        hyy = np.zeros_like(x)
        for k, r in enumerate(residuals, start=1):
            # Gradient of r_k, then its Hessian (only the y-terms are non-zero).
            rx, ry = y**k - 1.0, k * x * y ** (k - 1)
            rxy = k * y ** (k - 1)
            ryy = k * (k - 1) * x * y ** (k - 2) if k >= 2 else np.zeros_like(x)
            hxx = hxx + 2.0 * rx * rx
            hxy = hxy + 2.0 * (rx * ry + r * rxy)
            hyy = hyy + 2.0 * (ry * ry + r * ryy)
        row0 = np.stack([hxx, hxy], axis=-1)
        row1 = np.stack([hxy, hyy], axis=-1)
        return np.stack([row0, row1], axis=-2)

    def gradient(self, theta: Array, data: Array | None, t: int) -> Array:
        """Return the exact gradient."""
        return self.exact_gradient(theta)

    def loss(self, theta: Array, data: Array | None, t: int) -> Array:
        """Return :math:`f(\\theta)`."""
        return self.value(theta)

    def __repr__(self) -> str:
        return "Beale()"


# ---------------------------------------------------------------------------
# Measurements on paths
# ---------------------------------------------------------------------------


def _path(name: str, path: ArrayLike) -> Array:
    arr = check_finite(name, path).astype(np.float64)
    if arr.ndim < 2 or arr.shape[0] < 1:
        raise ValueError(
            f"{name} must have shape (steps, ..., d) with steps >= 1, got {arr.shape}"
        )
    return arr


def first_hitting_step(
    path: ArrayLike, target: ArrayLike, radius: float
) -> NDArray[np.int64]:
    r"""Return the first step at which a path is within ``radius`` of a point.

    Parameters
    ----------
    path : array_like
        Iterates :math:`\theta_1, \dots, \theta_T`, shape ``(T, ..., d)``;
        row ``t - 1`` is :math:`\theta_t`.
    target : array_like
        :math:`\theta^*`, shape ``(d,)`` (broadcast against the path).
    radius : float
        :math:`r > 0`.

    Returns
    -------
    numpy.ndarray of int
        :math:`\min\{t : \lVert\theta_t - \theta^*\rVert_2 \le r\}`, shape
        ``path.shape[1:-1]``; ``-1`` where the path never gets there.
    """
    arr = _path("path", path)
    point = check_finite("target", target).astype(np.float64)
    r = check_scalar_in_range("radius", radius, 0.0, np.inf, low_closed=False)
    inside = np.linalg.norm(arr - point, axis=-1) <= r
    first = np.argmax(inside, axis=0) + 1
    return np.where(np.any(inside, axis=0), first, -1).astype(np.int64)


def path_distance(first: ArrayLike, second: ArrayLike) -> float:
    r"""Return the symmetric Hausdorff distance between two polygonal paths'
    vertex sets.

    .. math:: d_H(P, Q) = \max\Big(\max_{p\in P}\min_{q\in Q}\lVert p-q
              \rVert,\ \max_{q\in Q}\min_{p\in P}\lVert p-q\rVert\Big).

    Parameters
    ----------
    first, second : array_like
        Vertices of each path, shapes ``(n, d)`` and ``(m, d)``.

    Returns
    -------
    float
        :math:`d_H`; zero when the two paths visit the same points, in any
        order and at any speed.

    Notes
    -----
    The distance compares where the paths go, not when: two methods that
    follow the same curve at different speeds are at distance zero. It
    is computed in blocks of rows, so memory stays of order
    ``1024 * m``.
    """
    p = _path("first", first)
    q = _path("second", second)
    if p.ndim != 2 or q.ndim != 2 or p.shape[1] != q.shape[1]:
        raise ValueError(
            f"first and second must have shapes (n, d) and (m, d) with the same "
            f"d, got {p.shape} and {q.shape}"
        )
    return max(_directed_hausdorff(p, q), _directed_hausdorff(q, p))


def _directed_hausdorff(p: Array, q: Array, block: int = 1024) -> float:
    """``max over p of min over q`` of the Euclidean distance."""
    worst = 0.0
    for start in range(0, p.shape[0], block):
        chunk = p[start : start + block]
        d2 = np.sum((chunk[:, None, :] - q[None, :, :]) ** 2, axis=-1)
        worst = max(worst, float(np.sqrt(np.max(np.min(d2, axis=1)))))
    return worst


def window_amplitude(
    values: ArrayLike, edges: ArrayLike
) -> tuple[NDArray[Any], NDArray[np.float64]]:
    r"""Return the amplitude :math:`\max |u_t|` of a signal over windows.

    Parameters
    ----------
    values : array_like
        The signal :math:`u_1, \dots, u_T`, shape ``(T, ...)``; row
        ``t - 1`` is :math:`u_t` (for instance the coordinate :math:`y_t`
        of the iterates, whose distance to the axis :math:`y = 0` is
        :math:`|y_t|`).
    edges : array_like of int
        Strictly increasing steps :math:`e_0 < e_1 < \dots < e_K` in
        :math:`[1, T+1]`; window :math:`k` holds the steps
        :math:`e_{k-1} \le t < e_k`.

    Returns
    -------
    amplitude : numpy.ndarray
        :math:`A_k = \max_{e_{k-1} \le t < e_k} |u_t|`, shape
        ``(K, ...)``.
    centre : numpy.ndarray
        Geometric centre :math:`\sqrt{e_{k-1}(e_k - 1)}` of each window,
        shape ``(K,)``, the abscissa used for power-law fits.

    Notes
    -----
    The maximum over a window bounds the oscillation from above: for a
    period-2 cycle :math:`u_{t+1} = u_t - \alpha\operatorname{sign}(u_t)`
    it is :math:`\max(|u|, \alpha - |u|) \ge \alpha/2`.
    """
    u = check_finite("values", values).astype(np.float64)
    if u.ndim < 1 or u.shape[0] < 1:
        raise ValueError(f"values must have shape (T, ...) with T >= 1, got {u.shape}")
    e = np.asarray(edges)
    if e.ndim != 1 or e.size < 2 or not np.issubdtype(e.dtype, np.integer):
        raise ValueError("edges must be a 1-d array of at least 2 integer steps")
    if np.any(np.diff(e) <= 0):
        raise ValueError("edges must be strictly increasing")
    if e[0] < 1 or e[-1] > u.shape[0] + 1:
        raise ValueError(f"edges must lie in [1, T + 1 = {u.shape[0] + 1}]")
    starts = e[:-1].astype(np.int64) - 1
    amplitude = np.maximum.reduceat(np.abs(u[: e[-1] - 1]), starts, axis=0)
    centre = np.sqrt(e[:-1] * (e[1:] - 1.0))
    return amplitude, centre


def log_window_edges(first: int, last: int, count: int) -> NDArray[np.int64]:
    r"""Return about ``count`` + 1 log-spaced window edges from ``first`` to
    ``last + 1``.

    Parameters
    ----------
    first, last : int
        First and last step covered, :math:`1 \le` ``first`` :math:`<`
        ``last``.
    count : int
        Number of windows wanted (duplicates from rounding are dropped,
        so there may be fewer).

    Returns
    -------
    numpy.ndarray of int
        Strictly increasing edges for :func:`window_amplitude`.
    """
    first = check_positive_int("first", first)
    last = check_positive_int("last", last)
    count = check_positive_int("count", count)
    if last <= first:
        raise ValueError(f"last must be > first = {first}, got {last}")
    grid = np.geomspace(first, last + 1, count + 1)
    edges = np.unique(np.round(grid).astype(np.int64))
    edges[0], edges[-1] = first, last + 1
    return np.unique(edges)
