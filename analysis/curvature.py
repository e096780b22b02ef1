r"""Curvature along optimizer trajectories: secants, diagonals and Fisher.

Tools for checking how the quantities of adaptive methods relate to the
Hessian :math:`H = \nabla^2 f`:

* :func:`secant_errors` compares the gradient difference between two
  recorded iterates with the Hessian-vector product along the step,
  :math:`g_{t+1} - g_t \approx H\,\Delta\theta_t` with
  :math:`\Delta\theta_t = \theta_{t+1} - \theta_t`;
* :func:`coordinate_secant_ratio` forms the coordinate-wise ratio
  :math:`(g_{t+1} - g_t)_i / \Delta\theta_{t,i}`, which a diagonal
  method would read as :math:`H_{ii}`;
* :func:`belief_residuals` rewrites AdaBelief's residual
  :math:`g_t - m_t` as a filtered sum of gradient differences, and
  :func:`ema` is the plain moving average used to build
  :math:`\hat s_t` from it;
* :func:`diagonal_preconditioning` measures how far
  :math:`\operatorname{diag}(H)^{-1}` is from :math:`H^{-1}`, and
  :func:`coupled_rotation` builds rotations that couple coordinates by a
  chosen angle;
* :class:`LinearRegression` is a streaming least-squares problem whose
  gradient covariance at the optimum is proportional to its Hessian.

References
----------
Nocedal & Wright, "Numerical Optimization", 2nd ed., Springer 2006
(secant equation, Chapter 6; Jacobi preconditioning, Chapter 5).
Martens, "New Insights and Perspectives on the Natural Gradient Method",
JMLR 2020 (Fisher and Hessian of least squares).
Zhuang et al., "AdaBelief Optimizer: Adapting Stepsizes by the Belief in
Observed Gradients", NeurIPS 2020.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.linalg import expm

from analysis._validation import (
    check_finite,
    check_points,
    check_positive_int,
    check_rng,
    check_scalar_in_range,
)
from analysis.problems import Problem

__all__ = [
    "DiagonalPreconditioning",
    "LinearRegression",
    "SecantErrors",
    "belief_residuals",
    "coordinate_secant_ratio",
    "coupled_rotation",
    "diagonal_preconditioning",
    "ema",
    "off_diagonal_fraction",
    "secant_errors",
]

Array = NDArray[np.float64]
HessianLike = Callable[[Array], Array] | ArrayLike
Where = Literal["start", "midpoint", "end"]


# ---------------------------------------------------------------------------
# Secant relation along a trajectory
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SecantErrors:
    r"""Gradient differences against Hessian-vector products along a run.

    All arrays have the leading shape ``(T - 1, ...)`` of the differences
    between consecutive recorded steps.

    Attributes
    ----------
    step : numpy.ndarray
        :math:`\Delta\theta_t = \theta_{t+1} - \theta_t`, shape
        ``(T - 1, ..., d)``.
    gradient_difference : numpy.ndarray
        :math:`g_{t+1} - g_t`, same shape.
    hvp : numpy.ndarray
        :math:`H(\xi_t)\,\Delta\theta_t`, same shape, with :math:`\xi_t`
        the point named by ``at``.
    residual : numpy.ndarray
        ``gradient_difference - hvp``.
    step_norm, hvp_norm, residual_norm : numpy.ndarray
        Euclidean norms over the last axis, shape ``(T - 1, ...)``.
    at : str
        Where the Hessian was taken: ``"start"`` (:math:`\theta_t`),
        ``"midpoint"`` or ``"end"`` (:math:`\theta_{t+1}`).
    """

    step: Array
    gradient_difference: Array
    hvp: Array
    residual: Array
    step_norm: Array
    hvp_norm: Array
    residual_norm: Array
    at: str

    @property
    def relative_residual(self) -> Array:
        r""":math:`\lVert g_{t+1}-g_t-H\Delta\theta_t\rVert /
        \lVert H\Delta\theta_t\rVert` (``inf`` where the product is 0)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            out = self.residual_norm / self.hvp_norm
        return np.where(self.hvp_norm > 0, out, np.inf)


