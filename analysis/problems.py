r"""Problems: gradient laws, online loss sequences and test functions.

Every problem describes a sequence of losses :math:`f_t` on
:math:`\mathbb{R}^d` through three methods used by
:func:`analysis.simulation.simulate`:

``draw(rng, t0, n)``
    the random (or scheduled) data of the ``n`` consecutive steps from
    ``t0`` on, drawn in one block, shape ``(n, ...)`` (``(n, d)`` for
    most families, minibatch indices for :class:`LogisticRegression`);
    ``None`` for a deterministic problem;
``gradient(theta, data, t)`` and ``loss(theta, data, t)``
    :math:`\nabla f_t(\theta_t)` and :math:`f_t(\theta_t)` for a batch of
    iterates ``theta`` of shape ``(..., d)`` and the step's data, one
    row per run;
``hindsight_statistic`` / ``hindsight_minimum``
    what must be accumulated over the steps to compute
    :math:`\min_{x \in F} \sum_t f_t(x)` (for regret), and that minimum.

Problems are described by parameters (data), not callbacks, so a compiled
backend can run the same families later.

Families
--------
Stationary gradient laws (:class:`Normal`, :class:`SkewedExponential`,
:class:`StudentT`, :class:`TwoPoint`) drive :class:`OnlineLinear`, whose
losses are :math:`f_t(x) = \langle c_t, x\rangle` with i.i.d.
coefficients: the gradient is :math:`c_t` whatever the iterate, i.e. a
stationary gradient stream. :class:`PeriodicLinear` is the deterministic
construction of Reddi, Kale & Kumar (2018, Theorem 1);
:class:`OnlineLinear` with :class:`TwoPoint` coefficients is their
stochastic one (Theorem 3). :class:`Quadratic` (optionally with additive
Gaussian gradient noise) and :class:`Rosenbrock` are deterministic test
functions with exact gradients and Hessians.
"""

from __future__ import annotations

import abc
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis._validation import (
    check_finite,
    check_in_range,
    check_points,
    check_positive_int,
    check_rng,
    check_scalar_in_range,
)
from analysis.projections import Box, Domain

__all__ = [
    "GradientLaw",
    "LawDriven",
    "LogisticRegression",
    "Normal",
    "OnlineLinear",
    "PeriodicLinear",
    "Problem",
    "Quadratic",
    "Rosenbrock",
    "SkewedExponential",
    "StudentT",
    "TwoPoint",
    "random_rotation",
]

Array = NDArray[np.float64]


def _vector(name: str, value: ArrayLike, dim: int) -> Array:
    """Broadcast a scalar or a length-``dim`` vector to shape ``(dim,)``."""
    arr = check_finite(name, value).astype(np.float64)
    try:
        return np.broadcast_to(arr, (dim,)).copy()
    except ValueError:
        raise ValueError(
            f"{name} must be a scalar or have shape (dim,) = ({dim},), got "
            f"{arr.shape}; pass dim= for more than one coordinate"
        ) from None


# ---------------------------------------------------------------------------
# Stationary gradient laws
# ---------------------------------------------------------------------------


