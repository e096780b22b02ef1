"""Tests of analysis.fastpath against its slow twin, analysis.simulation."""

import numpy as np
import pytest

from analysis.fastpath import rule_parameters, run_intervals
from analysis.online import OnlineAbsolute, OnlineQuadratic, reddi_synthetic
from analysis.optimizers import (
    SGD,
    AdaBelief,
    AdaGrad,
    Adam,
    AMSGrad,
    CenteredAdam,
    SignDescent,
)
from analysis.problems import Normal, OnlineLinear, PeriodicLinear, TwoPoint
from analysis.projections import Box
from analysis.simulation import log_checkpoints, simulate

RULES = [
    SGD(0.1, lr_schedule="inv_sqrt"),
    AdaGrad(0.1),
    Adam(0.1, lr_schedule="inv_sqrt"),
    Adam(0.05, beta1=0.5, beta2=0.9, bias_correction=False),
    AMSGrad(0.1, lr_schedule="inv_sqrt"),
    AdaBelief(0.1, lr_schedule="inv_sqrt"),
    AdaBelief(0.1, lr_schedule="inv_sqrt", max_second_moment=True),
    AdaBelief(0.1, beta1_decay=0.99, eps_convention="inside", eps=1e-8),
    AdaBelief(0.1, eps_convention="outside", eps=1e-6, bias_correction=False),
]
PROBLEMS = [
    OnlineLinear(Normal(0.1, 1.0)),
    OnlineQuadratic(TwoPoint(1.0, -0.5, 0.3)),
    OnlineAbsolute(TwoPoint(1.0, -0.5, 0.3)),
    PeriodicLinear(3.0),
    reddi_synthetic(),
]
DOMAINS = [Box(-1.0, 1.0, dim=1), Box(-0.5, 2.0, dim=1)] + [Box(-1.0, 1.0, dim=1)] * 3


def test_fast_path_equals_simulate_for_every_rule_and_problem():
    # The slow twin: one simulate call per (rule, problem), seed + j.
    steps, runs, seed = 150, 3, 11
    marks = log_checkpoints(steps)
    fast = run_intervals(
        RULES, PROBLEMS, DOMAINS, 0.0, steps, runs=runs, seed=seed, checkpoints=marks
    )
    assert fast.regret.shape == (marks.size, len(RULES), runs, len(PROBLEMS))
    for k, rule in enumerate(RULES):
        for j, problem in enumerate(PROBLEMS):
            slow = simulate(
                rule,
                problem,
                [0.0],
                steps,
                runs=runs,
                seed=seed + j,
                domain=DOMAINS[j],
                checkpoints=marks,
                regret=True,
            )
            np.testing.assert_allclose(
                fast.regret[:, k, :, j], slow.regret, rtol=1e-10, atol=1e-10
            )
            np.testing.assert_allclose(
                fast.theta[k, :, j], slow.theta[:, 0], rtol=1e-12, atol=1e-13
            )


@pytest.mark.parametrize("k", [2, 5, 6, 7], ids=lambda k: RULES[k].name)
def test_running_aggregates_equal_a_recomputation_from_the_history(k):
    # Expected values: recomputed from simulate's per-step history.
    rule, problem, box = RULES[k], PROBLEMS[2], DOMAINS[2]
    steps = 120
    fast = run_intervals([rule], [problem], [box], 0.0, steps, runs=2, seed=3)
    names = ("g", "m", "s_hat") if isinstance(rule, AdaBelief) else ("g", "m", "v_hat")
    slow = simulate(
        rule, problem, [0.0], steps, runs=2, seed=3, domain=box, record=names
    )
    g, m, q = (slow.history[n][:, :, 0] for n in names)
    if rule.max_second_moment:
        q = np.maximum.accumulate(q, axis=0)
    t = np.arange(1, steps + 1)[:, None]
    alpha_t = rule.lr / np.sqrt(t) if rule.lr_schedule == "inv_sqrt" else rule.lr
    ratio = np.sqrt(q) / alpha_t
    beta1_t = rule.beta1 * rule.beta1_decay ** (t - 1)
    np.testing.assert_allclose(fast.max_abs_g[0, :, 0], np.abs(g).max(axis=0))
    np.testing.assert_allclose(
        fast.max_abs_residual[0, :, 0], np.abs(g - m).max(axis=0), rtol=1e-12
    )
    np.testing.assert_allclose(fast.min_denominator_sq[0, :, 0], q.min(axis=0))
    np.testing.assert_allclose(fast.max_denominator_sq[0, :, 0], q.max(axis=0))
    np.testing.assert_array_equal(
        fast.ratio_decreases[0, :, 0],
        np.sum(ratio[1:] < ratio[:-1] * (1 - 1e-12), axis=0),
    )
    np.testing.assert_array_equal(
        fast.moment_decreases[0, :, 0], np.sum(q[1:] < q[:-1] * (1 - 1e-12), axis=0)
    )
    np.testing.assert_allclose(fast.sum_g4[0, :, 0], np.sum(g**4, axis=0))
    np.testing.assert_allclose(
        fast.momentum_sum[0, :, 0], np.sum(beta1_t * ratio, axis=0), rtol=1e-12
    )


def test_rule_parameters_maps_sgd_and_adagrad_to_the_unified_step():
    # SGD: beta1 = 0 (m = g), denominator 1; AdaGrad: v += g^2, no correction.
    assert rule_parameters(SGD(0.2))["sgd"] == 1.0
    p = rule_parameters(AdaGrad(0.2))
    assert (p["beta1"], p["beta2"], p["a2"], p["bias"]) == (0.0, 1.0, 1.0, 0.0)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"rules": [SignDescent(0.1)]}, "rules"),
        ({"rules": [CenteredAdam(0.1)]}, "rules"),
        ({"rules": [Adam(lr=np.array([0.1, 0.2]))]}, "scalar"),
        ({"rules": []}, "rules"),
        ({"problems": [OnlineLinear(Normal(0.0, 1.0, dim=2))]}, "one-dimensional"),
        ({"domains": [Box(-1.0, 1.0, dim=1)] * 2}, "domains"),
        ({"domains": [Box(-1.0, 1.0, dim=2)]}, "domains"),
        ({"theta0": 3.0}, "theta0"),
        ({"theta0": [0.0, 0.0]}, "theta0"),
        ({"steps": 0}, "steps"),
        ({"runs": 0}, "runs"),
        ({"checkpoints": np.array([5, 3])}, "checkpoints"),
        ({"checkpoints": np.array([1, 99])}, "checkpoints"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(kwargs, match):
    base = {
        "rules": [Adam(0.1)],
        "problems": [OnlineLinear(Normal(0.0, 1.0))],
        "domains": [Box(-1.0, 1.0, dim=1)],
        "theta0": 0.0,
        "steps": 10,
    }
    base.update(kwargs)
    steps = base.pop("steps")
    with pytest.raises(ValueError, match=match):
        run_intervals(
            base["rules"],
            base["problems"],
            base["domains"],
            base["theta0"],
            steps,
            runs=kwargs.get("runs", 1),
            checkpoints=kwargs.get("checkpoints"),
        )