def _hessian_at(hessian: HessianLike, points: Array) -> Array:
    """Evaluate ``hessian`` at ``points`` (..., d) -> (..., d, d)."""
    dim = points.shape[-1]
    if callable(hessian):
        h = np.asarray(hessian(points), dtype=np.float64)
    else:
        h = np.asarray(check_finite("hessian", hessian), dtype=np.float64)
    if h.shape[-2:] != (dim, dim):
        raise ValueError(
            f"hessian must be (d, d) = ({dim}, {dim}) or map points to "
            f"(..., {dim}, {dim}), got shape {h.shape}"
        )
    return h


def secant_errors(
    theta: ArrayLike,
    g: ArrayLike,
    hessian: HessianLike,
    *,
    at: Where = "start",
) -> SecantErrors:
    r"""Compare :math:`g_{t+1} - g_t` with :math:`H\,\Delta\theta_t`.

    Parameters
    ----------
    theta : array_like
        Recorded iterates :math:`\theta_t`, shape ``(T, ..., d)`` with
        :math:`T \ge 2` (time first, as in
        :attr:`analysis.simulation.RunResult.history`).
    g : array_like
        Recorded gradients :math:`g_t` taken at ``theta``, same shape.
    hessian : callable or array_like
        Either a constant matrix, shape ``(d, d)``, or a function mapping
        points of shape ``(..., d)`` to Hessians ``(..., d, d)`` (such as
        ``Rosenbrock().hessian``).
    at : {"start", "midpoint", "end"}
        Point of the Hessian: :math:`\theta_t`,
        :math:`(\theta_t + \theta_{t+1})/2` or :math:`\theta_{t+1}`.

    Returns
    -------
    SecantErrors

    Notes
    -----
    For a twice continuously differentiable :math:`f` with exact
    gradients, Taylor's theorem gives

    .. math:: g_{t+1} - g_t = \int_0^1 H(\theta_t + u\Delta\theta_t)\,du
              \;\Delta\theta_t ,

    so the residual is zero on a quadratic (up to rounding), of order
    :math:`\lVert\Delta\theta_t\rVert^2` with :math:`H(\theta_t)` or
    :math:`H(\theta_{t+1})` and of order
    :math:`\lVert\Delta\theta_t\rVert^3` with the midpoint Hessian
    (midpoint rule) when :math:`f` has Lipschitz third derivatives.
    With stochastic gradients :math:`\tilde g_t = g_t + \xi_t` the
    residual gains :math:`\xi_{t+1} - \xi_t`, whose size does not shrink
    with the step.

    References
    ----------
    Nocedal & Wright (2006), Section 6.1 (the secant equation).

    Raises
    ------
    ValueError
        If the shapes differ, there are fewer than two steps, an entry is
        not finite, or ``at`` is unknown.
    """
    th = np.asarray(check_finite("theta", theta), dtype=np.float64)
    gr = np.asarray(check_finite("g", g), dtype=np.float64)
    if th.shape != gr.shape:
        raise ValueError(f"g must have the shape of theta {th.shape}, got {gr.shape}")
    if th.ndim < 2 or th.shape[0] < 2:
        raise ValueError(
            f"theta must have shape (T, ..., d) with T >= 2, got {th.shape}"
        )
    points = {
        "start": lambda: th[:-1],
        "midpoint": lambda: 0.5 * (th[:-1] + th[1:]),
        "end": lambda: th[1:],
    }
    if at not in points:
        raise ValueError(f"at must be one of {tuple(points)}, got {at!r}")

    # Differences between consecutive recorded steps.
    step = th[1:] - th[:-1]
    difference = gr[1:] - gr[:-1]

    # Hessian-vector product at the chosen point.
    h = _hessian_at(hessian, points[at]())
    hvp = np.einsum("...ij,...j->...i", h, step)

    residual = difference - hvp
    norm = np.linalg.norm
    return SecantErrors(
        step=step,
        gradient_difference=difference,
        hvp=hvp,
        residual=residual,
        step_norm=norm(step, axis=-1),
        hvp_norm=norm(hvp, axis=-1),
        residual_norm=norm(residual, axis=-1),
        at=at,
    )


