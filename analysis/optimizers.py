r"""Update rules of adaptive first-order methods, batched over leading axes.

Each rule is a frozen dataclass of hyperparameters with two pure methods:

``init(shape, dtype)``
    the state before the first step (moments at zero, ``t = 0``);
``update(state, g)``
    one step: returns ``(delta, weights, new_state)`` such that the next
    iterate is the weighted projection

    .. math:: \theta_{t+1} = \Pi_{F,\operatorname{diag}(w_t)}
              (\theta_t - \delta_t),

    where ``weights`` is :math:`w_t` (``None`` for the Euclidean
    projection).

Arrays have shape ``(..., d)``: every operation is element-wise, so leading
axes hold independent runs and one call advances all of them.
Hyperparameters may be arrays that broadcast against the state, which runs
a sweep in one call. Arithmetic is done in the state's dtype (float64 by
default), hyperparameters included, so a float16 state really is a float16
computation.

Symbols follow the papers: :math:`g_t` gradient, :math:`m_t` first moment,
:math:`v_t` second moment (Adam, AMSGrad, AdaGrad, centred method),
:math:`s_t` AdaBelief's second moment of the residual
:math:`g_t - m_t`, hats for bias-corrected values, :math:`\alpha_t` step
size, :math:`\beta_{1,t}` time-varying momentum (not the power
:math:`\beta_1^t`).

References
----------
Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015.
Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018.
Zhuang et al., "AdaBelief Optimizer: Adapting Stepsizes by the Belief in
Observed Gradients", NeurIPS 2020.
Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning
and Stochastic Optimization", JMLR 2011.
Balles & Hennig, "Dissecting Adam: The Sign, Magnitude and Variance of
Stochastic Gradients", ICML 2018.
"""

from __future__ import annotations

import abc
import dataclasses
import warnings
from typing import Any, ClassVar, Literal

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from analysis._validation import (
    as_real_array,
    check_bool,
    check_finite,
    check_float_dtype,
    check_in_range,
    check_positive_int,
    check_shape_broadcasts,
)

__all__ = [
    "EPS_CONVENTIONS",
    "SGD",
    "AMSGrad",
    "AdaBelief",
    "AdaGrad",
    "Adam",
    "BeliefState",
    "CenteredAdam",
    "MomentState",
    "SignDescent",
    "StepState",
    "UpdateRule",
]

Array = NDArray[np.floating[Any]]
LRSchedule = Literal["constant", "inv_sqrt"]
EpsConvention = Literal["authors", "outside", "inside"]

#: AdaBelief's ε conventions, see :class:`AdaBelief`.
EPS_CONVENTIONS: tuple[str, ...] = ("authors", "outside", "inside")


# ---------------------------------------------------------------------------
# States
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StepState:
    """State of a rule that only counts steps (SGD).

    Attributes
    ----------
    t : int
        Number of steps taken.
    shape : tuple of int
        Shape of the iterates, ``(..., d)``.
    dtype : numpy.dtype
        Floating type of the arithmetic.
    owner : str
        Class name of the rule that made the state.
    """

    t: int
    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    owner: str = ""


@dataclasses.dataclass(frozen=True)
class MomentState:
    r"""State of a rule with a first and a second moment of :math:`g_t`.

    Used by Adam, AMSGrad, AdaGrad (``m`` unused, zero), sign descent
    (``v`` unused, zero) and the centred method.

    Attributes
    ----------
    t : int
        Number of steps taken.
    m, v : numpy.ndarray
        Raw moments :math:`m_t`, :math:`v_t`.
    m_hat, v_hat : numpy.ndarray
        Bias-corrected moments (equal to the raw ones when bias
        correction is off).
    v_hat_max : numpy.ndarray or None
        Running maximum of ``v_hat`` when the rule keeps one.
    owner : str
        Class name of the rule that made the state.
    """

    t: int
    m: Array
    v: Array
    m_hat: Array
    v_hat: Array
    v_hat_max: Array | None = None
    owner: str = ""


@dataclasses.dataclass(frozen=True)
class BeliefState:
    r"""State of AdaBelief.

    Attributes
    ----------
    t : int
        Number of steps taken.
    m, s : numpy.ndarray
        Raw moments :math:`m_t` and :math:`s_t` (the latter includes the
        ε added to the state under the ``"authors"`` convention).
    m_hat, s_hat : numpy.ndarray
        Bias-corrected moments.
    s_hat_max : numpy.ndarray or None
        Running maximum of ``s_hat`` when the rule keeps one.
    owner : str
        Class name of the rule that made the state.
    """

    t: int
    m: Array
    s: Array
    m_hat: Array
    s_hat: Array
    s_hat_max: Array | None = None
    owner: str = ""


