r"""Slow scalar reference implementations of the update rules.

Written from the papers' equations, one coordinate and one step at a time,
with Python floats and :mod:`math` only; nothing is shared with
:mod:`analysis.optimizers`, so that agreement between the two is evidence
that both follow the equations.

Every function takes the gradients :math:`g_1, \dots, g_T` as a sequence of
``T`` vectors of length ``d`` (a ``(T, d)`` array or nested lists) and the
hyperparameters as keywords named as in the package, and returns a dict
mapping a quantity to a ``T × d`` nested list of floats, row ``t - 1``
holding step ``t``:

``delta``
    the step :math:`\delta_t` (the next iterate is
    :math:`\Pi(\theta_t - \delta_t)`);
``weights``
    the projection weights :math:`w_t` (absent for SGD and sign descent,
    which project in the Euclidean norm);
``m``, ``v`` or ``s``, ``m_hat``, ``v_hat`` or ``s_hat``
    the raw and bias-corrected moments after step ``t``;
``v_hat_max`` or ``s_hat_max``
    the running maximum, present only when the rule keeps one.

The step size is :math:`\alpha_t = \alpha` (``"constant"``) or
:math:`\alpha_t = \alpha/\sqrt t` (``"inv_sqrt"``); hyperparameters are
scalars here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = [
    "reference_adabelief",
    "reference_adagrad",
    "reference_adam",
    "reference_amsgrad",
    "reference_centered_adam",
    "reference_sgd",
    "reference_sign_descent",
]

Trajectory = dict[str, list[list[float]]]


def _rows(grads: Sequence[Sequence[Any]]) -> list[list[float]]:
    """Return the gradients as a list of ``T`` lists of ``d`` floats."""
    rows = [[float(x) for x in row] for row in grads]
    if not rows or any(len(row) != len(rows[0]) for row in rows):
        raise ValueError("grads must be a non-empty (T, d) sequence")
    return rows


def _empty(names: Sequence[str], steps: int, dim: int) -> Trajectory:
    return {name: [[math.nan] * dim for _ in range(steps)] for name in names}


def _alpha(lr: float, lr_schedule: str, t: int) -> float:
    r"""Step size :math:`\alpha_t` at step ``t`` (counted from 1)."""
    if lr_schedule == "constant":
        return lr
    if lr_schedule == "inv_sqrt":
        return lr / math.sqrt(t)
    raise ValueError(f"unknown lr_schedule {lr_schedule!r}")


def _sign(x: float) -> float:
    """Sign with sign(0) = 0."""
    if x > 0:
        return 1.0
    if x < 0:
        return -1.0
    return 0.0


def reference_sgd(
    grads: Sequence[Sequence[Any]], *, lr: float, lr_schedule: str = "constant"
) -> Trajectory:
    r"""Gradient descent: :math:`\delta_t = \alpha_t g_t`."""
    rows = _rows(grads)
    steps, dim = len(rows), len(rows[0])
    out = _empty(["delta"], steps, dim)
    for i in range(dim):
        for t in range(1, steps + 1):
            out["delta"][t - 1][i] = _alpha(lr, lr_schedule, t) * rows[t - 1][i]
    return out


def reference_sign_descent(
    grads: Sequence[Sequence[Any]],
    *,
    lr: float,
    beta1: float = 0.0,
    lr_schedule: str = "constant",
) -> Trajectory:
    r"""Sign descent on :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t`.

    :math:`\delta_t = \alpha_t \operatorname{sign}(m_t)`, sign(0) = 0;
    with :math:`\beta_1 = 0`, :math:`m_t = g_t`. No bias correction, so
    ``m_hat`` is ``m``.
    """
    rows = _rows(grads)
    steps, dim = len(rows), len(rows[0])
    out = _empty(["delta", "m", "m_hat"], steps, dim)
    for i in range(dim):
        m = 0.0
        for t in range(1, steps + 1):
            g = rows[t - 1][i]
            m = beta1 * m + (1.0 - beta1) * g
            out["m"][t - 1][i] = m
            out["m_hat"][t - 1][i] = m
            out["delta"][t - 1][i] = _alpha(lr, lr_schedule, t) * _sign(m)
    return out


def reference_adam(
    grads: Sequence[Sequence[Any]],
    *,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    bias_correction: bool = True,
    beta1_decay: float = 1.0,
    max_second_moment: bool = False,
    lr_schedule: str = "constant",
) -> Trajectory:
    r"""Adam, Algorithm 1 of Kingma & Ba (2015), with their options.

    .. math::

        \beta_{1,t} = \beta_1\lambda^{t-1},\quad
        m_t = \beta_{1,t} m_{t-1} + (1-\beta_{1,t}) g_t,\quad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,

        \hat m_t = m_t/(1-\beta_1^t),\quad \hat v_t = v_t/(1-\beta_2^t)
        \quad\text{(or the raw moments without bias correction)},

        \delta_t = \alpha_t \hat m_t/(\sqrt{\hat v_t} + \epsilon),\quad
        w_t = \sqrt{\hat v_t} + \epsilon,

    with :math:`\hat v_t` replaced by its running maximum when
    ``max_second_moment`` is set. The bias correction uses the constant
    :math:`\beta_1` even under the momentum schedule (Kingma & Ba, §4).
    """
    rows = _rows(grads)
    steps, dim = len(rows), len(rows[0])
    names = ["delta", "weights", "m", "v", "m_hat", "v_hat"]
    if max_second_moment:
        names.append("v_hat_max")
    out = _empty(names, steps, dim)
    for i in range(dim):
        m = v = 0.0
        running_max = 0.0
        for t in range(1, steps + 1):
            g = rows[t - 1][i]
            beta1_t = beta1 * math.pow(beta1_decay, t - 1)
            m = beta1_t * m + (1.0 - beta1_t) * g
            v = beta2 * v + (1.0 - beta2) * g**2
            if bias_correction:
                m_hat = m / (1.0 - math.pow(beta1, t))
                v_hat = v / (1.0 - math.pow(beta2, t))
            else:
                m_hat, v_hat = m, v
            denominator = v_hat
            if max_second_moment:
                running_max = max(running_max, v_hat)
                out["v_hat_max"][t - 1][i] = running_max
                denominator = running_max
            weight = math.sqrt(denominator) + eps
            out["m"][t - 1][i] = m
            out["v"][t - 1][i] = v
            out["m_hat"][t - 1][i] = m_hat
            out["v_hat"][t - 1][i] = v_hat
            out["weights"][t - 1][i] = weight
            out["delta"][t - 1][i] = _alpha(lr, lr_schedule, t) * m_hat / weight
    return out


def reference_amsgrad(
    grads: Sequence[Sequence[Any]],
    *,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    bias_correction: bool = False,
    beta1_decay: float = 1.0,
    lr_schedule: str = "constant",
) -> Trajectory:
    r"""AMSGrad, Algorithm 2 of Reddi, Kale & Kumar (2018).

    .. math::

        m_t = \beta_{1,t} m_{t-1} + (1-\beta_{1,t}) g_t,\quad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\quad
        \hat v_t = \max(\hat v_{t-1}, v_t),\quad
        \delta_t = \alpha_t m_t / (\sqrt{\hat v_t} + \epsilon).

    Reddi et al. have no bias correction and no ε; with
    ``bias_correction`` the moments are first divided by
    :math:`1 - \beta^t` and the maximum is taken on :math:`v_t/(1-\beta_2^t)`.
    Returned under the package's names: ``v_hat`` is the (corrected)
    second moment, ``v_hat_max`` Reddi's :math:`\hat v_t`.
    """
    rows = _rows(grads)
    steps, dim = len(rows), len(rows[0])
    names = ["delta", "weights", "m", "v", "m_hat", "v_hat", "v_hat_max"]
    out = _empty(names, steps, dim)
    for i in range(dim):
        m = v = 0.0
        v_max = 0.0
        for t in range(1, steps + 1):
            g = rows[t - 1][i]
            beta1_t = beta1 * beta1_decay ** (t - 1)
            m = beta1_t * m + (1.0 - beta1_t) * g
            v = beta2 * v + (1.0 - beta2) * g * g
            first = m / (1.0 - beta1**t) if bias_correction else m
            second = v / (1.0 - beta2**t) if bias_correction else v
            v_max = max(v_max, second)
            weight = math.sqrt(v_max) + eps
            out["m"][t - 1][i] = m
            out["v"][t - 1][i] = v
            out["m_hat"][t - 1][i] = first
            out["v_hat"][t - 1][i] = second
            out["v_hat_max"][t - 1][i] = v_max
            out["weights"][t - 1][i] = weight
            out["delta"][t - 1][i] = _alpha(lr, lr_schedule, t) * first / weight
    return out


def reference_adabelief(
    grads: Sequence[Sequence[Any]],
    *,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    eps_convention: str = "authors",
    bias_correction: bool = True,
    beta1_decay: float = 1.0,
    max_second_moment: bool = False,
    lr_schedule: str = "constant",
) -> Trajectory:
    r"""AdaBelief, Algorithm 1 of Zhuang et al. (2020), three ε placements.

    .. math::

        m_t = \beta_{1,t} m_{t-1} + (1-\beta_{1,t}) g_t,\quad
        s_t = \beta_2 s_{t-1} + (1-\beta_2)(g_t - m_t)^2
              \;[+\,\epsilon \text{ under "authors"}],

        \hat m_t = m_t/(1-\beta_1^t),\quad \hat s_t = s_t/(1-\beta_2^t),

        D_t = \sqrt{\hat s_t} + \epsilon \text{ ("authors", "outside")}
        \quad\text{or}\quad \sqrt{\hat s_t + \epsilon} \text{ ("inside")},
        \qquad \delta_t = \alpha_t \hat m_t / D_t,\quad w_t = D_t.

    The residual uses the new :math:`m_t`. With ``max_second_moment``
    :math:`\hat s_t` is replaced by its running maximum in :math:`D_t`.
    """
    if eps_convention not in ("authors", "outside", "inside"):
        raise ValueError(f"unknown eps_convention {eps_convention!r}")
    rows = _rows(grads)
    steps, dim = len(rows), len(rows[0])
    names = ["delta", "weights", "m", "s", "m_hat", "s_hat"]
    if max_second_moment:
        names.append("s_hat_max")
    out = _empty(names, steps, dim)
    for i in range(dim):
        m = s = 0.0
        running_max = 0.0
        for t in range(1, steps + 1):
            g = rows[t - 1][i]
            beta1_t = beta1 * math.pow(beta1_decay, t - 1)
            m = beta1_t * m + (1.0 - beta1_t) * g
            s = beta2 * s + (1.0 - beta2) * (g - m) ** 2
            if eps_convention == "authors":
                s += eps
            if bias_correction:
                m_hat = m / (1.0 - math.pow(beta1, t))
                s_hat = s / (1.0 - math.pow(beta2, t))
            else:
                m_hat, s_hat = m, s
            under_root = s_hat
            if max_second_moment:
                running_max = max(running_max, s_hat)
                out["s_hat_max"][t - 1][i] = running_max
                under_root = running_max
            if eps_convention == "inside":
                denominator = math.sqrt(under_root + eps)
            else:
                denominator = math.sqrt(under_root) + eps
            out["m"][t - 1][i] = m
            out["s"][t - 1][i] = s
            out["m_hat"][t - 1][i] = m_hat
            out["s_hat"][t - 1][i] = s_hat
            out["weights"][t - 1][i] = denominator
            out["delta"][t - 1][i] = _alpha(lr, lr_schedule, t) * m_hat / denominator
    return out


def reference_centered_adam(
    grads: Sequence[Sequence[Any]],
    *,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    bias_correction: bool = True,
    beta1_decay: float = 1.0,
    lr_schedule: str = "constant",
) -> Trajectory:
    r"""The centred method: Adam's moments, denominator
    :math:`\sqrt{\hat v_t - \hat m_t^2} + \epsilon`.

    Where :math:`\hat v_t - \hat m_t^2 < 0` the denominator, the weight and
    the step are NaN (the square root of a negative number is undefined).
    """
    rows = _rows(grads)
    steps, dim = len(rows), len(rows[0])
    out = _empty(["delta", "weights", "m", "v", "m_hat", "v_hat"], steps, dim)
    for i in range(dim):
        m = v = 0.0
        for t in range(1, steps + 1):
            g = rows[t - 1][i]
            beta1_t = beta1 * beta1_decay ** (t - 1)
            m = beta1_t * m + (1.0 - beta1_t) * g
            v = beta2 * v + (1.0 - beta2) * g**2
            m_hat = m / (1.0 - beta1**t) if bias_correction else m
            v_hat = v / (1.0 - beta2**t) if bias_correction else v
            variance = v_hat - m_hat**2
            weight = math.sqrt(variance) + eps if variance >= 0 else math.nan
            out["m"][t - 1][i] = m
            out["v"][t - 1][i] = v
            out["m_hat"][t - 1][i] = m_hat
            out["v_hat"][t - 1][i] = v_hat
            out["weights"][t - 1][i] = weight
            if math.isnan(weight):
                out["delta"][t - 1][i] = math.nan
            else:
                out["delta"][t - 1][i] = _alpha(lr, lr_schedule, t) * m_hat / weight
    return out


def reference_adagrad(
    grads: Sequence[Sequence[Any]],
    *,
    lr: float,
    eps: float,
    lr_schedule: str = "constant",
) -> Trajectory:
    r"""Diagonal AdaGrad (Duchi, Hazan & Singer 2011).

    :math:`v_t = \sum_{\tau \le t} g_\tau^2`,
    :math:`\delta_t = \alpha_t g_t / (\sqrt{v_t} + \epsilon)`,
    :math:`w_t = \sqrt{v_t} + \epsilon`; ``v_hat`` is ``v``.
    """
    rows = _rows(grads)
    steps, dim = len(rows), len(rows[0])
    out = _empty(["delta", "weights", "v", "v_hat"], steps, dim)
    for i in range(dim):
        total = 0.0
        for t in range(1, steps + 1):
            g = rows[t - 1][i]
            total += g * g
            weight = math.sqrt(total) + eps
            out["v"][t - 1][i] = total
            out["v_hat"][t - 1][i] = total
            out["weights"][t - 1][i] = weight
            out["delta"][t - 1][i] = _alpha(lr, lr_schedule, t) * g / weight
    return out