def coordinate_secant_ratio(
    gradient_difference: ArrayLike, step: ArrayLike, *, min_step: float = 0.0
) -> Array:
    r"""Coordinate-wise secant ratio :math:`(g_{t+1}-g_t)_i/\Delta\theta_{t,i}`.

    Parameters
    ----------
    gradient_difference, step : array_like
        :math:`g_{t+1} - g_t` and :math:`\Delta\theta_t`, same shape.
    min_step : float
        Coordinates with :math:`|\Delta\theta_{t,i}| \le` ``min_step`` get
        NaN (the ratio is undefined at a zero step), :math:`\ge 0`.

    Returns
    -------
    numpy.ndarray
        The ratios, NaN where the step is too small.

    Notes
    -----
    On a quadratic, :math:`(H\Delta\theta)_i/\Delta\theta_i = H_{ii} +
    \sum_{j\ne i} H_{ij}\Delta\theta_j/\Delta\theta_i`: the ratio equals
    :math:`H_{ii}` for every step only when :math:`H` is diagonal; the
    off-diagonal term depends on the direction of the step and is
    unbounded when :math:`\Delta\theta_i` is small.
    """
    diff = np.asarray(check_finite("gradient_difference", gradient_difference), float)
    dth = np.asarray(check_finite("step", step), dtype=np.float64)
    if diff.shape != dth.shape:
        raise ValueError(
            f"step must have the shape of gradient_difference {diff.shape}, "
            f"got {dth.shape}"
        )
    floor = check_scalar_in_range("min_step", min_step, 0.0, np.inf)
    ok = np.abs(dth) > floor
    out = np.full(diff.shape, np.nan)
    np.divide(diff, dth, out=out, where=ok)
    return out


# ---------------------------------------------------------------------------
# AdaBelief's residual as filtered gradient differences
# ---------------------------------------------------------------------------


def belief_residuals(
    differences: ArrayLike, first_gradient: ArrayLike, beta1: float
) -> Array:
    r"""AdaBelief's residual :math:`g_t - m_t` from gradient differences.

    Parameters
    ----------
    differences : array_like
        :math:`d_t = g_t - g_{t-1}` for :math:`t = 2, \dots, T`, shape
        ``(T - 1, ..., d)``; on a quadratic, :math:`d_t =
        H\Delta\theta_{t-1}`.
    first_gradient : array_like
        :math:`g_1`, shape ``(..., d)``; pass zeros to drop the start-up
        term and keep only the part made of gradient differences.
    beta1 : float
        Constant momentum :math:`\beta_1 \in [0, 1)`.

    Returns
    -------
    numpy.ndarray
        :math:`g_t - m_t` for :math:`t = 1, \dots, T`, shape
        ``(T, ..., d)``.

    Notes
    -----
    With :math:`m_0 = 0` and :math:`r_t = g_t - m_{t-1}`, the momentum
    recursion gives :math:`r_1 = g_1`, :math:`r_{t+1} = d_{t+1} +
    \beta_1 r_t` and :math:`g_t - m_t = \beta_1 r_t`, so

    .. math:: g_t - m_t = \sum_{j=0}^{t-2} \beta_1^{j+1} d_{t-j}
              + \beta_1^{t} g_1 .

    If the differences are constant, the sum tends to
    :math:`\beta_1/(1-\beta_1)\, d_t`; if they alternate in sign, to
    :math:`\beta_1/(1+\beta_1)\, d_t`. The start-up term
    :math:`\beta_1^t g_1` is a gradient, not a difference, and enters
    :math:`s_t` squared with weight :math:`(1-\beta_2)\beta_2^{t-1}`.
    """
    diff = np.asarray(check_finite("differences", differences), dtype=np.float64)
    first = np.asarray(check_finite("first_gradient", first_gradient), float)
    if diff.ndim < 1 or diff.shape[1:] != first.shape:
        raise ValueError(
            f"differences must have shape (T - 1, *{first.shape}), got {diff.shape}"
        )
    b1 = check_scalar_in_range("beta1", beta1, 0.0, 1.0)

    # r_1 = g_1, then r_{t+1} = d_{t+1} + beta1 r_t.
    r = np.empty((diff.shape[0] + 1, *first.shape))
    r[0] = first
    for t in range(diff.shape[0]):
        r[t + 1] = diff[t] + b1 * r[t]
    return b1 * r