State = StepState | MomentState | BeliefState


# ---------------------------------------------------------------------------
# Base class
# ---------------------------------------------------------------------------


def _cast(value: ArrayLike, dtype: np.dtype[Any]) -> Array:
    return np.asarray(value, dtype=dtype)


@dataclasses.dataclass(frozen=True)
class UpdateRule(abc.ABC):
    r"""Common part of every update rule: the step size :math:`\alpha_t`.

    Parameters
    ----------
    lr : float or array_like
        Base step size :math:`\alpha > 0`.
    lr_schedule : {"constant", "inv_sqrt"}
        :math:`\alpha_t = \alpha` or :math:`\alpha_t = \alpha/\sqrt{t}`.
    """

    lr: ArrayLike = 1e-3
    lr_schedule: LRSchedule = "constant"

    #: Label used in figures and tables (see :mod:`analysis.plotting`).
    label: ClassVar[str] = "rule"
    #: Hyperparameters that may be arrays broadcasting against the state.
    _array_fields: ClassVar[tuple[str, ...]] = ("lr",)

    def __post_init__(self) -> None:
        # Keep a read-only copy of every array hyperparameter, so that a
        # later change to the caller's array cannot bypass the checks.
        shapes = []
        for field in self._array_fields:
            value = getattr(self, field)
            if not np.isscalar(value):
                frozen = np.array(as_real_array(field, value), copy=True)
                frozen.flags.writeable = False
                object.__setattr__(self, field, frozen)
                if frozen.ndim:
                    shapes.append((field, frozen.shape))
        object.__setattr__(self, "_array_shapes", tuple(shapes))
        check_in_range("lr", self.lr, 0.0, np.inf, low_closed=False)
        for flag in ("bias_correction", "max_second_moment"):
            if hasattr(self, flag):
                check_bool(flag, getattr(self, flag))
        if self.lr_schedule not in ("constant", "inv_sqrt"):
            raise ValueError(
                "lr_schedule must be 'constant' or 'inv_sqrt', got "
                f"{self.lr_schedule!r}"
            )

    @abc.abstractmethod
    def init(self, shape: tuple[int, ...], dtype: DTypeLike = np.float64) -> Any:
        """Return the state before the first step."""

    @abc.abstractmethod
    def update(self, state: Any, g: ArrayLike) -> tuple[Array, Array | None, Any]:
        """Advance one step; return ``(delta, weights, new_state)``."""

    @property
    def name(self) -> str:
        """The method's name in figures and tables."""
        return self.label

    @property
    def _owner(self) -> str:
        """The tag of the states this rule makes and accepts."""
        return type(self).__name__

    def step_size(self, t: int, dtype: DTypeLike = np.float64) -> Array:
        r"""Return :math:`\alpha_t` for step ``t`` (counted from 1)."""
        t = check_positive_int("t", t)
        alpha = _cast(self.lr, np.dtype(dtype))
        if self.lr_schedule == "inv_sqrt":
            return alpha / np.sqrt(_cast(t, np.dtype(dtype)))
        return alpha

    #: The state class :meth:`update` expects.
    _state_type: ClassVar[type[Any]] = object
    #: The state field holding the running maximum, if the rule has one.
    _max_field: ClassVar[str | None] = None
    #: (name, shape) of the hyperparameters given as arrays (set on init).
    _array_shapes: tuple[tuple[str, tuple[int, ...]], ...] = dataclasses.field(
        init=False, repr=False, compare=False, default=()
    )

    def _check_init(
        self, shape: tuple[int, ...], dtype: DTypeLike
    ) -> tuple[tuple[int, ...], np.dtype[Any]]:
        """Check ``init``'s arguments; return the shape and the dtype."""
        if not isinstance(shape, tuple | list) or not all(
            isinstance(n, int | np.integer) and not isinstance(n, bool) and n >= 0
            for n in shape
        ):
            raise ValueError(
                f"shape must be a tuple of non-negative integers, got {shape!r}"
            )
        shape = tuple(int(n) for n in shape)
        dt = self._check_dtype(dtype)
        for field, field_shape in self._array_shapes:
            check_shape_broadcasts(field, field_shape, shape)
        return shape, dt

    def _gradient(self, state: Any, g: ArrayLike) -> Array:
        """Check ``state`` and ``g``; return ``g`` in the state's dtype."""
        owner = self._owner
        if not isinstance(state, self._state_type) or state.owner != owner:
            got = type(state).__name__
            if getattr(state, "owner", ""):
                got += f" made by {state.owner}"
            raise ValueError(
                f"state must be the {self._state_type.__name__} made by "
                f"{owner}.init or {owner}.update, got {got}"
            )
        if self._max_field is not None:
            has_max = getattr(state, self._max_field) is not None
            if has_max != bool(getattr(self, "max_second_moment", False)):
                raise ValueError(
                    f"state {'has' if has_max else 'lacks'} {self._max_field}, "
                    f"but the rule has max_second_moment="
                    f"{getattr(self, 'max_second_moment', False)}"
                )
        if isinstance(state, StepState):
            shape, dt = state.shape, state.dtype
        else:
            shape, dt = state.m.shape, state.m.dtype
        for name, field_shape in self._array_shapes:
            check_shape_broadcasts(name, field_shape, shape)
        arr = check_finite("g", g)
        check_shape_broadcasts("g", arr.shape, shape)
        with np.errstate(over="ignore"):
            cast = arr.astype(dt, copy=False)
        if not np.all(np.isfinite(cast)):
            largest = float(np.max(np.abs(arr)))
            raise ValueError(
                f"g overflows {dt} (largest |g| = {largest:g}); use a wider dtype"
            )
        return cast

    def _check_dtype(self, dtype: DTypeLike) -> np.dtype[Any]:
        dt = check_float_dtype("dtype", dtype)
        # A beta below 1 in float64 may round to 1 in float16.
        for field in ("beta1", "beta2"):
            value = getattr(self, field, None)
            if value is not None and np.any(_cast(value, dt) >= 1):
                raise ValueError(
                    f"{field}={value} rounds to 1 in {dt}; use a smaller value "
                    "or a wider dtype"
                )
        # A positive step size or eps may round to 0 (or lr overflow).
        lr = _cast(self.lr, dt)
        if np.any(lr == 0) or not np.all(np.isfinite(lr)):
            raise ValueError(f"lr={self.lr} is not representable in {dt}")
        eps = getattr(self, "eps", None)
        if eps is not None and np.any((_cast(eps, dt) == 0) & (np.asarray(eps) > 0)):
            warnings.warn(
                f"eps={eps} rounds to 0 in {dt}; the method runs with eps = 0",
                RuntimeWarning,
                stacklevel=3,
            )
        return dt


