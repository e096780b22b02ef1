r"""A small two-layer neural network as a (non-convex) test problem.

:class:`TwoLayerNetwork` is a student network with one hidden layer of
:math:`\tanh` units, fitted by least squares to fixed data, full-batch or
with minibatches. Like every :class:`analysis.problems.Problem`, it
evaluates the loss and its exact gradient for a whole batch of iterates at
once (leading axes of ``theta`` are runs), so that
:func:`analysis.simulation.simulate` advances many seeded runs in one call.
:meth:`TwoLayerNetwork.teacher_student` builds a problem whose targets come
from a random teacher network plus Gaussian noise.

The parameters of the network are packed into one vector
:math:`\theta \in \mathbb{R}^d`, :math:`d = hp + 2h + 1`, in the order
:math:`(W_1, b_1, w_2, b_2)` with :math:`W_1` row-major (see
:meth:`TwoLayerNetwork.unpack`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis._validation import (
    check_finite,
    check_positive_int,
    check_rng,
    check_scalar_in_range,
)
from analysis.problems import Problem

__all__ = ["TwoLayerNetwork"]

Array = NDArray[np.float64]


class TwoLayerNetwork(Problem):
    r"""Least-squares fit of a one-hidden-layer :math:`\tanh` network.

    .. math:: f(\theta) = \frac{1}{2N}\sum_{i=1}^N
              \bigl(\hat y(x_i; \theta) - y_i\bigr)^2, \qquad
              \hat y(x; \theta) = w_2^\top \tanh(W_1 x + b_1) + b_2,

    with :math:`W_1 \in \mathbb{R}^{h\times p}`,
    :math:`b_1, w_2 \in \mathbb{R}^h`, :math:`b_2 \in \mathbb{R}`.

    Parameters
    ----------
    features : array_like
        Inputs :math:`X`, shape ``(N, p)``.
    targets : array_like
        Targets :math:`y`, shape ``(N,)``.
    hidden : int
        Number of hidden units :math:`h \ge 1`.
    batch_size : int, optional
        Minibatch size (default: full batch, deterministic). Each step's
        gradient is then the gradient of the loss on ``batch_size``
        examples drawn uniformly with replacement, an unbiased estimate of
        the full gradient; the loss recorded is always the full
        :math:`f`.

    Notes
    -----
    With :math:`z_i = W_1 x_i + b_1`, :math:`a_i = \tanh z_i` and the
    residual :math:`r_i = \hat y(x_i) - y_i`, back-propagation gives, for
    a batch :math:`B`,

    .. math::

        \nabla_{b_2} &= \tfrac{1}{|B|}\textstyle\sum_{i\in B} r_i, \qquad
        \nabla_{w_2} = \tfrac{1}{|B|}\textstyle\sum_{i\in B} r_i a_i, \\
        \delta_i &= r_i\, w_2 \odot (1 - a_i \odot a_i), \qquad
        \nabla_{b_1} = \tfrac{1}{|B|}\textstyle\sum_{i\in B} \delta_i,
        \qquad
        \nabla_{W_1} = \tfrac{1}{|B|}\textstyle\sum_{i\in B}
        \delta_i x_i^\top.

    The loss is non-convex: permuting hidden units, or flipping the signs
    of a unit's incoming and outgoing weights, leaves it unchanged, and
    :math:`\theta = 0` is a stationary point (every hidden unit is
    zero). Start away from it, e.g. from :meth:`initial_point`.
    """

    def __init__(
        self,
        features: ArrayLike,
        targets: ArrayLike,
        hidden: int,
        batch_size: int | None = None,
    ) -> None:
        x = check_finite("features", features).astype(np.float64)
        y = check_finite("targets", targets).astype(np.float64)
        if x.ndim != 2 or x.shape[0] < 1:
            raise ValueError(f"features must have shape (N, p), got {x.shape}")
        if y.shape != (x.shape[0],):
            raise ValueError(f"targets must have shape ({x.shape[0]},), got {y.shape}")
        self.X, self.y = x, y
        self.inputs = x.shape[1]
        self.hidden = check_positive_int("hidden", hidden)
        self.dim = self.hidden * self.inputs + 2 * self.hidden + 1
        self.batch_size = (
            None if batch_size is None else check_positive_int("batch_size", batch_size)
        )

    @classmethod
    def teacher_student(
        cls,
        n_samples: int,
        inputs: int,
        hidden: int,
        rng: np.random.Generator,
        *,
        teacher_hidden: int | None = None,
        noise_std: float = 0.1,
        batch_size: int | None = None,
    ) -> TwoLayerNetwork:
        r"""Targets from a random teacher network plus Gaussian noise.

        Inputs are standard Gaussian, :math:`x_i \sim \mathcal N(0, I_p)`.
        The teacher has ``teacher_hidden`` units (default ``hidden``) with
        weights :math:`W_1 \sim \mathcal N(0, 1/p)`, :math:`b_1 = 0`,
        :math:`w_2 \sim \mathcal N(0, 1/h)`, :math:`b_2 = 0`, and the
        targets are :math:`y_i = \hat y_{\text{teacher}}(x_i) +
        \sigma \xi_i`, so :math:`\sigma^2/2` (``noise_std**2 / 2``) is
        about the smallest loss a large enough student can reach on
        fresh data.

        Parameters
        ----------
        n_samples, inputs, hidden : int
            :math:`N`, :math:`p` and the student's :math:`h`, all
            :math:`\ge 1`.
        rng : numpy.random.Generator
            Source of the data.
        teacher_hidden : int, optional
            The teacher's number of hidden units.
        noise_std : float
            :math:`\sigma \ge 0`.
        batch_size : int, optional
            As in the constructor.
        """
        n_samples = check_positive_int("n_samples", n_samples)
        inputs = check_positive_int("inputs", inputs)
        hidden = check_positive_int("hidden", hidden)
        width = hidden if teacher_hidden is None else teacher_hidden
        width = check_positive_int("teacher_hidden", width)
        sigma = check_scalar_in_range("noise_std", noise_std, 0.0, np.inf)
        rng = check_rng("rng", rng)

        x = rng.standard_normal((n_samples, inputs))
        w1 = rng.standard_normal((width, inputs)) / np.sqrt(inputs)
        w2 = rng.standard_normal(width) / np.sqrt(width)
        y = np.tanh(x @ w1.T) @ w2 + sigma * rng.standard_normal(n_samples)
        return cls(x, y, hidden, batch_size=batch_size)

    # -- parameters ----------------------------------------------------------

    def _check_theta(self, theta: ArrayLike) -> Array:
        th = check_finite("theta", theta).astype(np.float64)
        if th.ndim == 0 or th.shape[-1] != self.dim:
            raise ValueError(
                f"theta must have shape (..., {self.dim}) (h p + 2 h + 1 with "
                f"h = {self.hidden}, p = {self.inputs}), got {th.shape}"
            )
        return th

    def unpack(self, theta: ArrayLike) -> tuple[Array, Array, Array, Array]:
        r"""Split :math:`\theta` into :math:`(W_1, b_1, w_2, b_2)`.

        Parameters
        ----------
        theta : array_like
            Shape ``(..., d)``.

        Returns
        -------
        W1, b1, w2, b2 : numpy.ndarray
            Shapes ``(..., h, p)``, ``(..., h)``, ``(..., h)`` and
            ``(...,)``; views into ``theta`` where possible.
        """
        th = self._check_theta(theta)
        h, p = self.hidden, self.inputs
        w1 = th[..., : h * p].reshape(*th.shape[:-1], h, p)
        b1 = th[..., h * p : h * p + h]
        w2 = th[..., h * p + h : h * p + 2 * h]
        return w1, b1, w2, th[..., -1]

    def pack(self, w1: ArrayLike, b1: ArrayLike, w2: ArrayLike, b2: ArrayLike) -> Array:
        """Inverse of :meth:`unpack`: concatenate the parts into ``theta``."""
        w1_arr = np.asarray(w1, dtype=np.float64)
        lead = w1_arr.shape[:-2]
        parts = [
            w1_arr.reshape(*lead, self.hidden * self.inputs),
            np.broadcast_to(np.asarray(b1, dtype=np.float64), (*lead, self.hidden)),
            np.broadcast_to(np.asarray(w2, dtype=np.float64), (*lead, self.hidden)),
            np.broadcast_to(np.asarray(b2, dtype=np.float64), lead)[..., None],
        ]
        return np.concatenate(parts, axis=-1)

    def initial_point(self, rng: np.random.Generator, runs: int | None = None) -> Array:
        r"""A random start: :math:`W_1 \sim \mathcal N(0, 1/p)`,
        :math:`w_2 \sim \mathcal N(0, 1/h)`, zero biases.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of the weights.
        runs : int, optional
            Number of independent starts; shape ``(runs, d)`` (default:
            one start, shape ``(d,)``).
        """
        lead: tuple[int, ...] = (
            () if runs is None else (check_positive_int("runs", runs),)
        )
        rng = check_rng("rng", rng)
        h, p = self.hidden, self.inputs
        w1 = rng.standard_normal((*lead, h, p)) / np.sqrt(p)
        w2 = rng.standard_normal((*lead, h)) / np.sqrt(h)
        return self.pack(w1, np.zeros((*lead, h)), w2, np.zeros(lead))

    # -- forward and backward passes ---------------------------------------

    def _forward(self, theta: Array, x: Array) -> tuple[Array, Array]:
        """Hidden activations ``(..., n, h)`` and outputs ``(..., n)``.

        ``x`` has shape ``(n, p)`` (shared by all runs) or ``(..., n, p)``.
        """
        w1, b1, w2, b2 = self.unpack(theta)
        # x @ W1^T broadcasts over the runs whether x is shared or per run.
        a = np.tanh(x @ np.swapaxes(w1, -1, -2) + b1[..., None, :])
        out = (a @ w2[..., None])[..., 0] + b2[..., None]
        return a, out

    def _batch_gradient(self, theta: Array, x: Array, y: Array) -> Array:
        """Gradient of the mean squared loss on the batch ``(x, y)``."""
        _, _, w2, _ = self.unpack(theta)
        a, out = self._forward(theta, x)
        n = y.shape[-1]

        # Output layer.
        r = (out - y) / n  # (..., n)
        grad_b2 = np.sum(r, axis=-1)
        grad_w2 = (r[..., None, :] @ a)[..., 0, :]

        # Hidden layer, through tanh' = 1 - tanh^2.
        delta = r[..., None] * w2[..., None, :] * (1.0 - a * a)  # (..., n, h)
        grad_b1 = np.sum(delta, axis=-2)
        grad_w1 = np.swapaxes(delta, -1, -2) @ x  # (..., h, p)
        return self.pack(grad_w1, grad_b1, grad_w2, grad_b2)

    def predict(self, theta: ArrayLike, features: ArrayLike | None = None) -> Array:
        r"""Return :math:`\hat y(x; \theta)` for every row of ``features``.

        Parameters
        ----------
        theta : array_like
            Shape ``(..., d)``.
        features : array_like, optional
            Shape ``(n, p)`` (default: the problem's :math:`X`).

        Returns
        -------
        numpy.ndarray
            Shape ``(..., n)``.
        """
        th = self._check_theta(theta)
        x = self.X if features is None else np.asarray(features, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.inputs:
            raise ValueError(
                f"features must have shape (n, {self.inputs}), got {x.shape}"
            )
        return self._forward(th, x)[1]

    def value(self, theta: ArrayLike) -> Array:
        """Return the full :math:`f(\\theta)`, shape ``theta.shape[:-1]``."""
        r = self.predict(theta) - self.y
        return 0.5 * np.mean(r * r, axis=-1)

    def exact_gradient(self, theta: ArrayLike) -> Array:
        """Return the full-batch gradient, shape of ``theta``."""
        return self._batch_gradient(self._check_theta(theta), self.X, self.y)

    # -- the Problem interface ----------------------------------------------

    def draw(self, rng: np.random.Generator, t0: int, n: int) -> NDArray[Any] | None:
        """Draw the minibatch indices of ``n`` steps, shape ``(n, batch)``."""
        if self.batch_size is None:
            return None
        return rng.integers(0, self.y.size, size=(n, self.batch_size))

    def gradient(self, theta: Array, data: NDArray[Any] | None, t: int) -> Array:
        """Full-batch gradient, or the minibatch gradient for indices ``data``.

        ``data`` holds one row of indices per run, shape
        ``(*theta.shape[:-1], batch)``, or one row shared by all runs.
        """
        th = self._check_theta(theta)
        if data is None:
            return self._batch_gradient(th, self.X, self.y)
        idx = np.broadcast_to(data, (*th.shape[:-1], np.shape(data)[-1]))
        return self._batch_gradient(th, self.X[idx], self.y[idx])

    def loss(self, theta: Array, data: NDArray[Any] | None, t: int) -> Array:
        """Return the full :math:`f(\\theta)` (whatever the minibatch)."""
        return self.value(theta)

    def __repr__(self) -> str:
        return (
            f"TwoLayerNetwork(N={self.y.size}, p={self.inputs}, h={self.hidden}, "
            f"batch_size={self.batch_size})"
        )