def ema(x: ArrayLike, beta: float, *, bias_correction: bool = True) -> Array:
    r"""Exponential moving average along the first axis, from zero.

    Parameters
    ----------
    x : array_like
        Samples :math:`x_1, \dots, x_T`, shape ``(T, ...)``.
    beta : float
        :math:`\beta \in [0, 1)`.
    bias_correction : bool
        Divide by :math:`1 - \beta^t`.

    Returns
    -------
    numpy.ndarray
        :math:`a_t = \beta a_{t-1} + (1-\beta) x_t` with :math:`a_0 = 0`
        (divided by :math:`1-\beta^t` if asked), shape of ``x``.
    """
    arr = np.asarray(check_finite("x", x), dtype=np.float64)
    if arr.ndim < 1 or arr.shape[0] < 1:
        raise ValueError(f"x must have shape (T, ...) with T >= 1, got {arr.shape}")
    b = check_scalar_in_range("beta", beta, 0.0, 1.0)
    out = np.empty_like(arr)
    acc = np.zeros(arr.shape[1:])
    for t in range(arr.shape[0]):
        acc = b * acc + (1 - b) * arr[t]
        out[t] = acc / (1 - b ** (t + 1)) if bias_correction else acc
    return out


# ---------------------------------------------------------------------------
# Diagonal against full inverse Hessian
# ---------------------------------------------------------------------------


def _symmetric_matrix(name: str, value: ArrayLike) -> Array:
    h = np.asarray(check_finite(name, value), dtype=np.float64)
    if h.ndim != 2 or h.shape[0] != h.shape[1]:
        raise ValueError(f"{name} must be a square (d, d) matrix, got {h.shape}")
    if not np.allclose(h, h.T, rtol=1e-12, atol=1e-14):
        raise ValueError(f"{name} must be symmetric")
    return 0.5 * (h + h.T)


def off_diagonal_fraction(hessian: ArrayLike) -> float:
    r"""Share of :math:`H` off its diagonal:
    :math:`\lVert H - \operatorname{diag}(H)\rVert_F / \lVert H\rVert_F \in [0, 1]`.
    """
    h = _symmetric_matrix("hessian", hessian)
    total = float(np.linalg.norm(h))
    if total == 0.0:
        raise ValueError("hessian must not be zero")
    return float(np.linalg.norm(h - np.diag(np.diag(h)))) / total