def _divide(numerator: Array, denominator: Array, t: int) -> Array:
    """``numerator / denominator``, warning where the denominator is zero.

    A zero denominator arises only with ``eps = 0`` and a zero second
    moment; the step there is NaN (0/0) or infinite, and is not clipped.
    """
    zero = int(np.count_nonzero(denominator == 0))
    if zero:
        warnings.warn(
            f"the denominator is zero in {zero} coordinate(s) at step {t} "
            "(eps = 0 and a zero second moment); the step is not finite there",
            RuntimeWarning,
            stacklevel=3,
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        return numerator / denominator


def _check_beta(name: str, value: ArrayLike) -> None:
    check_in_range(name, value, 0.0, 1.0)


def _check_eps(value: ArrayLike) -> None:
    check_in_range("eps", value, 0.0, np.inf)


def _check_decay(value: ArrayLike) -> None:
    check_in_range("beta1_decay", value, 0.0, 1.0, low_closed=False, high_closed=True)


# ---------------------------------------------------------------------------
# SGD and sign descent
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SGD(UpdateRule):
    r"""Projected (online) gradient descent.

    Notes
    -----
    :math:`\theta_{t+1} = \Pi_F(\theta_t - \alpha_t g_t)` with the
    Euclidean projection; with ``lr_schedule="inv_sqrt"`` this is the
    :math:`O(\sqrt{T})`-regret method of Zinkevich (2003).
    """

    label: ClassVar[str] = "SGD"
    _state_type: ClassVar[type] = StepState

    def init(self, shape: tuple[int, ...], dtype: DTypeLike = np.float64) -> StepState:
        """Return the state before the first step."""
        shape, dt = self._check_init(shape, dtype)
        return StepState(0, shape, dt, owner=self._owner)

    def update(self, state: StepState, g: ArrayLike) -> tuple[Array, None, StepState]:
        """Advance one step; see the class notes."""
        g = self._gradient(state, g)
        dt = g.dtype
        t = state.t + 1
        delta = self.step_size(t, dt) * np.broadcast_to(g, state.shape)
        return delta, None, StepState(t, state.shape, dt, owner=self._owner)


@dataclasses.dataclass(frozen=True)
class SignDescent(UpdateRule):
    r"""Sign descent on the gradient or on its moving average.

    Parameters
    ----------
    lr, lr_schedule
        See :class:`UpdateRule`.
    beta1 : float or array_like, default 0
        Momentum :math:`\beta_1 \in [0, 1)`; ``0`` gives sign descent on
        :math:`g_t`, a positive value sign descent on :math:`m_t`
        (signum).

    Notes
    -----
    .. math:: m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
              \theta_{t+1} = \Pi_F(\theta_t - \alpha_t\,
              \operatorname{sign}(m_t)),

    with :math:`\operatorname{sign}(0) = 0`. The state's ``v`` fields
    stay zero.
    """

    beta1: ArrayLike = 0.0

    label: ClassVar[str] = "Sign descent"
    _state_type: ClassVar[type] = MomentState
    _array_fields: ClassVar[tuple[str, ...]] = ("lr", "beta1")

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_beta("beta1", self.beta1)

    def init(
        self, shape: tuple[int, ...], dtype: DTypeLike = np.float64
    ) -> MomentState:
        """Return the state before the first step."""
        shape, dt = self._check_init(shape, dtype)
        zeros = np.zeros(shape, dtype=dt)
        return MomentState(0, zeros, zeros, zeros, zeros, owner=self._owner)

    def update(
        self, state: MomentState, g: ArrayLike
    ) -> tuple[Array, None, MomentState]:
        """Advance one step; see the class notes."""
        g = self._gradient(state, g)
        dt = g.dtype
        t = state.t + 1
        beta1 = _cast(self.beta1, dt)

        m = beta1 * state.m + (1 - beta1) * g
        delta = self.step_size(t, dt) * np.sign(m)
        new = MomentState(t, m, state.v, m, state.v, owner=self._owner)
        return delta, None, new


# ---------------------------------------------------------------------------
# Adam family
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Adam(UpdateRule):
    r"""Adam, with the options needed by the regret analyses.

    Parameters
    ----------
    lr, lr_schedule
        See :class:`UpdateRule`.
    beta1, beta2 : float or array_like
        :math:`\beta_1, \beta_2 \in [0, 1)`.
    eps : float or array_like
        :math:`\epsilon \ge 0`, added once, after the square root.
    bias_correction : bool
        Divide the moments by :math:`1 - \beta^t`.
    beta1_decay : float or array_like
        :math:`\lambda \in (0, 1]`; the momentum is
        :math:`\beta_{1,t} = \beta_1 \lambda^{t-1}` (``1`` gives constant
        momentum).
    max_second_moment : bool
        Keep the running maximum of :math:`\hat v_t` and divide by it
        (AMSGrad-style).

    Notes
    -----
    .. math::

        \beta_{1,t} &= \beta_1 \lambda^{t-1} \\
        m_t &= \beta_{1,t} m_{t-1} + (1-\beta_{1,t}) g_t \\
        v_t &= \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
        \hat m_t &= m_t / (1-\beta_1^t), \quad
        \hat v_t = v_t / (1-\beta_2^t) \\
        \delta_t &= \alpha_t \hat m_t / (\sqrt{\hat v_t} + \epsilon),
        \quad w_t = \sqrt{\hat v_t} + \epsilon.

    With a momentum schedule the bias correction still divides by
    :math:`1 - \beta_1^t` with the constant :math:`\beta_1`, as in Kingma
    & Ba (2015) and Zhuang et al. (2020).
    With ``max_second_moment`` the maximum is taken on the bias-corrected
    :math:`\hat v_t`, which is what makes :math:`\sqrt{\hat v_t}/\alpha_t`
    non-decreasing for constant :math:`\alpha` (the property regret
    proofs use); PyTorch's ``amsgrad`` takes it on the raw :math:`v_t`
    instead. The two agree when bias correction is off.

    The projection weight :math:`w_t` includes :math:`\epsilon` so that it
    equals the denominator of the step; the papers write
    :math:`\sqrt{\hat v_t}` and absorb :math:`\epsilon`.
    """

    beta1: ArrayLike = 0.9
    beta2: ArrayLike = 0.999
    eps: ArrayLike = 1e-8
    bias_correction: bool = True
    beta1_decay: ArrayLike = 1.0
    max_second_moment: bool = False

    label: ClassVar[str] = "Adam"
    _state_type: ClassVar[type] = MomentState
    _max_field: ClassVar[str | None] = "v_hat_max"
    _array_fields: ClassVar[tuple[str, ...]] = (
        "lr",
        "beta1",
        "beta2",
        "eps",
        "beta1_decay",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_beta("beta1", self.beta1)
        _check_beta("beta2", self.beta2)
        _check_eps(self.eps)
        _check_decay(self.beta1_decay)

    def init(
        self, shape: tuple[int, ...], dtype: DTypeLike = np.float64
    ) -> MomentState:
        """Return the state before the first step."""
        shape, dt = self._check_init(shape, dtype)
        zeros = np.zeros(shape, dtype=dt)
        v_hat_max = zeros if self.max_second_moment else None
        return MomentState(0, zeros, zeros, zeros, zeros, v_hat_max, owner=self._owner)

    @property
    def name(self) -> str:
        """``"AMSGrad"`` with the running maximum, else the label."""
        return "AMSGrad" if self.max_second_moment else self.label

    def _moments(
        self, state: MomentState, g: ArrayLike
    ) -> tuple[int, Array, Array, Array, Array, Array]:
        """Shared first half of a step: the moments and their corrections."""
        g = self._gradient(state, g)
        dt = g.dtype
        t = state.t + 1
        beta1, beta2 = _cast(self.beta1, dt), _cast(self.beta2, dt)
        beta1_t = beta1 * _cast(self.beta1_decay, dt) ** (t - 1)

        # Moving averages of g and g².
        m = beta1_t * state.m + (1 - beta1_t) * g
        v = beta2 * state.v + (1 - beta2) * g * g

        # Bias correction with the constant beta1 (see Notes).
        if self.bias_correction:
            m_hat = m / (1 - beta1**t)
            v_hat = v / (1 - beta2**t)
        else:
            m_hat, v_hat = m, v
        return t, g, m, v, m_hat, v_hat

    def update(
        self, state: MomentState, g: ArrayLike
    ) -> tuple[Array, Array, MomentState]:
        """Advance one step; see the class notes."""
        t, _, m, v, m_hat, v_hat = self._moments(state, g)
        dt = m.dtype

        v_hat_max = None
        denominator_sq = v_hat
        if self.max_second_moment:
            assert state.v_hat_max is not None
            v_hat_max = np.maximum(state.v_hat_max, v_hat)
            denominator_sq = v_hat_max

        weights = np.sqrt(denominator_sq) + _cast(self.eps, dt)
        delta = _divide(self.step_size(t, dt) * m_hat, weights, t)
        return (
            delta,
            weights,
            MomentState(t, m, v, m_hat, v_hat, v_hat_max, owner=self._owner),
        )


def AMSGrad(
    lr: ArrayLike = 1e-3,
    beta1: ArrayLike = 0.9,
    beta2: ArrayLike = 0.999,
    eps: ArrayLike = 1e-8,
    *,
    lr_schedule: LRSchedule = "constant",
    bias_correction: bool = False,
    beta1_decay: ArrayLike = 1.0,
) -> Adam:
    r"""AMSGrad of Reddi, Kale & Kumar (2018): Adam with a running maximum.

    Returns an :class:`Adam` with ``max_second_moment=True``. Bias
    correction is off by default, as in Algorithm 2 of Reddi et al.,
    where :math:`\hat v_t = \max(\hat v_{t-1}, v_t)` and the step is
    :math:`\alpha_t m_t/\sqrt{\hat v_t}`.
    """
    return Adam(
        lr=lr,
        lr_schedule=lr_schedule,
        beta1=beta1,
        beta2=beta2,
        eps=eps,
        bias_correction=bias_correction,
        beta1_decay=beta1_decay,
        max_second_moment=True,
    )


@dataclasses.dataclass(frozen=True)
class AdaBelief(UpdateRule):
    r"""AdaBelief, with every placement of ε found in implementations.

    Parameters
    ----------
    lr, lr_schedule, beta1, beta2, bias_correction, beta1_decay
        As in :class:`Adam`.
    eps : float or array_like
        :math:`\epsilon \ge 0`, placed according to ``eps_convention``.
    eps_convention : {"authors", "outside", "inside"}
        ``"authors"`` (default): the authors' PyTorch package
        ``adabelief-pytorch`` 0.2 and Algorithm 1 of the paper, which add
        ε to :math:`s_t` every step (so it accumulates in the state) and
        again after the square root. ``"outside"``: ε once, after the
        square root. ``"inside"``: ε once, under the square root.
    max_second_moment : bool
        Keep the running maximum of :math:`\hat s_t` and divide by it.

    Notes
    -----
    .. math::

        m_t &= \beta_{1,t} m_{t-1} + (1-\beta_{1,t}) g_t \\
        s_t &= \beta_2 s_{t-1} + (1-\beta_2)(g_t - m_t)^2
               \; [+\,\epsilon \text{ for "authors"}] \\
        \hat m_t &= m_t/(1-\beta_1^t), \quad \hat s_t = s_t/(1-\beta_2^t)\\
        \delta_t &= \alpha_t \hat m_t / D_t, \quad w_t = D_t,

    with :math:`D_t = \sqrt{\hat s_t} + \epsilon` ("authors",
    "outside") or :math:`D_t = \sqrt{\hat s_t + \epsilon}` ("inside").
    The residual uses the new :math:`m_t`, not :math:`m_{t-1}`.
    Each convention is a different algorithm when gradients are small;
    results name the one used. Under "authors" the state holds
    :math:`s_t \ge \epsilon(1-\beta_2^t)/(1-\beta_2)`.
    """

    beta1: ArrayLike = 0.9
    beta2: ArrayLike = 0.999
    eps: ArrayLike = 1e-16
    eps_convention: EpsConvention = "authors"
    bias_correction: bool = True
    beta1_decay: ArrayLike = 1.0
    max_second_moment: bool = False

    label: ClassVar[str] = "AdaBelief"
    _state_type: ClassVar[type] = BeliefState
    _max_field: ClassVar[str | None] = "s_hat_max"
    _array_fields: ClassVar[tuple[str, ...]] = (
        "lr",
        "beta1",
        "beta2",
        "eps",
        "beta1_decay",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_beta("beta1", self.beta1)
        _check_beta("beta2", self.beta2)
        _check_eps(self.eps)
        _check_decay(self.beta1_decay)
        if self.eps_convention not in EPS_CONVENTIONS:
            raise ValueError(
                f"eps_convention must be one of {EPS_CONVENTIONS}, got "
                f"{self.eps_convention!r}"
            )

    @property
    def name(self) -> str:
        """``"AdaBelief (max)"`` with the running maximum, else the label."""
        return "AdaBelief (max)" if self.max_second_moment else self.label

    def init(
        self, shape: tuple[int, ...], dtype: DTypeLike = np.float64
    ) -> BeliefState:
        """Return the state before the first step."""
        shape, dt = self._check_init(shape, dtype)
        zeros = np.zeros(shape, dtype=dt)
        s_hat_max = zeros if self.max_second_moment else None
        return BeliefState(0, zeros, zeros, zeros, zeros, s_hat_max, owner=self._owner)

    def update(
        self, state: BeliefState, g: ArrayLike
    ) -> tuple[Array, Array, BeliefState]:
        """Advance one step; see the class notes."""
        g = self._gradient(state, g)
        dt = g.dtype
        t = state.t + 1
        beta1, beta2 = _cast(self.beta1, dt), _cast(self.beta2, dt)
        beta1_t = beta1 * _cast(self.beta1_decay, dt) ** (t - 1)
        eps = _cast(self.eps, dt)

        # Moving average of g, then of the squared residual g - m (new m).
        m = beta1_t * state.m + (1 - beta1_t) * g
        residual = g - m
        s = beta2 * state.s + (1 - beta2) * residual * residual
        if self.eps_convention == "authors":
            s = s + eps

        # Bias correction with the constant beta1 (as in Adam).
        if self.bias_correction:
            m_hat = m / (1 - beta1**t)
            s_hat = s / (1 - beta2**t)
        else:
            m_hat, s_hat = m, s

        s_hat_max = None
        denominator_sq = s_hat
        if self.max_second_moment:
            assert state.s_hat_max is not None
            s_hat_max = np.maximum(state.s_hat_max, s_hat)
            denominator_sq = s_hat_max

        # Denominator D_t, which is also the projection weight.
        if self.eps_convention == "inside":
            weights = np.sqrt(denominator_sq + eps)
        else:
            weights = np.sqrt(denominator_sq) + eps
        delta = _divide(self.step_size(t, dt) * m_hat, weights, t)
        return (
            delta,
            weights,
            BeliefState(t, m, s, m_hat, s_hat, s_hat_max, owner=self._owner),
        )


@dataclasses.dataclass(frozen=True)
class CenteredAdam(Adam):
    r"""The centred method: Adam with denominator :math:`(\hat v_t -
    \hat m_t^2)^{1/2}`.

    This is the family of centred RMSprop (Graves 2013) and SDProp
    (Ida et al. 2017), reference [4] of the rebuttal.

    Notes
    -----
    The moments are those of :class:`Adam` (same β's, bias correction and
    momentum schedule); the step is

    .. math:: \delta_t = \alpha_t \hat m_t /
              \left(\sqrt{\hat v_t - \hat m_t^2} + \epsilon\right).

    :math:`\hat v_t - \hat m_t^2` can be negative, exactly when
    :math:`\beta_1 \ne \beta_2` and in floating point even when they are
    equal. With bias correction, :math:`\hat v_1 - \hat m_1^2 = 0` in
    exact arithmetic, so at :math:`t = 1` rounding alone decides its sign
    and the step is NaN or :math:`\alpha g/\epsilon`.
    The code does not clip it: the square root gives NaN in those
    coordinates and a :class:`RuntimeWarning` says how many there are.
    ``max_second_moment`` is not supported.
    """

    label: ClassVar[str] = "Centered"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.max_second_moment:
            raise ValueError("max_second_moment must be False for CenteredAdam")

    def update(
        self, state: MomentState, g: ArrayLike
    ) -> tuple[Array, Array, MomentState]:
        """Advance one step; see the class notes."""
        t, _, m, v, m_hat, v_hat = self._moments(state, g)
        dt = m.dtype

        variance = v_hat - m_hat * m_hat
        negative = int(np.count_nonzero(variance < 0))
        if negative:
            warnings.warn(
                f"v_hat - m_hat**2 is negative in {negative} coordinate(s) at "
                f"step {t}; the centred denominator is NaN there",
                RuntimeWarning,
                stacklevel=2,
            )
        with np.errstate(invalid="ignore"):
            weights = np.sqrt(variance) + _cast(self.eps, dt)
        delta = _divide(self.step_size(t, dt) * m_hat, weights, t)
        return delta, weights, MomentState(t, m, v, m_hat, v_hat, owner=self._owner)


@dataclasses.dataclass(frozen=True)
class AdaGrad(UpdateRule):
    r"""AdaGrad with diagonal preconditioning (Duchi, Hazan & Singer 2011).

    Parameters
    ----------
    lr, lr_schedule
        See :class:`UpdateRule`.
    eps : float or array_like
        :math:`\epsilon \ge 0`, added after the square root.

    Notes
    -----
    .. math:: v_t = v_{t-1} + g_t^2, \quad
              \delta_t = \alpha_t g_t/(\sqrt{v_t} + \epsilon), \quad
              w_t = \sqrt{v_t} + \epsilon.

    The state's ``m`` fields stay zero and ``v_hat`` equals ``v``.
    """

    eps: ArrayLike = 1e-10

    label: ClassVar[str] = "AdaGrad"
    _state_type: ClassVar[type] = MomentState
    _array_fields: ClassVar[tuple[str, ...]] = ("lr", "eps")

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_eps(self.eps)

    def init(
        self, shape: tuple[int, ...], dtype: DTypeLike = np.float64
    ) -> MomentState:
        """Return the state before the first step."""
        shape, dt = self._check_init(shape, dtype)
        zeros = np.zeros(shape, dtype=dt)
        return MomentState(0, zeros, zeros, zeros, zeros, owner=self._owner)

    def update(
        self, state: MomentState, g: ArrayLike
    ) -> tuple[Array, Array, MomentState]:
        """Advance one step; see the class notes."""
        g = self._gradient(state, g)
        dt = g.dtype
        t = state.t + 1

        v = state.v + g * g
        weights = np.sqrt(v) + _cast(self.eps, dt)
        delta = _divide(self.step_size(t, dt) * g, weights, t)
        return delta, weights, MomentState(t, state.m, v, state.m, v, owner=self._owner)