class GradientLaw(abc.ABC):
    """An i.i.d. law for one gradient vector, with exact moments.

    Attributes
    ----------
    dim : int
        Number of coordinates :math:`d`.
    mean, variance : numpy.ndarray
        Exact :math:`\\mathbb{E} g` and :math:`\\operatorname{Var} g`, per
        coordinate, shape ``(d,)``.
    """

    dim: int
    mean: Array
    variance: Array

    @property
    def second_moment(self) -> Array:
        r""":math:`\mathbb{E} g^2 = (\mathbb{E} g)^2 + \operatorname{Var} g`."""
        return self.mean**2 + self.variance

    @property
    def snr(self) -> Array:
        r"""Signal-to-noise ratio :math:`(\mathbb{E} g)^2/\operatorname{Var} g`."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.mean**2 / self.variance

    @abc.abstractmethod
    def sample(self, rng: np.random.Generator, n: int) -> Array:
        """Draw ``n`` independent gradients, shape ``(n, d)``."""


class Normal(GradientLaw):
    r"""Gaussian gradients :math:`g \sim \mathcal N(\mu, \sigma^2)` per
    coordinate, independent across coordinates.

    Parameters
    ----------
    mean : float or array_like
        :math:`\mu`, scalar or shape ``(dim,)``.
    std : float or array_like
        :math:`\sigma \ge 0`.
    dim : int
        Number of coordinates.
    """

    def __init__(self, mean: ArrayLike, std: ArrayLike, dim: int = 1) -> None:
        self.dim = check_positive_int("dim", dim)
        self.mean = _vector("mean", mean, self.dim)
        std_arr = check_in_range("std", std, 0.0, np.inf)
        self.std = _vector("std", std_arr, self.dim)
        self.variance = self.std**2

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        """Draw ``n`` independent gradients, shape ``(n, d)``."""
        z = rng.standard_normal((n, self.dim))
        return self.mean + self.std * z

    def __repr__(self) -> str:
        return f"Normal(mean={self.mean}, std={self.std})"


class SkewedExponential(GradientLaw):
    r"""Right-skewed gradients :math:`g = \mu + \sigma (E - 1)`,
    :math:`E \sim \operatorname{Exp}(1)`.

    Mean :math:`\mu`, variance :math:`\sigma^2`, skewness 2.

    Parameters
    ----------
    mean, std : float or array_like
        :math:`\mu` and :math:`\sigma \ge 0`.
    dim : int
        Number of coordinates.
    """

    def __init__(self, mean: ArrayLike, std: ArrayLike, dim: int = 1) -> None:
        self.dim = check_positive_int("dim", dim)
        self.mean = _vector("mean", mean, self.dim)
        std_arr = check_in_range("std", std, 0.0, np.inf)
        self.std = _vector("std", std_arr, self.dim)
        self.variance = self.std**2

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        """Draw ``n`` independent gradients, shape ``(n, d)``."""
        e = rng.standard_exponential((n, self.dim))
        return self.mean + self.std * (e - 1.0)

    def __repr__(self) -> str:
        return f"SkewedExponential(mean={self.mean}, std={self.std})"


class StudentT(GradientLaw):
    r"""Heavy-tailed gradients: a Student t scaled to a given variance.

    :math:`g = \mu + \sigma \sqrt{(\nu-2)/\nu}\, T_\nu`, so that
    :math:`\operatorname{Var} g = \sigma^2`.

    Parameters
    ----------
    mean, std : float or array_like
        :math:`\mu` and :math:`\sigma \ge 0`.
    df : float
        Degrees of freedom :math:`\nu > 2` (finite variance). The fourth
        moment, and so the variance of :math:`g^2`, is finite only for
        :math:`\nu > 4`.
    dim : int
        Number of coordinates.
    """

    def __init__(
        self, mean: ArrayLike, std: ArrayLike, df: float, dim: int = 1
    ) -> None:
        self.dim = check_positive_int("dim", dim)
        self.mean = _vector("mean", mean, self.dim)
        std_arr = check_in_range("std", std, 0.0, np.inf)
        self.std = _vector("std", std_arr, self.dim)
        self.df = check_scalar_in_range("df", df, 2.0, np.inf, low_closed=False)
        self.variance = self.std**2

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        """Draw ``n`` independent gradients, shape ``(n, d)``."""
        t = rng.standard_t(self.df, (n, self.dim))
        scale = self.std * np.sqrt((self.df - 2.0) / self.df)
        return self.mean + scale * t

    def __repr__(self) -> str:
        return f"StudentT(mean={self.mean}, std={self.std}, df={self.df})"


class TwoPoint(GradientLaw):
    r"""Two-point gradients: ``high`` with probability ``p``, else ``low``.

    With ``high = C``, ``low = -1`` and :math:`p = (1+\delta)/(C+1)` this is
    the stochastic construction of Reddi, Kale & Kumar (2018, Theorem 3),
    whose mean is :math:`\delta`; their synthetic experiment uses
    ``high = 1010``, ``low = -10``, ``p = 0.01``.

    Parameters
    ----------
    high, low : float or array_like
        The two values.
    p : float
        :math:`P(g = \text{high}) \in [0, 1]`.
    dim : int
        Number of coordinates.
    """

    def __init__(self, high: ArrayLike, low: ArrayLike, p: float, dim: int = 1) -> None:
        self.dim = check_positive_int("dim", dim)
        self.high = _vector("high", high, self.dim)
        self.low = _vector("low", low, self.dim)
        self.p = check_scalar_in_range("p", p, 0.0, 1.0, high_closed=True)
        self.mean = self.p * self.high + (1 - self.p) * self.low
        self.variance = self.p * (1 - self.p) * (self.high - self.low) ** 2

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        """Draw ``n`` independent gradients, shape ``(n, d)``."""
        u = rng.random((n, self.dim))
        return np.where(u < self.p, self.high, self.low)

    def __repr__(self) -> str:
        return f"TwoPoint(high={self.high}, low={self.low}, p={self.p})"


# ---------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------


class Problem(abc.ABC):
    """A sequence of losses :math:`f_t` on :math:`\\mathbb{R}^d`."""

    dim: int

    def draw(self, rng: np.random.Generator, t0: int, n: int) -> NDArray[Any] | None:
        """Return the data of steps ``t0 .. t0 + n - 1``, shape ``(n, ...)``.

        Deterministic problems return ``None``. The data of one step is
        passed to :meth:`gradient` and :meth:`loss`, with the runs on its
        first axis.
        """
        return None

    @abc.abstractmethod
    def gradient(self, theta: Array, data: NDArray[Any] | None, t: int) -> Array:
        """Return :math:`\\nabla f_t(\\theta)`, shape of ``theta``."""

    @abc.abstractmethod
    def loss(self, theta: Array, data: NDArray[Any] | None, t: int) -> Array:
        """Return :math:`f_t(\\theta)`, shape ``theta.shape[:-1]``."""

    def hindsight_statistic(self, data: NDArray[Any] | None, t: int) -> Array:
        """The per-step term of the sufficient statistic for regret."""
        raise NotImplementedError(
            f"{type(self).__name__} has no closed-form comparator in hindsight"
        )

    def hindsight_minimum(self, statistic: Array, steps: int, domain: Domain) -> Array:
        r"""Return :math:`\min_{x\in F}\sum_{t \le T} f_t(x)` per run."""
        raise NotImplementedError(
            f"{type(self).__name__} has no closed-form comparator in hindsight"
        )


class LawDriven(Problem):
    """Base of the online problems whose data are i.i.d. draws of a law.

    Parameters
    ----------
    law : GradientLaw
        The law of each step's data (coefficients or targets).
    """

    def __init__(self, law: GradientLaw) -> None:
        if not isinstance(law, GradientLaw):
            raise ValueError(f"law must be a GradientLaw, got {type(law).__name__}")
        self.law = law
        self.dim = law.dim

    def draw(self, rng: np.random.Generator, t0: int, n: int) -> Array:
        """Draw the data of ``n`` steps from the law, shape ``(n, d)``."""
        return self.law.sample(rng, n)


class OnlineLinear(LawDriven):
    r"""Online linear losses :math:`f_t(x) = \langle c_t, x\rangle` with
    i.i.d. coefficients :math:`c_t` drawn from a gradient law.

    The gradient is :math:`c_t` whatever the iterate, so the optimizer sees
    a stationary gradient stream with the law's exact moments.
    The best fixed point in hindsight minimizes
    :math:`\langle \sum_t c_t, x\rangle` over :math:`F`, which is closed
    form on boxes and balls (:meth:`analysis.projections.Domain.linear_minimum`).

    Parameters
    ----------
    law : GradientLaw
        Law of :math:`c_t`.
    """

    def gradient(self, theta: Array, data: NDArray[Any] | None, t: int) -> Array:
        """Return :math:`c_t`, broadcast to the shape of ``theta``."""
        assert data is not None
        return np.broadcast_to(data, theta.shape)

    def loss(self, theta: Array, data: NDArray[Any] | None, t: int) -> Array:
        r"""Return :math:`\langle c_t, \theta\rangle`."""
        assert data is not None
        return np.sum(data * theta, axis=-1)

    def hindsight_statistic(self, data: NDArray[Any] | None, t: int) -> Array:
        """Per-step term :math:`c_t` of :math:`\\sum_t c_t`."""
        assert data is not None
        return data

    def hindsight_minimum(self, statistic: Array, steps: int, domain: Domain) -> Array:
        r""":math:`\min_{x\in F}\langle \sum_t c_t, x\rangle`."""
        value, _ = domain.linear_minimum(statistic)
        return value

    def __repr__(self) -> str:
        return f"OnlineLinear({self.law!r})"


class PeriodicLinear(OnlineLinear):
    r"""Reddi, Kale & Kumar's periodic linear losses (2018, Theorem 1).

    :math:`f_t(x) = C x` when :math:`t \equiv 1 \pmod{P}` and
    :math:`f_t(x) = -x` otherwise (per coordinate), usually on
    :math:`F = [-1, 1]`. With :math:`P = 3` and :math:`C > 2` the best
    point is :math:`x = -1`, and Adam with
    :math:`\beta_1 = 0, \beta_2 = 1/(1+C^2)` converges to :math:`+1`.

    Parameters
    ----------
    C : float
        The large coefficient, :math:`C > 0`.
    period : int
        :math:`P \ge 2`.
    dim : int
        Number of (identical) coordinates.
    """

    def __init__(self, C: float, period: int = 3, dim: int = 1) -> None:
        self.C = check_scalar_in_range("C", C, 0.0, np.inf, low_closed=False)
        self.period = check_positive_int("period", period, minimum=2)
        self.dim = check_positive_int("dim", dim)

    def draw(self, rng: np.random.Generator, t0: int, n: int) -> Array:
        """Return the scheduled coefficients of steps ``t0 .. t0+n-1``."""
        t = np.arange(t0, t0 + n)
        c = np.where(t % self.period == 1, self.C, -1.0)
        return np.repeat(c[:, None], self.dim, axis=1)

    def __repr__(self) -> str:
        return f"PeriodicLinear(C={self.C}, period={self.period}, dim={self.dim})"


class Quadratic(Problem):
    r"""A quadratic :math:`f(\theta) = \tfrac12 (\theta-\theta^*)^\top Q
    (\theta-\theta^*)`, optionally with Gaussian gradient noise.

    Parameters
    ----------
    hessian : array_like
        Symmetric positive semi-definite :math:`Q`, shape ``(d, d)``, or a
        vector of its diagonal.
    minimizer : array_like
        :math:`\theta^*`, shape ``(d,)`` or scalar.
    noise_std : float
        :math:`\sigma \ge 0`; the observed gradient is
        :math:`Q(\theta-\theta^*) + \sigma \xi_t` with
        :math:`\xi_t \sim \mathcal N(0, I)`. The loss recorded is the
        noiseless :math:`f`.
    """

    def __init__(
        self, hessian: ArrayLike, minimizer: ArrayLike = 0.0, noise_std: float = 0.0
    ) -> None:
        q = check_finite("hessian", hessian).astype(np.float64)
        if q.size == 0:
            raise ValueError("hessian must not be empty")
        if q.ndim == 1:
            q = np.diag(q)
        if q.ndim != 2 or q.shape[0] != q.shape[1]:
            raise ValueError(f"hessian must be square (d, d), got shape {q.shape}")
        if not np.allclose(q, q.T, rtol=1e-12, atol=0.0):
            raise ValueError("hessian must be symmetric")
        low = float(np.linalg.eigvalsh(q).min())
        if low < -1e-12 * max(1.0, float(np.abs(q).max())):
            raise ValueError(
                f"hessian must be positive semi-definite, smallest eigenvalue {low}"
            )
        self.dim = q.shape[0]
        self.Q = q
        self.minimizer = _vector("minimizer", minimizer, self.dim)
        self.noise_std = check_scalar_in_range("noise_std", noise_std, 0.0, np.inf)

    @classmethod
    def from_spectrum(
        cls,
        eigenvalues: ArrayLike,
        rotation: ArrayLike | None = None,
        minimizer: ArrayLike = 0.0,
        noise_std: float = 0.0,
    ) -> Quadratic:
        r"""Build :math:`Q = U \operatorname{diag}(\lambda) U^\top`.

        Parameters
        ----------
        eigenvalues : array_like
            :math:`\lambda \ge 0`, shape ``(d,)``.
        rotation : array_like, optional
            Orthogonal :math:`U`, shape ``(d, d)`` (default: the identity,
            an axis-aligned quadratic); see :func:`random_rotation`.
        minimizer, noise_std
            As in the constructor.
        """
        lam = check_in_range("eigenvalues", eigenvalues, 0.0, np.inf)
        if lam.ndim != 1:
            raise ValueError(f"eigenvalues must be 1-d, got shape {lam.shape}")
        dim = lam.size
        u = np.eye(dim) if rotation is None else np.asarray(rotation, float)
        if u.shape != (dim, dim) or not np.allclose(u.T @ u, np.eye(dim), atol=1e-10):
            raise ValueError(f"rotation must be an orthogonal ({dim}, {dim}) matrix")
        q = (u * lam) @ u.T
        return cls(0.5 * (q + q.T), minimizer, noise_std)

    def draw(self, rng: np.random.Generator, t0: int, n: int) -> NDArray[Any] | None:
        """Draw the gradient noise of ``n`` steps (``None`` if noiseless)."""
        if self.noise_std == 0.0:
            return None
        return rng.standard_normal((n, self.dim))

    def value(self, theta: ArrayLike) -> Array:
        """Return :math:`f(\\theta)`, shape ``theta.shape[:-1]``."""
        return self._value(check_points("theta", theta, self.dim))

    def exact_gradient(self, theta: ArrayLike) -> Array:
        """Return :math:`Q(\\theta-\\theta^*)`."""
        return self._exact_gradient(check_points("theta", theta, self.dim))

    # The unchecked forms, for the simulator's iterates (already checked).
    def _value(self, theta: Array) -> Array:
        z = np.asarray(theta, dtype=np.float64) - self.minimizer
        return 0.5 * np.einsum("...i,ij,...j->...", z, self.Q, z)

    def _exact_gradient(self, theta: Array) -> Array:
        return (np.asarray(theta, dtype=np.float64) - self.minimizer) @ self.Q

    def hessian(self, theta: ArrayLike | None = None) -> Array:
        """Return :math:`Q` (the same at every point)."""
        if theta is not None:
            check_points("theta", theta, self.dim)
        return self.Q.copy()

    def gradient(self, theta: Array, data: NDArray[Any] | None, t: int) -> Array:
        """Return the (noisy) gradient at ``theta``."""
        g = self._exact_gradient(theta)
        if data is not None:
            g = g + self.noise_std * data
        return g

    def loss(self, theta: Array, data: NDArray[Any] | None, t: int) -> Array:
        """Return the noiseless :math:`f(\\theta)`."""
        return self._value(theta)

    def hindsight_statistic(self, data: NDArray[Any] | None, t: int) -> Array:
        """Nothing to accumulate: the loss is the same at every step."""
        return np.zeros(self.dim)

    def hindsight_minimum(self, statistic: Array, steps: int, domain: Domain) -> Array:
        r""":math:`T \min_{x\in F} f(x)`: closed form when
        :math:`\theta^* \in F`, L-BFGS-B on a box otherwise."""
        batch = statistic.shape[:-1]
        if bool(np.all(domain.contains(self.minimizer))):
            return np.zeros(batch)
        if isinstance(domain, Box):
            from scipy.optimize import minimize

            start = domain.project(self.minimizer)
            bounds = list(zip(domain.lower, domain.upper, strict=True))
            res = minimize(
                self.value,
                start,
                jac=self.exact_gradient,
                bounds=bounds,
                method="L-BFGS-B",
                options={"ftol": 1e-15, "gtol": 1e-12},
            )
            return np.full(batch, steps * float(res.fun))
        raise NotImplementedError(
            "the comparator of a quadratic whose minimizer lies outside a "
            "non-box domain is not implemented"
        )

    def __repr__(self) -> str:
        return f"Quadratic(d={self.dim}, noise_std={self.noise_std})"


def random_rotation(dim: int, rng: np.random.Generator) -> Array:
    """Return a Haar-distributed random orthogonal ``(dim, dim)`` matrix.

    Uses the QR decomposition of a Gaussian matrix with the signs of
    ``R``'s diagonal moved into ``Q`` (Mezzadri 2007), which makes the law
    uniform over the orthogonal group.
    """
    dim = check_positive_int("dim", dim)
    rng = check_rng("rng", rng)
    z = rng.standard_normal((dim, dim))
    q, r = np.linalg.qr(z)
    return q * np.sign(np.diag(r))


class Rosenbrock(Problem):
    r"""The Rosenbrock function in :math:`d \ge 2` dimensions.

    .. math:: f(\theta) = \sum_{i=1}^{d-1} \left[b(\theta_{i+1} -
              \theta_i^2)^2 + (a - \theta_i)^2\right],

    minimized at :math:`(a, a^2)` for :math:`d = 2` and at
    :math:`(1, \dots, 1)` for any :math:`d` when :math:`a = 1`.

    Parameters
    ----------
    a, b : float
        Shape parameters (defaults 1 and 100).
    dim : int
        :math:`d \ge 2`.
    """

    def __init__(self, a: float = 1.0, b: float = 100.0, dim: int = 2) -> None:
        self.a = check_scalar_in_range("a", a, -np.inf, np.inf, low_closed=False)
        self.b = check_scalar_in_range("b", b, 0.0, np.inf, low_closed=False)
        self.dim = check_positive_int("dim", dim)
        if self.dim < 2:
            raise ValueError(f"dim must be an integer >= 2, got {dim}")

    def value(self, theta: ArrayLike) -> Array:
        """Return :math:`f(\\theta)`, shape ``theta.shape[:-1]``."""
        return self._value(check_points("theta", theta, self.dim))

    def exact_gradient(self, theta: ArrayLike) -> Array:
        """Return :math:`\\nabla f(\\theta)`."""
        return self._exact_gradient(check_points("theta", theta, self.dim))

    # The unchecked forms, for the simulator's iterates (already checked).
    def _value(self, theta: Array) -> Array:
        x = np.asarray(theta, dtype=np.float64)
        head, tail = x[..., :-1], x[..., 1:]
        terms = self.b * (tail - head**2) ** 2 + (self.a - head) ** 2
        return np.sum(terms, axis=-1)

    def _exact_gradient(self, theta: Array) -> Array:
        x = np.asarray(theta, dtype=np.float64)
        head, tail = x[..., :-1], x[..., 1:]
        inner = tail - head**2
        g = np.zeros_like(x)
        g[..., :-1] += -4.0 * self.b * head * inner - 2.0 * (self.a - head)
        g[..., 1:] += 2.0 * self.b * inner
        return g

    def hessian(self, theta: ArrayLike) -> Array:
        """Return :math:`\\nabla^2 f(\\theta)`, shape ``(..., d, d)``."""
        x = check_points("theta", theta, self.dim)
        d = self.dim
        h = np.zeros((*x.shape[:-1], d, d))
        for i in range(d - 1):
            xi, xj = x[..., i], x[..., i + 1]
            h[..., i, i] += 12.0 * self.b * xi**2 - 4.0 * self.b * xj + 2.0
            h[..., i, i + 1] += -4.0 * self.b * xi
            h[..., i + 1, i] += -4.0 * self.b * xi
            h[..., i + 1, i + 1] += 2.0 * self.b
        return h

    def gradient(self, theta: Array, data: NDArray[Any] | None, t: int) -> Array:
        """Return the exact gradient."""
        return self._exact_gradient(theta)

    def loss(self, theta: Array, data: NDArray[Any] | None, t: int) -> Array:
        """Return :math:`f(\\theta)`."""
        return self._value(theta)

    def __repr__(self) -> str:
        return f"Rosenbrock(a={self.a}, b={self.b}, dim={self.dim})"


class LogisticRegression(Problem):
    r"""Logistic regression on fixed data, full-batch or with minibatches.

    .. math:: f(\theta) = \frac1N \sum_{i=1}^N
              \log\bigl(1 + e^{-y_i x_i^\top\theta}\bigr)
              + \frac{\lambda}{2}\lVert\theta\rVert^2,
              \qquad y_i \in \{-1, +1\}.

    Gradient :math:`-\frac1N\sum_i y_i x_i\,\sigma(-y_i x_i^\top\theta)
    + \lambda\theta` and Hessian :math:`\frac1N\sum_i
    \sigma(z_i)\sigma(-z_i) x_i x_i^\top + \lambda I` with
    :math:`z_i = y_i x_i^\top\theta` and :math:`\sigma` the logistic
    function. With ``batch_size`` set, each step's gradient is the mean
    over ``batch_size`` examples drawn uniformly with replacement (an
    unbiased estimate); the loss recorded is always the full :math:`f`.

    Parameters
    ----------
    features : array_like
        :math:`X`, shape ``(N, d)``.
    labels : array_like
        :math:`y`, shape ``(N,)``, entries :math:`\pm 1`.
    l2 : float
        :math:`\lambda \ge 0`.
    batch_size : int, optional
        Minibatch size (default: full batch, deterministic).
    """

    def __init__(
        self,
        features: ArrayLike,
        labels: ArrayLike,
        l2: float = 0.0,
        batch_size: int | None = None,
    ) -> None:
        x = check_finite("features", features).astype(np.float64)
        y = check_finite("labels", labels).astype(np.float64)
        if x.ndim != 2:
            raise ValueError(f"features must have shape (N, d), got {x.shape}")
        if x.shape[0] == 0 or x.shape[1] == 0:
            raise ValueError(
                f"features must hold at least one example and one feature, "
                f"got shape {x.shape}"
            )
        if y.shape != (x.shape[0],):
            raise ValueError(f"labels must have shape ({x.shape[0]},), got {y.shape}")
        if not np.all(np.abs(y) == 1):
            raise ValueError("labels must be -1 or +1")
        self.X, self.y = x, y
        self.dim = x.shape[1]
        self.l2 = check_scalar_in_range("l2", l2, 0.0, np.inf)
        self.batch_size = (
            None if batch_size is None else check_positive_int("batch_size", batch_size)
        )

    @classmethod
    def synthetic(
        cls,
        n_samples: int,
        dim: int,
        rng: np.random.Generator,
        *,
        scales: ArrayLike = 1.0,
        label_noise: float = 0.1,
        l2: float = 0.0,
        batch_size: int | None = None,
    ) -> LogisticRegression:
        """Gaussian features with per-coordinate ``scales``, labels from a
        random unit direction, each flipped with probability
        ``label_noise``."""
        n_samples = check_positive_int("n_samples", n_samples)
        dim = check_positive_int("dim", dim)
        rng = check_rng("rng", rng)
        p = float(
            check_in_range("label_noise", label_noise, 0.0, 0.5, high_closed=True)
        )
        x = rng.standard_normal((n_samples, dim)) * _vector("scales", scales, dim)
        w = rng.standard_normal(dim)
        w /= np.linalg.norm(w)
        y = np.where(x @ w >= 0, 1.0, -1.0)
        flip = rng.random(n_samples) < p
        return cls(x, np.where(flip, -y, y), l2=l2, batch_size=batch_size)

    def draw(self, rng: np.random.Generator, t0: int, n: int) -> NDArray[Any] | None:
        """Draw the minibatch indices of ``n`` steps, shape ``(n, batch)``."""
        if self.batch_size is None:
            return None
        return rng.integers(0, self.y.size, size=(n, self.batch_size))

    def value(self, theta: ArrayLike) -> Array:
        """Return the full :math:`f(\\theta)`, shape ``theta.shape[:-1]``."""
        return self._value(check_points("theta", theta, self.dim))

    def exact_gradient(self, theta: ArrayLike) -> Array:
        """Return the full-batch gradient."""
        return self._exact_gradient(check_points("theta", theta, self.dim))

    # The unchecked forms, for the simulator's iterates (already checked).
    def _value(self, theta: Array) -> Array:
        th = np.asarray(theta, dtype=np.float64)
        z = self.y * (th @ self.X.T)
        data = np.mean(np.logaddexp(0.0, -z), axis=-1)
        return data + 0.5 * self.l2 * np.sum(th**2, axis=-1)

    def _exact_gradient(self, theta: Array) -> Array:
        th = np.asarray(theta, dtype=np.float64)
        z = self.y * (th @ self.X.T)
        weights = -self.y * _sigmoid(-z) / self.y.size
        return weights @ self.X + self.l2 * th

    def hessian(self, theta: ArrayLike) -> Array:
        """Return the full Hessian, shape ``(..., d, d)``."""
        th = check_points("theta", theta, self.dim)
        z = self.y * (th @ self.X.T)
        curvature = _sigmoid(z) * _sigmoid(-z) / self.y.size
        h = np.einsum("...n,ni,nj->...ij", curvature, self.X, self.X)
        return h + self.l2 * np.eye(self.dim)

    def gradient(self, theta: Array, data: NDArray[Any] | None, t: int) -> Array:
        """Full-batch gradient, or the minibatch mean for indices ``data``."""
        if data is None:
            return self._exact_gradient(theta)
        idx = np.broadcast_to(data, (*theta.shape[:-1], data.shape[-1]))
        x, y = self.X[idx], self.y[idx]  # (..., batch, d), (..., batch)
        z = y * np.einsum("...bi,...i->...b", x, theta)
        weights = -y * _sigmoid(-z) / y.shape[-1]
        return np.einsum("...b,...bi->...i", weights, x) + self.l2 * theta

    def loss(self, theta: Array, data: NDArray[Any] | None, t: int) -> Array:
        """Return the full :math:`f(\\theta)`."""
        return self._value(theta)

    def __repr__(self) -> str:
        return (
            f"LogisticRegression(N={self.y.size}, d={self.dim}, l2={self.l2}, "
            f"batch_size={self.batch_size})"
        )


def _sigmoid(z: Array) -> Array:
    """The logistic function, computed without overflow."""
    return np.exp(-np.logaddexp(0.0, -z))