@dataclasses.dataclass(frozen=True)
class DiagonalPreconditioning:
    r"""How well :math:`D^{-1} = \operatorname{diag}(H)^{-1}` stands in for
    :math:`H^{-1}`.

    Attributes
    ----------
    condition : float
        :math:`\kappa(H) = \lambda_{\max}/\lambda_{\min}`.
    preconditioned_condition : float
        :math:`\kappa(D^{-1/2} H D^{-1/2})`, the condition number seen by
        a method that divides by the diagonal (1 for Newton).
    unit_step_radius : float
        Spectral radius of :math:`I - D^{-1}H`, the error contraction
        factor of the unit-step diagonal Newton iteration
        :math:`\theta \leftarrow \theta - D^{-1}\nabla f` (it diverges
        when this exceeds 1; Newton's is 0).
    damped_radius : float
        :math:`(\kappa' - 1)/(\kappa' + 1)` with :math:`\kappa'` the
        preconditioned condition: the contraction factor of the best
        constant step along :math:`D^{-1}\nabla f`.
    off_diagonal : float
        :func:`off_diagonal_fraction` of :math:`H`.
    """

    condition: float
    preconditioned_condition: float
    unit_step_radius: float
    damped_radius: float
    off_diagonal: float

    def steps_to(self, tolerance: float, *, damped: bool = False) -> float:
        r"""Steps for the error to shrink by ``tolerance`` in the worst case.

        :math:`\lceil\log(\text{tol})/\log\rho\rceil` for the contraction
        factor :math:`\rho` (``inf`` if :math:`\rho \ge 1`, 1 if
        :math:`\rho = 0`).
        """
        tol = check_scalar_in_range("tolerance", tolerance, 0.0, 1.0, low_closed=False)
        rho = self.damped_radius if damped else self.unit_step_radius
        if rho >= 1.0:
            return float("inf")
        if rho <= 0.0:
            return 1.0
        return float(np.ceil(np.log(tol) / np.log(rho)))


def diagonal_preconditioning(hessian: ArrayLike) -> DiagonalPreconditioning:
    r"""Measure :math:`\operatorname{diag}(H)^{-1}` as a stand-in for
    :math:`H^{-1}`.

    Parameters
    ----------
    hessian : array_like
        Symmetric positive definite :math:`H`, shape ``(d, d)``.

    Returns
    -------
    DiagonalPreconditioning

    Notes
    -----
    With :math:`D = \operatorname{diag}(H)`, the iteration
    :math:`\theta_{k+1} = \theta_k - \alpha D^{-1}\nabla f(\theta_k)` on
    :math:`f = \tfrac12 (\theta-\theta^*)^\top H(\theta-\theta^*)` has
    error map :math:`I - \alpha D^{-1}H`, similar to
    :math:`I - \alpha D^{-1/2}HD^{-1/2}`, whose eigenvalues are
    :math:`1 - \alpha\mu_i` with :math:`\mu_i` those of
    :math:`D^{-1/2}HD^{-1/2}` (unit diagonal, so
    :math:`\sum_i \mu_i = d` and :math:`\mu_{\max}` can reach :math:`d`).
    Newton's :math:`\alpha = 1, D = H` gives the zero map. For a diagonal
    :math:`H` both coincide; for :math:`H = \begin{pmatrix}1 & \rho\\
    \rho & 1\end{pmatrix}`, :math:`\mu = 1 \pm \rho`, so the unit step
    contracts by :math:`|\rho|` and the preconditioned condition is
    :math:`(1+|\rho|)/(1-|\rho|)`.

    References
    ----------
    Nocedal & Wright (2006), Section 5.1 (preconditioning);
    van der Sluis, "Condition numbers and equilibration of matrices",
    Numer. Math. 1969 (diagonal scaling is within a factor d of the best).
    """
    h = _symmetric_matrix("hessian", hessian)
    eig = np.linalg.eigvalsh(h)
    if eig[0] <= 0:
        raise ValueError(
            f"hessian must be positive definite, smallest eigenvalue {eig[0]:.3g}"
        )
    scale = 1.0 / np.sqrt(np.diag(h))
    mu = np.linalg.eigvalsh(h * scale[:, None] * scale[None, :])
    kappa = float(eig[-1] / eig[0])
    kappa_pre = float(mu[-1] / mu[0])
    return DiagonalPreconditioning(
        condition=kappa,
        preconditioned_condition=kappa_pre,
        unit_step_radius=float(np.max(np.abs(1.0 - mu))),
        damped_radius=(kappa_pre - 1.0) / (kappa_pre + 1.0),
        off_diagonal=off_diagonal_fraction(h),
    )


