r"""Tests of analysis.optimizers: the update rules, step by step.

1. The first three steps of every rule worked out by hand on a constant and
   an alternating gradient.
2. Whole runs against the slow scalar reference of ``tests/reference.py``.
3. Properties every rule must have: batching, broadcasting of
   hyperparameters, purity, the initial state, dtypes, checks of ``g``.
4. Bad hyperparameters rejected at construction, naming the argument.
5. The centred method's :math:`\hat v_t - \hat m_t^2`, negative when
   :math:`\beta_1 \ne \beta_2`.
6. AdaBelief: the ε that the "authors" convention accumulates in
   :math:`s_t`.

Hand derivations use :math:`\beta_1 = 1/2`, :math:`\beta_2 = 3/4`,
:math:`\alpha = 1/10` and :math:`|g_t| = c = 2`, whose arithmetic is
mostly exact in binary. Shorthand used in the comments:

* :math:`1 - \beta_1^t = 1/2, 3/4, 7/8` and
  :math:`1 - \beta_2^t = 1/4, 7/16, 37/64` for :math:`t = 1, 2, 3`;
* constant gradient :math:`g_t = c`:
  :math:`m_t = c(1 - \beta_1^t) = 1, 3/2, 7/4` and
  :math:`v_t = c^2(1 - \beta_2^t) = 1, 7/4, 37/16`,
  so :math:`\hat m_t = c = 2` and :math:`\hat v_t = c^2 = 4`;
* alternating gradient :math:`g_t = (-1)^{t+1} c`:
  :math:`m_t = 1, -1/2, 3/4`, the same :math:`v_t`, so
  :math:`\hat m_t = 2, -2/3, 6/7` and :math:`\hat v_t = 4`.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pytest

from analysis import optimizers as opt
from analysis.optimizers import (
    SGD,
    AdaBelief,
    AdaGrad,
    Adam,
    AMSGrad,
    CenteredAdam,
    SignDescent,
)
from tests import reference

STATE_FIELDS = ("m", "v", "s", "m_hat", "v_hat", "s_hat", "v_hat_max", "s_hat_max")
CONSTANT = [2.0, 2.0, 2.0]  # g_t = c = 2
ALTERNATING = [2.0, -2.0, 2.0]  # g_t = (-1)^(t+1) c
SQRT = math.sqrt


def run(rule: Any, grads: Any, dtype: Any = np.float64) -> dict[str, Any]:
    """Feed ``grads[0], grads[1], ...`` to ``rule`` from its initial state.

    Returns every output stacked along a new first axis (step ``t`` in row
    ``t - 1``): ``t``, ``delta``, ``weights`` and the state's moments, or
    ``None`` for an output the rule does not produce.
    """
    grads = np.asarray(grads)
    state = rule.init(grads.shape[1:], dtype)
    steps = []
    for g in grads:
        delta, weights, state = rule.update(state, g)
        record = {"t": state.t, "delta": delta, "weights": weights}
        for name in STATE_FIELDS:
            if hasattr(state, name):
                record[name] = getattr(state, name)
        steps.append(record)
    return {
        name: None
        if steps[0][name] is None
        else np.stack([np.asarray(step[name]) for step in steps])
        for name in steps[0]
    }


def check_steps(
    rule: Any,
    grads: Sequence[float],
    expected: dict[str, Sequence[float] | None],
    rel: float = 1e-14,
) -> None:
    """Run ``rule`` on scalar gradients and compare with hand values.

    ``expected`` maps an output to its values at steps 1, 2, 3 (``None``:
    the rule must not produce it). Hand values are exact expressions, so
    the only tolerance is rounding: a few ulps, more (``rel``) where
    ``1 - β2^t`` with β2 near 1 cancels (condition number
    ``1/(1 - β2^t)``, about 500 for β2 = 0.999 at t = 2).
    """
    out = run(rule, np.asarray(grads, dtype=np.float64)[:, None])
    assert out["t"].tolist() == list(range(1, len(grads) + 1))
    for name, values in expected.items():
        if values is None:
            assert out[name] is None, f"{name} should be None"
            continue
        actual = out[name][:, 0].tolist()
        assert actual == pytest.approx(list(values), rel=rel, abs=0), name


# ---------------------------------------------------------------------------
# 1. First three steps by hand
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lr_schedule", "grads", "deltas"),
    [
        # δ_t = α g_t with α = 0.1.
        ("constant", CONSTANT, [0.1 * 2, 0.1 * 2, 0.1 * 2]),
        ("constant", ALTERNATING, [0.1 * 2, -0.1 * 2, 0.1 * 2]),
        # δ_t = (α/√t) g_t.
        ("inv_sqrt", CONSTANT, [0.1 * 2, 0.1 / SQRT(2) * 2, 0.1 / SQRT(3) * 2]),
        ("inv_sqrt", ALTERNATING, [0.1 * 2, -0.1 / SQRT(2) * 2, 0.1 / SQRT(3) * 2]),
    ],
)
def test_sgd_step_is_step_size_times_gradient(lr_schedule, grads, deltas):
    check_steps(
        SGD(lr=0.1, lr_schedule=lr_schedule),
        grads,
        {"delta": deltas, "weights": None},  # Euclidean projection: no weights
    )


@pytest.mark.parametrize(
    ("grads", "m", "deltas"),
    [
        # β1 = 0: m_t = g_t, δ_t = α sign(g_t).
        (CONSTANT, [2, 2, 2], [0.1, 0.1, 0.1]),
        (ALTERNATING, [2, -2, 2], [0.1, -0.1, 0.1]),
        # sign(0) = 0: no step on a zero gradient.
        ([0.0, 2.0, 0.0], [0, 2, 0], [0, 0.1, 0]),
    ],
    ids=["constant", "alternating", "zero"],
)
def test_sign_descent_on_gradient_steps_by_sign_of_gradient(grads, m, deltas):
    check_steps(
        SignDescent(lr=0.1, beta1=0.0),
        grads,
        {
            "m": m,
            "m_hat": m,  # no bias correction
            "v": [0, 0, 0],  # unused
            "v_hat": [0, 0, 0],
            "delta": deltas,
            "weights": None,
        },
    )


@pytest.mark.parametrize(
    ("grads", "m", "deltas"),
    [
        # m_t = m_{t-1}/2 + g_t/2 = 1, 3/2, 7/4: always positive.
        (
            CONSTANT,
            [0.5 * 2, 0.5 * 1 + 0.5 * 2, 0.5 * 1.5 + 0.5 * 2],
            [0.1, 0.1, 0.1],
        ),
        # m_t = 1, 1/2 - 1 = -1/2, -1/4 + 1 = 3/4: signs +, -, +.
        (
            ALTERNATING,
            [0.5 * 2, 0.5 * 1 - 0.5 * 2, -0.5 * 0.5 + 0.5 * 2],
            [0.1, -0.1, 0.1],
        ),
        # m_t = 1, 1/2 - 1/4 = 1/4, 1/8 - 1/4 = -1/8: at step 2 the sign
        # of m (+) is followed, not that of g (-).
        (
            [2.0, -0.5, -0.5],
            [0.5 * 2, 0.5 * 1 - 0.5 * 0.5, 0.5 * 0.25 - 0.5 * 0.5],
            [0.1, 0.1, -0.1],
        ),
        # m_t = 1, 1/2 - 1/2 = 0, 0 + 0 = 0: sign(0) = 0, no step.
        ([2.0, -1.0, 0.0], [0.5 * 2, 0.5 * 1 - 0.5 * 1, 0.0], [0.1, 0, 0]),
    ],
    ids=["constant", "alternating", "momentum-outvotes-gradient", "zero-momentum"],
)
def test_sign_descent_with_momentum_steps_by_sign_of_m(grads, m, deltas):
    check_steps(
        SignDescent(lr=0.1, beta1=0.5),
        grads,
        {
            "m": m,
            "m_hat": m,  # no bias correction
            "v": [0, 0, 0],  # unused
            "delta": deltas,
            "weights": None,
        },
    )


@pytest.mark.parametrize("eps", [0.0, 0.01])
def test_adam_bias_corrected_step_is_constant_on_constant_gradient(eps):
    check_steps(
        Adam(lr=0.1, beta1=0.5, beta2=0.75, eps=eps),
        CONSTANT,
        {
            # m_t = m_{t-1}/2 + 2/2
            "m": [0.5 * 2, 0.5 * 1 + 0.5 * 2, 0.5 * 1.5 + 0.5 * 2],
            # v_t = 3/4 v_{t-1} + 1/4 · 4
            "v": [0.25 * 4, 0.75 * 1 + 0.25 * 4, 0.75 * 1.75 + 0.25 * 4],
            # m_t / (1 - β1^t) = c
            "m_hat": [1 / 0.5, 1.5 / 0.75, 1.75 / 0.875],
            # v_t / (1 - β2^t) = c²
            "v_hat": [1 / 0.25, 1.75 / 0.4375, 2.3125 / 0.578125],
            # √v̂ + ε = |c| + ε
            "weights": [2 + eps, 2 + eps, 2 + eps],
            # α m̂/(√v̂ + ε) = α c/(|c| + ε) at every step
            "delta": [0.1 * 2 / (2 + eps)] * 3,
            "v_hat_max": None,
        },
    )


@pytest.mark.parametrize("eps", [0.0, 0.01])
def test_adam_bias_corrected_alternating_gradient_steps_by_m_hat_over_abs_c(eps):
    check_steps(
        Adam(lr=0.1, beta1=0.5, beta2=0.75, eps=eps),
        ALTERNATING,
        {
            # m_t = m_{t-1}/2 + g_t/2
            "m": [0.5 * 2, 0.5 * 1 - 0.5 * 2, -0.5 * 0.5 + 0.5 * 2],
            # v_t depends on g_t² only: as for the constant gradient
            "v": [0.25 * 4, 0.75 * 1 + 0.25 * 4, 0.75 * 1.75 + 0.25 * 4],
            # m_t / (1 - β1^t) = 2, -2/3, 6/7
            "m_hat": [1 / 0.5, -0.5 / 0.75, 0.75 / 0.875],
            "v_hat": [4, 4, 4],  # c²
            "weights": [2 + eps, 2 + eps, 2 + eps],  # |c| + ε
            # α m̂_t / (|c| + ε)
            "delta": [
                0.1 * 2 / (2 + eps),
                0.1 * (-2 / 3) / (2 + eps),
                0.1 * (6 / 7) / (2 + eps),
            ],
        },
    )


@pytest.mark.parametrize(
    ("grads", "m", "deltas"),
    [
        # m_t = 1, 3/2, 7/4 and v_t = 1, 7/4, 37/16 (see the module docstring);
        # δ_t = α m_t/√v_t.
        (
            CONSTANT,
            [1, 1.5, 1.75],
            [0.1 * 1 / 1, 0.1 * 1.5 / SQRT(1.75), 0.1 * 1.75 / SQRT(2.3125)],
        ),
        # m_t = 1, -1/2, 3/4, same v_t.
        (
            ALTERNATING,
            [1, -0.5, 0.75],
            [0.1 * 1 / 1, 0.1 * -0.5 / SQRT(1.75), 0.1 * 0.75 / SQRT(2.3125)],
        ),
    ],
    ids=["constant", "alternating"],
)
def test_adam_without_bias_correction_divides_raw_moments(grads, m, deltas):
    v = [0.25 * 4, 0.75 * 1 + 0.25 * 4, 0.75 * 1.75 + 0.25 * 4]  # 1, 7/4, 37/16
    check_steps(
        Adam(lr=0.1, beta1=0.5, beta2=0.75, eps=0.0, bias_correction=False),
        grads,
        {
            "m": m,
            "v": v,
            "m_hat": m,  # no correction: the hats are the raw moments
            "v_hat": v,
            "weights": [SQRT(x) for x in v],  # √v_t + 0
            "delta": deltas,
        },
    )


def test_adam_defaults_constant_gradient_step_is_lr_c_over_abs_c_plus_eps():
    # β1 = 0.9, β2 = 0.999, α = 1e-3, ε = 1e-8, g_t = 2.
    check_steps(
        Adam(),
        CONSTANT,
        {
            # m_t = 0.1 · 2 · (1 + 0.9 + ... + 0.9^{t-1})
            "m": [0.2, 0.2 * (1 + 0.9), 0.2 * (1 + 0.9 + 0.81)],
            # v_t = 0.001 · 4 · (1 + 0.999 + ... + 0.999^{t-1})
            "v": [0.004, 0.004 * (1 + 0.999), 0.004 * (1 + 0.999 + 0.998001)],
            "m_hat": [2, 2, 2],  # the geometric sums cancel 1 - 0.9^t
            "v_hat": [4, 4, 4],  # and 1 - 0.999^t
            "weights": [2 + 1e-8] * 3,  # √4 + ε
            "delta": [1e-3 * 2 / (2 + 1e-8)] * 3,  # α c/(|c| + ε)
        },
        rel=1e-12,
    )


def test_adam_defaults_alternating_gradient_follows_bias_corrected_m():
    # β1 = 0.9, β2 = 0.999, α = 1e-3, ε = 1e-8, g_t = 2, -2, 2.
    m = [0.2, 0.2 * (-1 + 0.9), 0.2 * (1 - 0.9 + 0.81)]  # 0.2, -0.02, 0.182
    m_hat = [0.2 / 0.1, -0.02 / 0.19, 0.182 / 0.271]  # m_t / (1 - 0.9^t)
    check_steps(
        Adam(),
        ALTERNATING,
        {
            "m": m,
            "v": [0.004, 0.004 * (1 + 0.999), 0.004 * (1 + 0.999 + 0.998001)],
            "m_hat": m_hat,
            "v_hat": [4, 4, 4],  # g_t² = 4 throughout
            "weights": [2 + 1e-8] * 3,
            "delta": [1e-3 * x / (2 + 1e-8) for x in m_hat],  # α m̂_t/(2 + ε)
        },
        rel=1e-12,
    )


@pytest.mark.parametrize("c", [2.0, -3.0, 1e-6, -1e-7, 1e6])
def test_adam_first_step_is_lr_times_c_over_abs_c_plus_eps(c):
    # Step 1 with bias correction: m̂_1 = c, v̂_1 = c², so
    # δ_1 = α c/(|c| + ε) whatever β1, β2; ε visibly shrinks it for |c| ~ ε.
    delta, weights, _ = Adam(beta1=0.9, beta2=0.999, eps=1e-8).update(
        Adam().init((1,)), [c]
    )
    assert delta[0] == pytest.approx(1e-3 * c / (abs(c) + 1e-8), rel=1e-15)
    assert weights[0] == pytest.approx(abs(c) + 1e-8, rel=1e-15)


@pytest.mark.parametrize(
    ("grads", "m", "m_hat"),
    [
        # β1_t = β1 λ^{t-1} = 1/2, 1/4, 1/8:
        # m_1 = 1/2 · 2 = 1, m_2 = 1/4 · 1 + 3/4 · 2 = 7/4,
        # m_3 = 1/8 · 7/4 + 7/8 · 2 = 63/32; the correction still divides
        # by 1 - (1/2)^t, so m̂ = 2, 7/3, 9/4 overshoots c = 2.
        (
            CONSTANT,
            [0.5 * 2, 0.25 * 1 + 0.75 * 2, 0.125 * 1.75 + 0.875 * 2],
            [1 / 0.5, 1.75 / 0.75, 1.96875 / 0.875],
        ),
        # m_1 = 1, m_2 = 1/4 - 3/4 · 2 = -5/4, m_3 = -5/32 + 7/4 = 51/32.
        (
            ALTERNATING,
            [0.5 * 2, 0.25 * 1 - 0.75 * 2, 0.125 * -1.25 + 0.875 * 2],
            [1 / 0.5, -1.25 / 0.75, 1.59375 / 0.875],
        ),
    ],
    ids=["constant", "alternating"],
)
def test_adam_momentum_schedule_uses_beta1_lambda_power(grads, m, m_hat):
    check_steps(
        Adam(lr=0.1, beta1=0.5, beta2=0.75, eps=0.0, beta1_decay=0.5),
        grads,
        {
            "m": m,
            "m_hat": m_hat,
            "v_hat": [4, 4, 4],  # v does not depend on β1
            "delta": [0.1 * x / 2 for x in m_hat],  # α m̂_t/√4
        },
    )


@pytest.mark.parametrize(
    ("grads", "m", "v", "v_max", "deltas"),
    [
        # No bias correction (Reddi et al.); v_t = 1, 7/4, 37/16 increases,
        # so the maximum is v_t itself and the steps are Adam's.
        (
            CONSTANT,
            [1, 1.5, 1.75],
            [1, 1.75, 2.3125],
            [1, 1.75, 2.3125],
            [0.1 * 1 / 1, 0.1 * 1.5 / SQRT(1.75), 0.1 * 1.75 / SQRT(2.3125)],
        ),
        (
            ALTERNATING,
            [1, -0.5, 0.75],
            [1, 1.75, 2.3125],
            [1, 1.75, 2.3125],
            [0.1 * 1 / 1, 0.1 * -0.5 / SQRT(1.75), 0.1 * 0.75 / SQRT(2.3125)],
        ),
        # g = 2, 0, 0: m_t = 1, 1/2, 1/4 and v_t = 1, 3/4, 9/16 decreases;
        # the maximum stays at v_1 = 1, so δ_t = α m_t/1.
        (
            [2.0, 0.0, 0.0],
            [1, 0.5, 0.25],
            [1, 0.75, 0.5625],
            [1, 1, 1],
            [0.1 * 1, 0.1 * 0.5, 0.1 * 0.25],
        ),
    ],
    ids=["constant", "alternating", "decaying"],
)
def test_amsgrad_divides_by_running_max_of_v(grads, m, v, v_max, deltas):
    check_steps(
        AMSGrad(lr=0.1, beta1=0.5, beta2=0.75, eps=0.0),
        grads,
        {
            "m": m,
            "v": v,
            "m_hat": m,  # bias correction off by default
            "v_hat": v,
            "v_hat_max": v_max,
            "weights": [SQRT(x) for x in v_max],
            "delta": deltas,
        },
    )


def test_adam_max_second_moment_takes_max_of_bias_corrected_v():
    # g = 2, 0, 0 with bias correction: m̂_t = 1/(1/2), (1/2)/(3/4),
    # (1/4)/(7/8) = 2, 2/3, 2/7 and v̂_t = 1/(1/4), (3/4)/(7/16),
    # (9/16)/(37/64) = 4, 12/7, 36/37; the maximum stays at 4.
    check_steps(
        Adam(lr=0.1, beta1=0.5, beta2=0.75, eps=0.0, max_second_moment=True),
        [2.0, 0.0, 0.0],
        {
            "m_hat": [1 / 0.5, 0.5 / 0.75, 0.25 / 0.875],
            "v_hat": [1 / 0.25, 0.75 / 0.4375, 0.5625 / 0.578125],
            "v_hat_max": [4, 4, 4],
            "weights": [2, 2, 2],  # √4
            "delta": [0.1 * 2 / 2, 0.1 * (2 / 3) / 2, 0.1 * (2 / 7) / 2],
        },
    )


# AdaBelief with β1 = 1/2, β2 = 3/4, α = 1/10, bias correction, no ε.
# Constant gradient: residual g_t - m_t = 2 - (1, 3/2, 7/4) = 1, 1/2, 1/4;
#   s_1 = 1/4 · 1 = 1/4, s_2 = 3/4 · 1/4 + 1/4 · 1/4 = 1/4,
#   s_3 = 3/4 · 1/4 + 1/4 · 1/16 = 13/64; ŝ_t = s_t/(1 - β2^t) = 1, 4/7, 13/37.
BELIEF_CONSTANT_S = [
    0.25 * 1**2,
    0.75 * 0.25 + 0.25 * 0.5**2,
    0.75 * 0.25 + 0.25 * 0.25**2,
]
BELIEF_CONSTANT_S_HAT = [0.25 / 0.25, 0.25 / 0.4375, 0.203125 / 0.578125]
# Alternating gradient: residual = 2 - 1, -2 + 1/2, 2 - 3/4 = 1, -3/2, 5/4;
#   s_1 = 1/4, s_2 = 3/4 · 1/4 + 1/4 · 9/4 = 3/4,
#   s_3 = 3/4 · 3/4 + 1/4 · 25/16 = 61/64; ŝ_t = 1, 12/7, 61/37.
BELIEF_ALTERNATING_S = [
    0.25 * 1**2,
    0.75 * 0.25 + 0.25 * 1.5**2,
    0.75 * 0.75 + 0.25 * 1.25**2,
]
BELIEF_ALTERNATING_S_HAT = [0.25 / 0.25, 0.75 / 0.4375, 0.953125 / 0.578125]


@pytest.mark.parametrize("eps_convention", ["authors", "outside", "inside"])
@pytest.mark.parametrize(
    ("grads", "m_hat", "s", "s_hat"),
    [
        (CONSTANT, [2, 2, 2], BELIEF_CONSTANT_S, BELIEF_CONSTANT_S_HAT),
        (
            ALTERNATING,
            [2, -2 / 3, 6 / 7],
            BELIEF_ALTERNATING_S,
            BELIEF_ALTERNATING_S_HAT,
        ),
    ],
    ids=["constant", "alternating"],
)
def test_adabelief_without_eps_uses_residual_with_new_m(
    eps_convention, grads, m_hat, s, s_hat
):
    # With ε = 0 the three conventions are the same algorithm:
    # δ_t = α m̂_t/√ŝ_t.
    check_steps(
        AdaBelief(
            lr=0.1, beta1=0.5, beta2=0.75, eps=0.0, eps_convention=eps_convention
        ),
        grads,
        {
            "m_hat": m_hat,
            "s": s,
            "s_hat": s_hat,
            "weights": [SQRT(x) for x in s_hat],
            "delta": [0.1 * a / SQRT(b) for a, b in zip(m_hat, s_hat, strict=True)],
            "s_hat_max": None,
        },
    )


@pytest.mark.parametrize(
    ("grads", "m_hat", "s_hat", "s_hat_max"),
    [
        # ŝ_t = 1, 4/7, 13/37 decreases: the maximum stays at 1.
        (CONSTANT, [2, 2, 2], BELIEF_CONSTANT_S_HAT, [1, 1, 1]),
        # ŝ_t = 1, 12/7, 61/37 with 61/37 < 12/7: the maximum stays at 12/7.
        (
            ALTERNATING,
            [2, -2 / 3, 6 / 7],
            BELIEF_ALTERNATING_S_HAT,
            [1, 12 / 7, 12 / 7],
        ),
    ],
    ids=["constant", "alternating"],
)
def test_adabelief_max_second_moment_divides_by_running_max(
    grads, m_hat, s_hat, s_hat_max
):
    check_steps(
        AdaBelief(
            lr=0.1,
            beta1=0.5,
            beta2=0.75,
            eps=0.0,
            eps_convention="outside",
            max_second_moment=True,
        ),
        grads,
        {
            "s_hat": s_hat,
            "s_hat_max": s_hat_max,
            "weights": [SQRT(x) for x in s_hat_max],
            "delta": [0.1 * a / SQRT(b) for a, b in zip(m_hat, s_hat_max, strict=True)],
        },
    )


# AdaBelief with ε = 1/100 under "authors": ε is added to s_t every step.
# Constant gradient (residuals 1, 1/2, 1/4):
#   s_1 = 1/4 · 1 + ε = 0.26, s_2 = 3/4 · 0.26 + 1/4 · 1/4 + ε = 0.2675,
#   s_3 = 3/4 · 0.2675 + 1/4 · 1/16 + ε = 0.22625.
AUTHORS_CONSTANT_S = [
    0.25 * 1 + 0.01,
    0.75 * 0.26 + 0.25 * 0.25 + 0.01,
    0.75 * 0.2675 + 0.25 * 0.0625 + 0.01,
]
# Alternating gradient (residuals 1, -3/2, 5/4):
#   s_1 = 0.26, s_2 = 3/4 · 0.26 + 1/4 · 9/4 + ε = 0.7675,
#   s_3 = 3/4 · 0.7675 + 1/4 · 25/16 + ε = 0.97625.
AUTHORS_ALTERNATING_S = [
    0.25 * 1 + 0.01,
    0.75 * 0.26 + 0.25 * 2.25 + 0.01,
    0.75 * 0.7675 + 0.25 * 1.5625 + 0.01,
]
BIAS2 = [0.25, 0.4375, 0.578125]  # 1 - β2^t = 1/4, 7/16, 37/64


@pytest.mark.parametrize(
    ("eps_convention", "grads", "m_hat", "s", "denominator"),
    [
        # "authors": ε in s_t (above) and again after the root:
        # D_t = √(s_t/(1 - β2^t)) + ε.
        (
            "authors",
            CONSTANT,
            [2, 2, 2],
            AUTHORS_CONSTANT_S,
            [
                SQRT(s / b) + 0.01
                for s, b in zip(AUTHORS_CONSTANT_S, BIAS2, strict=True)
            ],
        ),
        (
            "authors",
            ALTERNATING,
            [2, -2 / 3, 6 / 7],
            AUTHORS_ALTERNATING_S,
            [
                SQRT(s / b) + 0.01
                for s, b in zip(AUTHORS_ALTERNATING_S, BIAS2, strict=True)
            ],
        ),
        # "outside": s_t as without ε, D_t = √ŝ_t + ε.
        (
            "outside",
            CONSTANT,
            [2, 2, 2],
            BELIEF_CONSTANT_S,
            [SQRT(1) + 0.01, SQRT(4 / 7) + 0.01, SQRT(13 / 37) + 0.01],
        ),
        (
            "outside",
            ALTERNATING,
            [2, -2 / 3, 6 / 7],
            BELIEF_ALTERNATING_S,
            [SQRT(1) + 0.01, SQRT(12 / 7) + 0.01, SQRT(61 / 37) + 0.01],
        ),
        # "inside": s_t as without ε, D_t = √(ŝ_t + ε).
        (
            "inside",
            CONSTANT,
            [2, 2, 2],
            BELIEF_CONSTANT_S,
            [SQRT(1 + 0.01), SQRT(4 / 7 + 0.01), SQRT(13 / 37 + 0.01)],
        ),
        (
            "inside",
            ALTERNATING,
            [2, -2 / 3, 6 / 7],
            BELIEF_ALTERNATING_S,
            [SQRT(1 + 0.01), SQRT(12 / 7 + 0.01), SQRT(61 / 37 + 0.01)],
        ),
    ],
    ids=[
        "authors-constant",
        "authors-alternating",
        "outside-constant",
        "outside-alternating",
        "inside-constant",
        "inside-alternating",
    ],
)
def test_adabelief_eps_placement_under_each_convention(
    eps_convention, grads, m_hat, s, denominator
):
    check_steps(
        AdaBelief(
            lr=0.1, beta1=0.5, beta2=0.75, eps=0.01, eps_convention=eps_convention
        ),
        grads,
        {
            "m_hat": m_hat,
            "s": s,
            "s_hat": [a / b for a, b in zip(s, BIAS2, strict=True)],  # s_t/(1-β2^t)
            "weights": denominator,  # w_t = D_t
            "delta": [0.1 * a / d for a, d in zip(m_hat, denominator, strict=True)],
        },
    )


@pytest.mark.parametrize(
    ("eps_convention", "grads", "s_hat_max", "denominator"),
    [
        # "authors", constant: ŝ_t = 0.26/(1/4), 0.2675/(7/16),
        # 0.22625/(37/64) = 1.04, 0.611..., 0.391... decreases: max 1.04.
        ("authors", CONSTANT, [1.04] * 3, [SQRT(1.04) + 0.01] * 3),
        # "authors", alternating: ŝ_t = 1.04, 0.7675/(7/16) = 1.754...,
        # 0.97625/(37/64) = 1.688...: the maximum stays at 0.7675/(7/16).
        (
            "authors",
            ALTERNATING,
            [1.04, 0.7675 / 0.4375, 0.7675 / 0.4375],
            [SQRT(1.04) + 0.01] + [SQRT(0.7675 / 0.4375) + 0.01] * 2,
        ),
        # "inside", alternating: ŝ_t = 1, 12/7, 61/37, max 1, 12/7, 12/7.
        (
            "inside",
            ALTERNATING,
            [1, 12 / 7, 12 / 7],
            [SQRT(1 + 0.01), SQRT(12 / 7 + 0.01), SQRT(12 / 7 + 0.01)],
        ),
        # "outside", constant: ŝ_t = 1, 4/7, 13/37, max 1.
        ("outside", CONSTANT, [1, 1, 1], [SQRT(1) + 0.01] * 3),
    ],
    ids=[
        "authors-constant",
        "authors-alternating",
        "inside-alternating",
        "outside-constant",
    ],
)
def test_adabelief_max_second_moment_with_eps(
    eps_convention, grads, s_hat_max, denominator
):
    m_hat = [2, 2, 2] if grads == CONSTANT else [2, -2 / 3, 6 / 7]
    check_steps(
        AdaBelief(
            lr=0.1,
            beta1=0.5,
            beta2=0.75,
            eps=0.01,
            eps_convention=eps_convention,
            max_second_moment=True,
        ),
        grads,
        {
            "s_hat_max": s_hat_max,
            "weights": denominator,
            "delta": [0.1 * a / d for a, d in zip(m_hat, denominator, strict=True)],
        },
    )


def test_adabelief_defaults_constant_gradient_residual_decays_as_beta1_power():
    # β1 = 0.9, β2 = 0.999, α = 1e-3, ε = 1e-16, "authors", g_t = 2.
    # m_t = 0.2 (1 + 0.9 + ...), residual 2 - m_t = 2 · 0.9^t.
    s1 = 0.001 * 1.8**2 + 1e-16
    s2 = 0.999 * s1 + 0.001 * 1.62**2 + 1e-16
    s3 = 0.999 * s2 + 0.001 * 1.458**2 + 1e-16
    s_hat = [s1 / 0.001, s2 / (1 - 0.999**2), s3 / (1 - 0.999**3)]
    check_steps(
        AdaBelief(),
        CONSTANT,
        {
            "m": [0.2, 0.2 * (1 + 0.9), 0.2 * (1 + 0.9 + 0.81)],
            "m_hat": [2, 2, 2],
            "s": [s1, s2, s3],
            "s_hat": s_hat,
            "weights": [SQRT(x) + 1e-16 for x in s_hat],
            # δ_1 = 1e-3 · 2/1.8: the residual of a constant gradient is
            # small after a few steps but not at the start.
            "delta": [1e-3 * 2 / (SQRT(x) + 1e-16) for x in s_hat],
        },
        rel=1e-12,
    )


def test_adabelief_defaults_alternating_gradient_residual_uses_new_m():
    # β1 = 0.9, β2 = 0.999, α = 1e-3, ε = 1e-16, "authors", g_t = 2, -2, 2.
    # m_t = 0.2, -0.02, 0.182; residual g_t - m_t = 1.8, -1.98, 1.818.
    m_hat = [0.2 / 0.1, -0.02 / 0.19, 0.182 / 0.271]
    s1 = 0.001 * 1.8**2 + 1e-16
    s2 = 0.999 * s1 + 0.001 * 1.98**2 + 1e-16
    s3 = 0.999 * s2 + 0.001 * 1.818**2 + 1e-16
    s_hat = [s1 / 0.001, s2 / (1 - 0.999**2), s3 / (1 - 0.999**3)]
    check_steps(
        AdaBelief(),
        ALTERNATING,
        {
            "m": [0.2, -0.02, 0.182],
            "m_hat": m_hat,
            "s": [s1, s2, s3],
            "s_hat": s_hat,
            "delta": [
                1e-3 * a / (SQRT(b) + 1e-16) for a, b in zip(m_hat, s_hat, strict=True)
            ],
        },
        rel=1e-12,
    )


@pytest.mark.parametrize("g1", [2.0, -3e-7, 1e-8])
def test_adabelief_authors_first_step_adds_eps_to_s(g1):
    # s_1 = (1 - β2)(g_1 - m_1)² + ε with m_1 = (1 - β1) g_1 = 0.1 g_1;
    # ŝ_1 = s_1/(1 - β2), m̂_1 = g_1, δ_1 = α g_1/(√ŝ_1 + ε).
    # For |g_1| = 1e-8 the ε in s dominates (1e-16 vs 8.1e-20).
    rule = AdaBelief()  # β1 = 0.9, β2 = 0.999, ε = 1e-16, α = 1e-3
    delta, weights, state = rule.update(rule.init((1,)), [g1])
    s1 = (1 - 0.999) * (g1 - 0.1 * g1) ** 2 + 1e-16
    assert state.s[0] == pytest.approx(s1, rel=1e-14)
    assert state.s_hat[0] == pytest.approx(s1 / (1 - 0.999), rel=1e-14)
    assert weights[0] == pytest.approx(SQRT(s1 / (1 - 0.999)) + 1e-16, rel=1e-14)
    assert delta[0] == pytest.approx(
        1e-3 * g1 / (SQRT(s1 / (1 - 0.999)) + 1e-16), rel=1e-14
    )


@pytest.mark.parametrize(
    ("grads", "m", "s", "m_hat"),
    [
        # β1_t = 1/2, 1/4, 1/8 (λ = 1/2): m_t = 1, 7/4, 63/32 (see the
        # Adam schedule test); residual 2 - m_t = 1, 1/4, 1/32;
        # s = 1/4, 3/4 · 1/4 + 1/4 · 1/16 = 13/64,
        # 3/4 · 13/64 + 1/4 · 1/1024 = 625/4096.
        (
            CONSTANT,
            [1, 1.75, 1.96875],
            [
                0.25 * 1,
                0.75 * 0.25 + 0.25 * 0.25**2,
                0.75 * 0.203125 + 0.25 * 0.03125**2,
            ],
            [2, 1.75 / 0.75, 1.96875 / 0.875],
        ),
        # m_t = 1, -5/4, 51/32; residual 1, -2 + 5/4 = -3/4, 2 - 51/32 = 13/32;
        # s = 1/4, 3/4 · 1/4 + 1/4 · 9/16 = 21/64,
        # 3/4 · 21/64 + 1/4 · 169/1024 = 1177/4096.
        (
            ALTERNATING,
            [1, -1.25, 1.59375],
            [
                0.25 * 1,
                0.75 * 0.25 + 0.25 * 0.75**2,
                0.75 * 0.328125 + 0.25 * 0.40625**2,
            ],
            [2, -1.25 / 0.75, 1.59375 / 0.875],
        ),
    ],
    ids=["constant", "alternating"],
)
def test_adabelief_momentum_schedule_uses_beta1_lambda_power(grads, m, s, m_hat):
    s_hat = [a / b for a, b in zip(s, BIAS2, strict=True)]
    check_steps(
        AdaBelief(
            lr=0.1,
            beta1=0.5,
            beta2=0.75,
            eps=0.0,
            eps_convention="outside",
            beta1_decay=0.5,
        ),
        grads,
        {
            "m": m,
            "s": s,
            "m_hat": m_hat,
            "s_hat": s_hat,
            "delta": [0.1 * a / SQRT(b) for a, b in zip(m_hat, s_hat, strict=True)],
        },
    )


@pytest.mark.parametrize(
    ("grads", "m_hat", "variance", "deltas"),
    [
        # Bias correction, constant gradient: m̂_t = 2 and v̂_t = 4 exactly, so
        # v̂ - m̂² = 0 and the denominator is ε alone: δ_t = α · 2/ε = 20.
        (CONSTANT, [2, 2, 2], [0, 0, 0], [0.1 * 2 / 0.01] * 3),
        # Alternating: m̂_t = 2, -2/3, 6/7, v̂_t = 4:
        # v̂ - m̂² = 0, 4 - 4/9 = 32/9, 4 - 36/49 = 160/49.
        (
            ALTERNATING,
            [2, -2 / 3, 6 / 7],
            [0, 32 / 9, 160 / 49],
            [
                0.1 * 2 / 0.01,
                0.1 * (-2 / 3) / (SQRT(32 / 9) + 0.01),
                0.1 * (6 / 7) / (SQRT(160 / 49) + 0.01),
            ],
        ),
    ],
    ids=["constant", "alternating"],
)
def test_centered_bias_corrected_denominator_is_sqrt_of_variance_plus_eps(
    grads, m_hat, variance, deltas
):
    check_steps(
        CenteredAdam(lr=0.1, beta1=0.5, beta2=0.75, eps=0.01),
        grads,
        {
            "m_hat": m_hat,
            "v_hat": [4, 4, 4],
            "weights": [SQRT(x) + 0.01 for x in variance],
            "delta": deltas,
            "v_hat_max": None,
        },
    )


@pytest.mark.parametrize(
    ("grads", "m", "variance"),
    [
        # β1 = β2 = 1/2, no bias correction, ε = 0: m_t = 1, 3/2, 7/4 and
        # v_t = 2, 3, 7/2 (v_t = v_{t-1}/2 + 4/2); v - m² = 1, 3/4, 7/16.
        (CONSTANT, [1, 1.5, 1.75], [2 - 1, 3 - 2.25, 3.5 - 3.0625]),
        # m_t = 1, -1/2, 3/4: v - m² = 1, 11/4, 47/16.
        (ALTERNATING, [1, -0.5, 0.75], [2 - 1, 3 - 0.25, 3.5 - 0.5625]),
    ],
    ids=["constant", "alternating"],
)
def test_centered_without_bias_correction_uses_raw_moments(grads, m, variance):
    check_steps(
        CenteredAdam(lr=0.1, beta1=0.5, beta2=0.5, eps=0.0, bias_correction=False),
        grads,
        {
            "m": m,
            "v": [0.5 * 4, 0.5 * 2 + 0.5 * 4, 0.5 * 3 + 0.5 * 4],
            "m_hat": m,
            "weights": [SQRT(x) for x in variance],
            "delta": [0.1 * a / SQRT(b) for a, b in zip(m, variance, strict=True)],
        },
    )


@pytest.mark.parametrize(
    ("lr_schedule", "eps", "grads", "deltas"),
    [
        # v_t = 4, 8, 12; δ_t = α g_t/√v_t = 0.2/2, 0.2/√8, 0.2/√12.
        ("constant", 0.0, CONSTANT, [0.2 / 2, 0.2 / SQRT(8), 0.2 / SQRT(12)]),
        ("constant", 0.0, ALTERNATING, [0.2 / 2, -0.2 / SQRT(8), 0.2 / SQRT(12)]),
        # With ε: δ_t = α g_t/(√v_t + ε).
        (
            "constant",
            0.01,
            ALTERNATING,
            [0.2 / 2.01, -0.2 / (SQRT(8) + 0.01), 0.2 / (SQRT(12) + 0.01)],
        ),
        # α_t = α/√t and √v_t = 2√t: δ_t = α sign(g_t)/t = 0.1, 0.05, 0.1/3.
        ("inv_sqrt", 0.0, CONSTANT, [0.1, 0.05, 0.1 / 3]),
        ("inv_sqrt", 0.0, ALTERNATING, [0.1, -0.05, 0.1 / 3]),
    ],
)
def test_adagrad_divides_by_root_of_sum_of_squares(lr_schedule, eps, grads, deltas):
    check_steps(
        AdaGrad(lr=0.1, eps=eps, lr_schedule=lr_schedule),
        grads,
        {
            "v": [4, 8, 12],  # Σ g_τ² = 4t
            "v_hat": [4, 8, 12],  # no bias correction
            "m": [0, 0, 0],  # unused
            "weights": [SQRT(4) + eps, SQRT(8) + eps, SQRT(12) + eps],
            "delta": deltas,
        },
    )


# ---------------------------------------------------------------------------
# 2. Whole runs against the slow reference
# ---------------------------------------------------------------------------

RUN_STEPS, RUN_DIM, RUN_SEEDS = 200, 3, (0, 1, 2)


def gradient_streams(seed: int) -> np.ndarray:
    """Four random gradient streams of shape ``(T, d)``, stacked on axis 1.

    Gaussian; biased (mean 1, noise 0.1: small residuals for AdaBelief);
    magnitudes log-uniform over 1e-8 .. 1e8 with random signs; tiny
    (1e-9 · Gaussian, below AdaBelief's default ε in s).
    """
    rng = np.random.default_rng(seed)
    shape = (RUN_STEPS, RUN_DIM)
    gaussian = rng.normal(size=shape)
    biased = 1.0 + 0.1 * rng.normal(size=shape)
    wide = rng.choice([-1.0, 1.0], size=shape) * 10.0 ** rng.uniform(-8, 8, size=shape)
    tiny = 1e-9 * rng.normal(size=shape)
    return np.stack([gaussian, biased, wide, tiny], axis=1)


RUN_GRADIENTS = np.concatenate([gradient_streams(seed) for seed in RUN_SEEDS], axis=1)
SCHEDULES = ("constant", "inv_sqrt")
MOMENT_HYPER = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999}


def reference_configurations() -> Iterator[Any]:
    """Every rule under every combination of its options."""
    for schedule in SCHEDULES:
        yield pytest.param(
            SGD,
            reference.reference_sgd,
            {"lr": 0.05, "lr_schedule": schedule},
            id=f"sgd-{schedule}",
        )
        for beta1 in (0.0, 0.9):
            yield pytest.param(
                SignDescent,
                reference.reference_sign_descent,
                {"lr": 0.05, "beta1": beta1, "lr_schedule": schedule},
                id=f"sign-beta1={beta1}-{schedule}",
            )
        for eps in (1e-10, 0.1):
            yield pytest.param(
                AdaGrad,
                reference.reference_adagrad,
                {"lr": 0.05, "eps": eps, "lr_schedule": schedule},
                id=f"adagrad-eps={eps}-{schedule}",
            )
    options = itertools.product((True, False), (1.0, 0.99), SCHEDULES)
    for bias, decay, schedule in options:
        common = MOMENT_HYPER | {
            "bias_correction": bias,
            "beta1_decay": decay,
            "lr_schedule": schedule,
        }
        tag = f"bias={bias}-decay={decay}-{schedule}"
        for max_moment in (False, True):
            yield pytest.param(
                Adam,
                reference.reference_adam,
                common | {"eps": 1e-8, "max_second_moment": max_moment},
                id=f"adam-{tag}-max={max_moment}",
            )
        yield pytest.param(
            AMSGrad,
            reference.reference_amsgrad,
            common | {"eps": 1e-8},
            id=f"amsgrad-{tag}",
        )
        yield pytest.param(
            CenteredAdam,
            reference.reference_centered_adam,
            common | {"beta2": 0.9, "eps": 1e-8},
            id=f"centered-{tag}",
        )
        for convention, max_moment in itertools.product(
            ("authors", "outside", "inside"), (False, True)
        ):
            yield pytest.param(
                AdaBelief,
                reference.reference_adabelief,
                common
                | {
                    "eps": 1e-16,
                    "eps_convention": convention,
                    "max_second_moment": max_moment,
                },
                id=f"adabelief-{convention}-{tag}-max={max_moment}",
            )


@pytest.mark.parametrize(
    ("make_rule", "reference_rule", "hyper"), list(reference_configurations())
)
def test_whole_run_matches_slow_reference(make_rule, reference_rule, hyper):
    rule = make_rule(**hyper)
    centered = isinstance(rule, CenteredAdam)
    with warnings.catch_warnings():
        if centered:
            # β1_t ≠ β2 under the schedule: v̂ - m̂² may be negative (NaN,
            # checked against the reference's NaN below).
            warnings.simplefilter("ignore", RuntimeWarning)
        out = run(rule, RUN_GRADIENTS)
    for run_index in range(RUN_GRADIENTS.shape[1]):
        grads = RUN_GRADIENTS[:, run_index, :]
        expected = reference_rule(grads, **hyper)  # tests/reference.py
        for name, values in expected.items():
            actual = out[name][:, run_index, :]
            wanted = np.array(values)
            if centered and hyper["bias_correction"] and name in ("delta", "weights"):
                # Step 1 of the bias-corrected centred method has
                # v̂_1 - m̂_1² = g² - g² = 0 exactly, so its float value is
                # rounding noise (compared by hand in section 1 and 5).
                actual, wanted = actual[1:], wanted[1:]
            np.testing.assert_allclose(
                actual,
                wanted,
                rtol=1e-12,
                atol=0,
                equal_nan=True,
                err_msg=f"{name}, run {run_index}",
            )
        # What the reference does not produce must be absent or zero.
        for name in ("weights", *STATE_FIELDS):
            if name in expected or name not in out:
                continue
            assert out[name] is None or not np.any(out[name]), name


# ---------------------------------------------------------------------------
# 3. Properties shared by every rule
# ---------------------------------------------------------------------------

MOMENT_FIELDS = ("lr", "beta1", "beta2", "eps", "beta1_decay")
SUITE = [
    # (id, rule, hyperparameters documented as "float or array_like")
    ("sgd", SGD(lr=0.1), ("lr",)),
    ("sgd-inv-sqrt", SGD(lr=0.1, lr_schedule="inv_sqrt"), ("lr",)),
    ("sign-g", SignDescent(lr=0.1), ("lr", "beta1")),
    ("sign-m", SignDescent(lr=0.1, beta1=0.9), ("lr", "beta1")),
    ("adam", Adam(lr=0.1), MOMENT_FIELDS),
    (
        "adam-raw-decay-inv-sqrt",
        Adam(lr=0.1, bias_correction=False, beta1_decay=0.99, lr_schedule="inv_sqrt"),
        MOMENT_FIELDS,
    ),
    ("adam-max", Adam(lr=0.1, max_second_moment=True), MOMENT_FIELDS),
    ("amsgrad", AMSGrad(lr=0.1), MOMENT_FIELDS),
    ("adabelief-authors", AdaBelief(lr=0.1), MOMENT_FIELDS),
    ("adabelief-outside", AdaBelief(lr=0.1, eps_convention="outside"), MOMENT_FIELDS),
    ("adabelief-inside", AdaBelief(lr=0.1, eps_convention="inside"), MOMENT_FIELDS),
    (
        "adabelief-max-decay",
        AdaBelief(lr=0.1, max_second_moment=True, beta1_decay=0.99),
        MOMENT_FIELDS,
    ),
    # β1 = β2 without bias correction keeps v - m² > 0 (see section 5).
    (
        "centered",
        CenteredAdam(lr=0.1, beta1=0.9, beta2=0.9, bias_correction=False),
        MOMENT_FIELDS,
    ),
    ("adagrad", AdaGrad(lr=0.1), ("lr", "eps")),
]
SUITE_IDS = [name for name, _, _ in SUITE]
RULES = [rule for _, rule, _ in SUITE]
RULE_FIELDS = [
    pytest.param(rule, field, id=f"{name}-{field}")
    for name, rule, fields in SUITE
    for field in fields
]
# Five admissible values per hyperparameter, for sweeps.
SWEEP_VALUES = {
    "lr": [0.1, 0.2, 0.05, 1.0, 0.3],
    "beta1": [0.0, 0.5, 0.9, 0.99, 0.3],
    "beta2": [0.5, 0.9, 0.999, 0.99, 0.8],
    "eps": [0.0, 1e-8, 1e-3, 1e-16, 0.1],
    "beta1_decay": [1.0, 0.99, 0.5, 0.9, 0.999],
}
BATCH = (5, 4)  # runs × coordinates


def shape_id(shape: tuple[int, ...]) -> str:
    return "shape=" + "x".join(map(str, shape))


def batch_gradients(seed: int = 7, steps: int = 12) -> np.ndarray:
    """Gaussian gradients with mean 0.5, shape ``(steps, 5, 4)``."""
    return np.random.default_rng(seed).normal(0.5, 1.0, size=(steps, *BATCH))


def assert_outputs_close(actual, expected, rtol=1e-13, atol=0.0):
    """Compare two :func:`run` results output by output (NaN equals NaN)."""
    assert actual.keys() == expected.keys()
    for name in actual:
        if expected[name] is None:
            assert actual[name] is None, name
            continue
        np.testing.assert_allclose(
            actual[name], expected[name], rtol=rtol, atol=atol, err_msg=name
        )


def select_row(out, row):
    """Row ``row`` of the runs of a batched :func:`run` result."""
    return {
        name: value if value is None or name == "t" else value[:, row]
        for name, value in out.items()
    }


@pytest.mark.parametrize("rule", RULES, ids=SUITE_IDS)
def test_batched_runs_equal_row_by_row_runs(rule):
    grads = batch_gradients()
    batched = run(rule, grads)
    for row in range(BATCH[0]):
        single = run(rule, grads[:, row, :])
        assert_outputs_close(select_row(batched, row), single)


@pytest.mark.parametrize(("rule", "field"), RULE_FIELDS)
def test_hyperparameter_array_runs_a_sweep(rule, field):
    # A (5, 1) array of values against a (5, 4) state equals five runs with
    # the scalar values, row by row.
    values = SWEEP_VALUES[field]
    grads = batch_gradients()
    swept = dataclasses.replace(rule, **{field: np.reshape(values, (5, 1))})
    with warnings.catch_warnings():
        if isinstance(rule, CenteredAdam):
            warnings.simplefilter("ignore", RuntimeWarning)  # β1 ≠ β2: section 5
        batched = run(swept, grads)
        for row, value in enumerate(values):
            single = run(dataclasses.replace(rule, **{field: value}), grads[:, row, :])
            assert_outputs_close(select_row(batched, row), single, rtol=1e-12)


@pytest.mark.parametrize("rule", RULES, ids=SUITE_IDS)
def test_update_mutates_neither_gradient_nor_state(rule):
    grads = batch_gradients(steps=3)
    state = rule.init(BATCH)
    for step_gradient in grads:
        g = step_gradient.copy()
        g.setflags(write=False)  # an in-place write would raise
        before = {}
        for name in STATE_FIELDS:
            value = getattr(state, name, None)
            if value is not None:
                value.setflags(write=False)
                before[name] = value.copy()
        g_before = g.copy()
        _, _, new_state = rule.update(state, g)
        np.testing.assert_array_equal(g, g_before)
        for name, value in before.items():
            np.testing.assert_array_equal(getattr(state, name), value, err_msg=name)
        assert new_state is not state
        state = new_state
    lr = np.full((5, 1), 0.1)
    swept = dataclasses.replace(rule, lr=lr)
    swept.update(swept.init(BATCH), grads[0])
    np.testing.assert_array_equal(lr, np.full((5, 1), 0.1))


@pytest.mark.parametrize("rule", RULES, ids=SUITE_IDS)
def test_initial_state_has_no_steps_and_zero_moments(rule):
    state = rule.init(BATCH)
    assert state.t == 0
    present = [name for name in STATE_FIELDS if getattr(state, name, None) is not None]
    if isinstance(rule, SGD):
        assert present == []
        assert tuple(state.shape) == BATCH
        assert state.dtype == np.float64
    else:
        assert present  # the moments of the rule
    for name in present:
        value = getattr(state, name)
        assert value.shape == BATCH, name
        assert value.dtype == np.float64, name
        assert not np.any(value), name
    keeps_max = getattr(rule, "max_second_moment", False)
    assert (getattr(state, "v_hat_max", None) is not None) == (
        keeps_max and not isinstance(rule, AdaBelief)
    )
    assert (getattr(state, "s_hat_max", None) is not None) == (
        keeps_max and isinstance(rule, AdaBelief)
    )


def assert_dtype_kept(out, dtype):
    for name, value in out.items():
        if value is None or name == "t":
            continue
        assert value.dtype == dtype, name


@pytest.mark.parametrize("rule", RULES, ids=SUITE_IDS)
def test_float32_arithmetic_keeps_dtype_and_tracks_float64(rule):
    grads = batch_gradients(steps=10)
    single = run(rule, grads, np.float32)
    double = run(rule, grads, np.float64)
    assert_dtype_kept(single, np.float32)
    if isinstance(rule, SGD):
        assert rule.init(BATCH, np.float32).dtype == np.float32
    # Relative rounding 6e-8 per operation, amplified by at most a few
    # hundred (1/(1 - β2^t) and sums of ten steps).
    for name, value in double.items():
        if value is None or name == "t":
            continue
        scale = np.max(np.abs(value))
        np.testing.assert_allclose(
            single[name], value, rtol=1e-4, atol=1e-5 * scale, err_msg=name
        )


@pytest.mark.parametrize("rule", RULES, ids=SUITE_IDS)
def test_float16_arithmetic_keeps_dtype(rule):
    grads = batch_gradients(steps=5)
    # The default eps (1e-8, 1e-10, 1e-16) rounds to 0 in float16; that
    # warning has its own test below.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"eps=.* rounds to 0", RuntimeWarning)
        half = run(rule, grads, np.float16)
    double = run(rule, grads, np.float64)
    assert_dtype_kept(half, np.float16)
    if isinstance(rule, SGD):
        assert rule.init(BATCH, np.float16).dtype == np.float16
    # float16 keeps 11 bits, underflows below 6e-5 (AdaBelief's
    # (1 - β2)(g - m)² can be subnormal) and rounds β2 = 0.999 to 0.99902,
    # i.e. 1 - β2 to 0.000977 (2.3 % off, 1.2 % on the step without bias
    # correction). So only the typical step is compared: median relative
    # error below 3 %.
    relative = np.abs(half["delta"] - double["delta"]) / np.abs(double["delta"])
    assert np.median(relative[np.isfinite(relative)]) < 3e-2


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("rule", RULES, ids=SUITE_IDS)
def test_non_finite_gradient_is_rejected(rule, bad):
    g = np.ones(BATCH)
    g[2, 3] = bad
    with pytest.raises(ValueError, match=r"\bg\b.*finite"):
        rule.update(rule.init(BATCH), g)


@pytest.mark.parametrize(
    "shape", [(5, 3), (3,), (6, 4), (5, 4, 2), (2, 5, 4)], ids=shape_id
)
@pytest.mark.parametrize("rule", RULES, ids=SUITE_IDS)
def test_gradient_of_wrong_shape_is_rejected(rule, shape):
    with pytest.raises(ValueError, match=r"\bg\b.*shape"):
        rule.update(rule.init(BATCH), np.ones(shape))


@pytest.mark.parametrize("shape", [(4,), (1, 4), (5, 1)], ids=shape_id)
@pytest.mark.parametrize("rule", RULES, ids=SUITE_IDS)
def test_broadcast_gradient_gives_outputs_of_state_shape(rule, shape):
    # A gradient that broadcasts to the state is accepted (the module checks
    # that it "broadcasts to exactly" the state shape); the step, the
    # weights and the new state should then all have the state's shape, as
    # every leading index is a run. SGD fails this: it returns α_t g with
    # the gradient's own shape.
    g = np.random.default_rng(3).normal(size=shape)
    delta, weights, state = rule.update(rule.init(BATCH), g)
    assert delta.shape == BATCH
    assert weights is None or weights.shape == BATCH
    for name in STATE_FIELDS:
        value = getattr(state, name, None)
        assert value is None or value.shape == BATCH, name
    expected, _, _ = rule.update(rule.init(BATCH), np.broadcast_to(g, BATCH))
    np.testing.assert_array_equal(delta, expected)


@pytest.mark.parametrize("shape", [(3,), (5, 3), (2, 1, 1), (5, 4, 1)], ids=shape_id)
@pytest.mark.parametrize(("rule", "field"), RULE_FIELDS)
def test_hyperparameter_not_broadcasting_to_state_is_rejected_at_init(
    rule, field, shape
):
    value = np.full(shape, SWEEP_VALUES[field][2])
    swept = dataclasses.replace(rule, **{field: value})  # valid values
    with pytest.raises(ValueError, match=rf"^{field} has shape"):
        swept.init(BATCH)


# ---------------------------------------------------------------------------
# 4. Bad hyperparameters
# ---------------------------------------------------------------------------

# Constructors and the hyperparameters each one checks.
CONSTRUCTORS = [
    (SGD, ("lr",)),
    (SignDescent, ("lr", "beta1")),
    (Adam, MOMENT_FIELDS),
    (AMSGrad, MOMENT_FIELDS),
    (AdaBelief, MOMENT_FIELDS),
    (CenteredAdam, MOMENT_FIELDS),
    (AdaGrad, ("lr", "eps")),
]
CONSTRUCTOR_IDS = ["sgd", "sign", "adam", "amsgrad", "adabelief", "centered", "adagrad"]
# Bad values and the allowed range the message must state.
BAD_VALUES = {
    "lr": [(0.0, "(0, inf)"), (-1.0, "(0, inf)"), ([0.1, -1.0], "(0, inf)")],
    "beta1": [(1.0, "[0, 1)"), (-0.1, "[0, 1)"), ([0.9, 1.0], "[0, 1)")],
    "beta2": [(1.0, "[0, 1)"), (-0.1, "[0, 1)")],
    "eps": [(-1e-8, "[0, inf)")],
    "beta1_decay": [(0.0, "(0, 1]"), (1.5, "(0, 1]")],
}
BAD_CASES = [
    pytest.param(make, field, value, allowed, id=f"{name}-{field}={value}")
    for (make, fields), name in zip(CONSTRUCTORS, CONSTRUCTOR_IDS, strict=True)
    for field in fields
    for value, allowed in [*BAD_VALUES[field], (math.nan, None)]
]


@pytest.mark.parametrize(("make", "field", "value", "allowed"), BAD_CASES)
def test_out_of_range_hyperparameter_is_rejected_naming_it(make, field, value, allowed):
    # check_in_range's message: "<name> must lie in <range>, got <value>";
    # NaN is outside every range.
    pattern = rf"^{field} must lie in "
    if allowed is not None:
        pattern += re.escape(allowed)
    with pytest.raises(ValueError, match=pattern):
        make(**{field: value})


@pytest.mark.parametrize("make", [c for c, _ in CONSTRUCTORS], ids=CONSTRUCTOR_IDS)
def test_unknown_lr_schedule_is_rejected(make):
    with pytest.raises(
        ValueError, match=r"^lr_schedule must be 'constant' or 'inv_sqrt'"
    ):
        make(lr_schedule="cosine")


def test_unknown_eps_convention_is_rejected():
    with pytest.raises(ValueError, match=r"^eps_convention must be one of .*'authors'"):
        AdaBelief(eps_convention="both")


def test_centered_rejects_max_second_moment():
    with pytest.raises(ValueError, match="max_second_moment"):
        CenteredAdam(max_second_moment=True)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, int, np.bool_, np.complex128])
@pytest.mark.parametrize("make", [c for c, _ in CONSTRUCTORS], ids=CONSTRUCTOR_IDS)
def test_non_float_dtype_is_rejected_at_init(make, dtype):
    with pytest.raises(ValueError, match=r"^dtype must be a floating type"):
        make().init((3,), dtype)


# ---------------------------------------------------------------------------
# 5. The centred method's variance
# ---------------------------------------------------------------------------


def test_centered_negative_variance_warns_and_gives_nan_exactly_there():
    # β1 = 1/2, β2 = 3/4, no bias correction, ε = 1/100, two coordinates:
    # constant g = 2: m_t = 1, 3/2 and v_t = 1, 7/4, so v - m² = 0, then
    #   7/4 - 9/4 = -1/2 < 0 at step 2 (β1 ≠ β2: v forgets more slowly
    #   than m² grows);
    # alternating g = 2, -2: m_2 = -1/2, v_2 = 7/4, v - m² = 3/2 > 0.
    rule = CenteredAdam(lr=0.1, beta1=0.5, beta2=0.75, eps=0.01, bias_correction=False)
    state = rule.init((2,))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # step 1: v - m² = 0, no warning
        delta, weights, state = rule.update(state, [2.0, 2.0])
    np.testing.assert_allclose(delta, [0.1 * 1 / 0.01] * 2)  # α m_1/(√0 + ε)
    with pytest.warns(RuntimeWarning, match=r"negative in 1 coordinate\(s\) at step 2"):
        delta, weights, state = rule.update(state, [2.0, -2.0])
    assert np.isnan(delta[0]) and np.isnan(weights[0])
    assert state.v[0] - state.m[0] ** 2 == -0.5  # 7/4 - 9/4, exact
    # α m_2/(√(3/2) + ε) in the other coordinate
    assert delta[1] == pytest.approx(0.1 * -0.5 / (SQRT(1.5) + 0.01), rel=1e-14)


def test_centered_bias_corrected_variance_negative_exactly_on_constructed_interval():
    # Bias correction, β1 = 1/2, β2 = 3/4, gradients g_1 = x, g_2 = 1:
    #   m̂_2 = (x/4 + 1/2)/(3/4) = (x + 2)/3,
    #   v̂_2 = (3x²/16 + 1/4)/(7/16) = (3x² + 4)/7,
    #   v̂_2 - m̂_2² = (27x² + 36 - 7(x + 2)²)/63 = 4(5x - 2)(x - 1)/63,
    # negative exactly for 2/5 < x < 1 (e.g. x = 1/2: -1/63).
    # A grid of x avoiding the roots, one coordinate each.
    x = np.arange(-1.0, 2.0, 0.1) + 0.05
    variance = 4 * (5 * x - 2) * (x - 1) / 63  # closed form above
    negative = variance < 0
    assert 0 < negative.sum() < x.size  # the search finds both signs
    rule = CenteredAdam(lr=0.1, beta1=0.5, beta2=0.75, eps=1e-8)
    state = rule.init(x.shape)
    # Step 1: v̂_1 - m̂_1² = x² - x² = 0 exactly; since 1 - β1 = 1/2 and
    # 1 - β2 = 1/4 are powers of 2 the float value is exactly 0 as well,
    # hence no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, _, state = rule.update(state, x)
    message = rf"negative in {negative.sum()} coordinate\(s\) at step 2"
    with pytest.warns(RuntimeWarning, match=message):
        delta, weights, state = rule.update(state, np.ones_like(x))
    np.testing.assert_array_equal(np.isnan(delta), negative)
    np.testing.assert_array_equal(np.isnan(weights), negative)
    np.testing.assert_allclose(
        state.v_hat - state.m_hat**2, variance, rtol=1e-12, atol=1e-15
    )
    # x = 1/2 exactly: v̂ - m̂² = 19/28 - 25/36 = -1/63.
    _, _, half = rule.update(rule.init((1,)), [0.5])
    with pytest.warns(RuntimeWarning):
        delta, _, half = rule.update(half, [1.0])
    assert half.v_hat[0] - half.m_hat[0] ** 2 == pytest.approx(-1 / 63, rel=1e-14)
    assert np.isnan(delta[0])


@pytest.mark.parametrize("bias_correction", [True, False])
@pytest.mark.parametrize("beta", [0.5, 0.9, 0.999])
def test_centered_equal_betas_variance_is_nonnegative_up_to_rounding(
    beta, bias_correction
):
    # With β1 = β2 = β and constant momentum, v̂ - m̂² is a weighted variance
    # (plus W(1-W)m̄² ≥ 0 without bias correction, W = 1 - β^t): ≥ 0 in exact
    # arithmetic. In floats only rounding can make it negative: bounded by
    # 1e-15 · v̂. (The bias-corrected step 1 is 0 exactly and rounds to
    # either sign, which the centred method reports with a warning.)
    grads = np.concatenate(
        [gradient_streams(seed)[:, :3] for seed in RUN_SEEDS], axis=1
    )  # Gaussian, biased and wide streams
    rule = CenteredAdam(beta1=beta, beta2=beta, bias_correction=bias_correction)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = run(rule, grads)
    variance = out["v_hat"] - out["m_hat"] ** 2
    assert np.all(variance >= -1e-15 * out["v_hat"])
    if not bias_correction:
        # Without correction the variance is bounded away from 0 at step 1,
        # β(1 - β) g_1², so the method runs without any warning.
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            run(rule, grads)


# ---------------------------------------------------------------------------
# 6. AdaBelief: the ε accumulated in s_t
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("beta2", [0.75, 0.999])
@pytest.mark.parametrize("beta1_decay", [1.0, 0.99])
def test_adabelief_authors_minus_outside_state_is_accumulated_eps(beta2, beta1_decay):
    # m_t does not depend on s, so both conventions see the same residuals;
    # the difference d_t = s_t(authors) - s_t(outside) obeys
    # d_t = β2 d_{t-1} + ε, d_0 = 0, hence d_t = ε(1 - β2^t)/(1 - β2), and
    # ŝ(authors) - ŝ(outside) = ε/(1 - β2) at every step.
    eps = 1e-3
    hyper = {"lr": 0.01, "beta1": 0.9, "beta2": beta2, "eps": eps}
    hyper |= {"beta1_decay": beta1_decay}
    grads = RUN_GRADIENTS[:, :2]  # Gaussian and biased streams, seed 0
    authors = run(AdaBelief(**hyper, eps_convention="authors"), grads)
    outside = run(AdaBelief(**hyper, eps_convention="outside"), grads)
    t = np.arange(1, RUN_STEPS + 1)[:, None, None]
    accumulated = eps * (1 - beta2**t) / (1 - beta2)  # closed form above
    np.testing.assert_array_equal(authors["m"], outside["m"])
    scale = np.max(authors["s"])
    np.testing.assert_allclose(
        authors["s"] - outside["s"],
        np.broadcast_to(accumulated, grads.shape),
        rtol=1e-10,
        atol=1e-13 * scale,
    )
    np.testing.assert_allclose(
        authors["s_hat"] - outside["s_hat"],
        np.full(grads.shape, eps / (1 - beta2)),
        rtol=1e-10,
        atol=1e-13 * np.max(authors["s_hat"]),
    )
    # The docstring's lower bound s_t ≥ ε(1 - β2^t)/(1 - β2) under "authors".
    assert np.all(authors["s"] >= accumulated * (1 - 1e-12))


def test_adabelief_conventions_differ_only_through_eps():
    # Same gradients, ε = 0: the three conventions produce identical runs.
    hyper = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 0.0}
    grads = RUN_GRADIENTS[:, :3]
    runs = [
        run(AdaBelief(**hyper, eps_convention=c), grads)
        for c in ("authors", "outside", "inside")
    ]
    assert_outputs_close(runs[0], runs[1], rtol=0)
    assert_outputs_close(runs[0], runs[2], rtol=0)


@pytest.mark.parametrize(
    "rule",
    [
        opt.Adam(0.1, eps=0.0),
        opt.AdaBelief(0.1, eps=0.0, eps_convention="outside"),
        opt.AdaGrad(0.1, eps=0.0),
    ],
    ids=lambda r: r.name,
)
def test_zero_denominator_warns_and_is_not_clipped(rule):
    # eps = 0 and g = 0 at step 1: the denominator is exactly zero, 0/0.
    state = rule.init((2,))
    with pytest.warns(RuntimeWarning, match="denominator is zero in 1"):
        delta, _, _ = rule.update(state, np.array([0.0, 1.0]))
    assert np.isnan(delta[0])
    assert np.isfinite(delta[1])


@pytest.mark.parametrize("factory", [opt.Adam, opt.AdaBelief, opt.CenteredAdam])
def test_beta_that_rounds_to_one_in_float16_is_rejected(factory):
    # 0.9999 is below 1 in float64 but rounds to 1.0 in float16.
    with pytest.raises(ValueError, match=r"beta2=0\.9999 rounds to 1 in float16"):
        factory(beta2=0.9999).init((3,), np.float16)


def test_rule_names_follow_the_running_maximum():
    assert opt.AMSGrad().name == "AMSGrad"
    assert opt.Adam().name == "Adam"
    assert opt.AdaBelief(max_second_moment=True).name == "AdaBelief (max)"
    assert opt.AdaBelief().name == "AdaBelief"


@pytest.mark.parametrize("factory", [opt.Adam, opt.AdaBelief, opt.AdaGrad])
def test_eps_that_rounds_to_zero_in_float16_warns(factory):
    # 1e-10 is below float16's smallest subnormal (6e-8).
    with pytest.warns(RuntimeWarning, match=r"eps=1e-10 rounds to 0 in float16"):
        factory(eps=1e-10).init((2,), np.float16)


def test_lr_that_rounds_to_zero_in_float16_is_rejected():
    with pytest.raises(ValueError, match=r"lr=1e-09 is not representable"):
        opt.SGD(1e-9).init((2,), np.float16)


def test_gradient_that_overflows_the_state_dtype_is_rejected():
    # 1e5 is finite in float64 but above float16's largest value, 65504.
    rule = opt.Adam()
    with pytest.warns(RuntimeWarning, match="rounds to 0"):
        state = rule.init((2,), np.float16)
    with pytest.raises(ValueError, match=r"g overflows float16"):
        rule.update(state, np.array([1e5, 1.0]))


@pytest.mark.parametrize(
    ("factory", "match"),
    [
        (lambda: opt.Adam(lr="0.1"), "lr must be a real number"),
        (lambda: opt.Adam(lr=True), "lr must be a real number"),
        (lambda: opt.Adam(lr=1 + 2j), "lr must be a real number"),
        (lambda: opt.Adam(lr=None), "lr must be a real number"),
        (lambda: opt.Adam(lr=[[0.1], [0.2, 0.3]]), "lr must be a real number"),
        (lambda: opt.Adam(bias_correction="no"), "bias_correction must be True"),
        (lambda: opt.Adam(max_second_moment="False"), "max_second_moment must"),
        (lambda: opt.AdaBelief(bias_correction=1), "bias_correction must be True"),
    ],
)
def test_non_numbers_and_non_bools_are_refused(factory, match):
    with pytest.raises(ValueError, match=match):
        factory()


@pytest.mark.parametrize("shape", [3, (-1, 2), (2.0, 3), "ab"])
def test_bad_init_shapes_are_refused_naming_shape(shape):
    with pytest.raises(ValueError, match="shape must be a tuple"):
        opt.Adam().init(shape)


@pytest.mark.parametrize(
    ("rule", "state"),
    [
        (opt.AdaBelief(), opt.Adam().init((2,))),
        (opt.AdaGrad(), opt.Adam().init((2,))),
        (opt.SignDescent(), opt.Adam().init((2,))),
        (opt.Adam(), opt.CenteredAdam().init((2,))),
        (opt.SGD(), opt.AdaGrad().init((2,))),
        (opt.Adam(), None),
        (opt.SGD(), None),
        (opt.AdaGrad(), "state"),
    ],
)
def test_a_state_of_another_rule_is_refused_naming_state(rule, state):
    with pytest.raises(ValueError, match=r"state must be the .* made by"):
        rule.update(state, np.ones(2))


@pytest.mark.parametrize(
    ("rule", "state"),
    [
        (opt.AMSGrad(), opt.Adam().init((2,))),
        (opt.Adam(), opt.AMSGrad().init((2,))),
        (opt.AdaBelief(max_second_moment=True), opt.AdaBelief().init((2,))),
        (opt.AdaBelief(), opt.AdaBelief(max_second_moment=True).init((2,))),
    ],
)
def test_a_state_without_the_rules_running_maximum_is_refused(rule, state):
    with pytest.raises(ValueError, match="max_second_moment"):
        rule.update(state, np.ones(2))


def test_a_state_of_another_instance_of_the_same_rule_is_accepted():
    state = opt.Adam(lr=0.5).init((2,))
    delta, _, _ = opt.Adam(lr=0.1).update(state, np.ones(2))
    np.testing.assert_allclose(delta, 0.1 / (1 + 1e-8))


def test_array_hyperparameters_that_do_not_fit_the_state_are_refused():
    rule = opt.Adam(lr=[0.1, 0.2])
    with pytest.raises(ValueError, match="lr has shape \\(2,\\)"):
        rule.update(opt.Adam().init((3,)), np.ones(3))


def test_array_hyperparameters_are_copied_and_read_only():
    lr = np.array([0.1, 0.2])
    rule = opt.Adam(lr=lr)
    lr[0] = -5.0  # the caller's array, not the rule's
    delta, _, _ = rule.update(rule.init((2,)), np.ones(2))
    np.testing.assert_allclose(delta, [0.1, 0.2], rtol=1e-7)
    with pytest.raises(ValueError, match="read-only"):
        rule.lr[0] = -5.0


def test_complex_gradients_are_refused():
    rule = opt.Adam()
    with pytest.raises(ValueError, match="g must be a real number"):
        rule.update(rule.init((2,)), np.array([1 + 1j, 1.0]))


@pytest.mark.parametrize("t", [0, -1, 1.5])
def test_step_size_needs_a_step_of_at_least_one(t):
    with pytest.raises(ValueError, match="t must be an integer >= 1"):
        opt.Adam(lr_schedule="inv_sqrt").step_size(t)


def test_centered_zero_denominator_warns():
    # With bias correction v_hat_1 - m_hat_1^2 = 0 for g = 2 (exact in
    # binary), so eps = 0 gives 0 in the denominator at step 1.
    rule = opt.CenteredAdam(eps=0.0)
    with pytest.warns(RuntimeWarning, match="denominator is zero"):
        delta, _, _ = rule.update(rule.init((1,)), np.array([2.0]))
    assert not np.isfinite(delta[0])


@pytest.mark.parametrize("lr", [[True, 0.1], (0.1, [False])])
def test_booleans_inside_a_list_of_hyperparameters_are_refused(lr):
    with pytest.raises(ValueError, match="lr must be a real number or array"):
        opt.Adam(lr=lr)