def coupled_rotation(dim: int, angle: float, rng: np.random.Generator) -> Array:
    r"""An orthogonal matrix :math:`U = \exp(\phi K)` a given angle from
    the identity.

    Parameters
    ----------
    dim : int
        :math:`d \ge 2`.
    angle : float
        :math:`\phi \ge 0`; 0 gives the identity (an axis-aligned
        quadratic), larger angles couple the coordinates more.
    rng : numpy.random.Generator
        Source of the random generator :math:`K`.

    Returns
    -------
    numpy.ndarray
        :math:`U`, shape ``(d, d)``, orthogonal with determinant 1.

    Notes
    -----
    :math:`K = (A - A^\top)/\lVert A - A^\top\rVert_2` with :math:`A`
    standard Gaussian, so :math:`K` is skew-symmetric with spectral norm 1
    and the largest principal angle of :math:`U` is :math:`\phi` (for
    :math:`\phi \le \pi`). The same ``rng`` state gives the same
    :math:`K` for every angle, so a sweep over ``angle`` moves along one
    path in the rotation group.
    """
    dim = check_positive_int("dim", dim)
    if dim < 2:
        raise ValueError(f"dim must be an integer >= 2, got {dim}")
    phi = check_scalar_in_range("angle", angle, 0.0, np.inf)
    rng = check_rng("rng", rng)
    a = rng.standard_normal((dim, dim))
    k = a - a.T
    k /= np.linalg.norm(k, 2)
    u: Array = expm(phi * k)
    return u


# ---------------------------------------------------------------------------
# Streaming linear regression: gradient covariance tied to the Hessian
# ---------------------------------------------------------------------------


class LinearRegression(Problem):
    r"""Least squares on a stream of Gaussian examples.

    Each step draws ``batch_size`` fresh examples
    :math:`x \sim \mathcal N(0, \Sigma)`,
    :math:`y = x^\top\theta^* + \sigma\xi` with
    :math:`\xi \sim \mathcal N(0, 1)`, and the observed gradient is the
    minibatch mean of :math:`x(x^\top\theta - y)`.

    Parameters
    ----------
    covariance : array_like
        :math:`\Sigma`, symmetric positive semi-definite, shape
        ``(d, d)``, or the vector of its diagonal.
    minimizer : array_like
        :math:`\theta^*`, scalar or shape ``(d,)``.
    noise_std : float
        :math:`\sigma \ge 0`.
    batch_size : int
        Examples per step :math:`B \ge 1`.

    Notes
    -----
    The population loss, its gradient and Hessian are exact:

    .. math:: f(\theta) = \tfrac12 e^\top\Sigma e + \tfrac12\sigma^2,
              \quad \nabla f = \Sigma e, \quad \nabla^2 f = \Sigma,
              \qquad e = \theta - \theta^*.

    The minibatch gradient is unbiased, with covariance (Isserlis'
    theorem for Gaussian :math:`x`)

    .. math:: \operatorname{Cov} \tilde g = \frac1B\left(\Sigma e e^\top
              \Sigma + (e^\top\Sigma e + \sigma^2)\,\Sigma\right),

    so at the optimum it is :math:`\sigma^2 H / B`: the gradient noise
    is the Hessian scaled (the Fisher information of the Gaussian model
    is :math:`\Sigma/\sigma^2`). Hence :math:`\mathbb E\tilde g_i^2 =
    \sigma^2 H_{ii}/B` there, the situation in which
    :math:`1/\sqrt{v}` scales like :math:`\operatorname{diag}(H)^{-1/2}`.
    The loss passed to the simulator is the population :math:`f`.

    References
    ----------
    Martens (2020), Section 9 (Fisher and Hessian).
    """

    def __init__(
        self,
        covariance: ArrayLike,
        minimizer: ArrayLike = 0.0,
        noise_std: float = 1.0,
        batch_size: int = 1,
    ) -> None:
        sigma = np.asarray(check_finite("covariance", covariance), dtype=np.float64)
        if sigma.ndim == 1:
            sigma = np.diag(sigma)
        sigma = _symmetric_matrix("covariance", sigma)
        eig, vec = np.linalg.eigh(sigma)
        if eig[0] < -1e-12 * max(1.0, float(np.abs(eig).max())):
            raise ValueError(
                "covariance must be positive semi-definite, smallest eigenvalue "
                f"{eig[0]:.3g}"
            )
        self.dim = sigma.shape[0]
        self.covariance = sigma
        # Symmetric square root: x = root @ z with z ~ N(0, I).
        self.root = (vec * np.sqrt(np.clip(eig, 0.0, None))) @ vec.T
        star = np.asarray(check_finite("minimizer", minimizer), dtype=np.float64)
        try:
            self.minimizer = np.broadcast_to(star, (self.dim,)).copy()
        except ValueError:
            raise ValueError(
                f"minimizer must be a scalar or have shape ({self.dim},), "
                f"got {star.shape}"
            ) from None
        self.noise_std = check_scalar_in_range("noise_std", noise_std, 0.0, np.inf)
        self.batch_size = check_positive_int("batch_size", batch_size)

    def value(self, theta: ArrayLike) -> Array:
        r"""Population loss :math:`\tfrac12 e^\top\Sigma e + \tfrac12\sigma^2`."""
        return self._value(check_points("theta", theta, self.dim))

    def exact_gradient(self, theta: ArrayLike) -> Array:
        r"""Return :math:`\Sigma(\theta - \theta^*)`."""
        return self._exact_gradient(check_points("theta", theta, self.dim))

    # The unchecked forms, for the simulator's iterates (already checked).
    def _value(self, theta: Array) -> Array:
        e = np.asarray(theta, dtype=np.float64) - self.minimizer
        quad = np.einsum("...i,ij,...j->...", e, self.covariance, e)
        out: Array = 0.5 * quad + 0.5 * self.noise_std**2
        return out

    def _exact_gradient(self, theta: Array) -> Array:
        e = np.asarray(theta, dtype=np.float64) - self.minimizer
        out: Array = e @ self.covariance
        return out

    def hessian(self, theta: ArrayLike | None = None) -> Array:
        r"""Return :math:`\Sigma` (the same at every point)."""
        return self.covariance.copy()

    def gradient_covariance(self, theta: ArrayLike) -> Array:
        r"""Covariance of the minibatch gradient at ``theta`` (see Notes),
        shape ``(..., d, d)``."""
        e = check_points("theta", theta, self.dim) - self.minimizer
        se = e @ self.covariance
        ese = np.einsum("...i,...i->...", e, se)
        outer = se[..., :, None] * se[..., None, :]
        level = (ese + self.noise_std**2)[..., None, None]
        out: Array = (outer + level * self.covariance) / self.batch_size
        return out

    def draw(self, rng: np.random.Generator, t0: int, n: int) -> Array:
        r"""Draw ``n`` steps of examples, shape ``(n, B, d + 1)``: the
        standard normals :math:`z` of the features (``[..., :d]``) and the
        label noise :math:`\xi` (``[..., d]``)."""
        return rng.standard_normal((n, self.batch_size, self.dim + 1))

    def gradient(self, theta: Array, data: NDArray[Any] | None, t: int) -> Array:
        """Minibatch mean of :math:`x(x^\\top\\theta - y)` for the drawn
        examples (the exact gradient if ``data`` is ``None``)."""
        if data is None:
            return self._exact_gradient(theta)
        x = data[..., : self.dim] @ self.root  # (..., B, d); root is symmetric
        xi = data[..., self.dim]  # (..., B)
        e = np.asarray(theta, dtype=np.float64) - self.minimizer
        residual = np.einsum("...bi,...i->...b", x, e) - self.noise_std * xi
        out: Array = np.einsum("...b,...bi->...i", residual, x) / self.batch_size
        return out

    def loss(self, theta: Array, data: NDArray[Any] | None, t: int) -> Array:
        """Return the population loss."""
        return self._value(theta)

    def __repr__(self) -> str:
        return (
            f"LinearRegression(d={self.dim}, noise_std={self.noise_std}, "
            f"batch_size={self.batch_size})"
        )
