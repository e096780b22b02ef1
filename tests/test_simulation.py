"""Tests of analysis.simulation against plain loops and closed forms."""

import itertools

import numpy as np
import pytest

from analysis import simulation
from analysis.optimizers import SGD, AdaBelief, Adam, AMSGrad
from analysis.problems import Normal, OnlineLinear, PeriodicLinear, Quadratic
from analysis.projections import Ball, Box
from analysis.simulation import DivergenceError, log_checkpoints, simulate


def plain_loop(rule, problem, theta0, steps, runs, seed, domain):
    """The slow twin of simulate: one run at a time, one step at a time."""
    seeds = np.random.SeedSequence(seed).spawn(runs)
    thetas, losses, coefficients = [], [], []
    for r in range(runs):
        rng = np.random.default_rng(seeds[r])
        data = problem.draw(rng, 1, steps)
        theta = np.array(theta0, dtype=float)
        state = rule.init(theta.shape)
        run_thetas, run_losses = [], []
        for t in range(1, steps + 1):
            d = None if data is None else data[t - 1]
            run_thetas.append(theta)
            run_losses.append(float(problem.loss(theta, d, t)))
            delta, weights, state = rule.update(state, problem.gradient(theta, d, t))
            theta = domain.project(theta - delta, weights)
        thetas.append(run_thetas)
        losses.append(run_losses)
        coefficients.append(data)
    return np.array(thetas), np.array(losses), coefficients


def box_vertices(box):
    return np.array(list(itertools.product(*zip(box.lower, box.upper, strict=True))))


RULES = [
    SGD(0.1, lr_schedule="inv_sqrt"),
    Adam(0.05),
    AMSGrad(0.05),
    AdaBelief(0.05, max_second_moment=True),
]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_simulate_equals_a_plain_loop_and_regret_equals_closed_form(rule):
    problem = OnlineLinear(Normal(mean=[0.3, -0.2, 0.0], std=1.0, dim=3))
    box = Box([-1.0, -2.0, 0.0], [1.0, 0.5, 3.0])
    theta0 = [0.0, 0.0, 1.0]
    result = simulate(
        rule,
        problem,
        theta0,
        60,
        runs=4,
        seed=9,
        domain=box,
        record=("theta",),
        regret=True,
    )
    thetas, losses, data = plain_loop(rule, problem, theta0, 60, 4, 9, box)
    np.testing.assert_allclose(result.history["theta"], thetas.swapaxes(0, 1))

    # Regret: sum of <c_t, theta_t> minus the best box vertex in hindsight.
    vertices = box_vertices(box)
    for r in range(4):
        best = np.min(vertices @ data[r].sum(axis=0))
        expected = losses[r].sum() - best
        np.testing.assert_allclose(result.regret[-1, r], expected, rtol=1e-12)


def test_regret_on_a_ball_equals_closed_form():
    problem = OnlineLinear(Normal(mean=[1.0, -1.0], std=0.5, dim=2))
    ball = Ball(center=[0.0, 0.0], radius=1.5)
    result = simulate(
        Adam(0.1),
        problem,
        [0.0, 0.0],
        50,
        runs=3,
        seed=2,
        domain=ball,
        regret=True,
    )
    _, losses, data = plain_loop(Adam(0.1), problem, [0.0, 0.0], 50, 3, 2, ball)
    for r in range(3):
        total = data[r].sum(axis=0)
        # min over the ball of <C, x> is -r ||C|| when the centre is 0.
        expected = losses[r].sum() + 1.5 * np.linalg.norm(total)
        np.testing.assert_allclose(result.regret[-1, r], expected, rtol=1e-12)


def test_regret_at_checkpoints_equals_regret_of_shorter_runs():
    problem = PeriodicLinear(C=3.0)
    box = Box(-1.0, 1.0, dim=1)
    marks = np.array([1, 2, 5, 17, 40])
    long = simulate(
        Adam(0.1, beta1=0.0, beta2=0.1),
        problem,
        [0.5],
        40,
        domain=box,
        checkpoints=marks,
        regret=True,
    )
    for i, steps in enumerate(marks):
        short = simulate(
            Adam(0.1, beta1=0.0, beta2=0.1),
            problem,
            [0.5],
            int(steps),
            domain=box,
            regret=True,
        )
        np.testing.assert_allclose(long.regret[i], short.regret[-1], rtol=1e-12)


def test_runs_do_not_change_when_more_runs_are_added():
    problem = OnlineLinear(Normal(0.0, 1.0, dim=2))
    few = simulate(Adam(0.1), problem, [0.0, 0.0], 30, runs=2, seed=4)
    many = simulate(Adam(0.1), problem, [0.0, 0.0], 30, runs=5, seed=4)
    np.testing.assert_array_equal(few.theta, many.theta[:2])


def test_results_do_not_depend_on_the_block_size(monkeypatch):
    problem = Quadratic([1.0, 4.0], minimizer=[1.0, 1.0], noise_std=0.3)
    whole = simulate(AdaBelief(0.05), problem, [0.0, 0.0], 50, runs=3, seed=1)
    monkeypatch.setattr(simulation, "_BLOCK_FLOATS", 12)  # two steps a block
    blocks = simulate(AdaBelief(0.05), problem, [0.0, 0.0], 50, runs=3, seed=1)
    np.testing.assert_array_equal(whole.theta, blocks.theta)


def test_recorded_gradients_are_taken_at_the_recorded_iterates():
    # A4: the moments come from the optimizer's own trajectory.
    problem = Quadratic([1.0, 4.0], minimizer=[1.0, 1.0], noise_std=0.3)
    result = simulate(
        Adam(0.05),
        problem,
        [0.0, 0.0],
        40,
        runs=2,
        seed=3,
        record=("theta", "g", "m", "v"),
    )
    theta, g = result.history["theta"], result.history["g"]
    noise = (g - problem.exact_gradient(theta)) / 0.3
    spread = np.std(noise)
    assert 0.5 < spread < 1.5
    # m and v are the moving averages of exactly these gradients.
    m = v = np.zeros_like(g[0])
    for t in range(40):
        m = 0.9 * m + 0.1 * g[t]
        v = 0.999 * v + 0.001 * g[t] ** 2
        np.testing.assert_allclose(result.history["m"][t], m, rtol=1e-12)
        np.testing.assert_allclose(result.history["v"][t], v, rtol=1e-12)


def test_record_steps_select_what_is_kept():
    problem = OnlineLinear(Normal(0.0, 1.0, dim=2))
    at = np.array([1, 10, 20])
    part = simulate(
        Adam(0.1), problem, [0, 0], 20, runs=3, record=("v_hat",), record_steps=at
    )
    full = simulate(Adam(0.1), problem, [0, 0], 20, runs=3, record=("v_hat",))
    assert part.history["v_hat"].shape == (3, 3, 2)
    np.testing.assert_array_equal(part.history["v_hat"], full.history["v_hat"][at - 1])


def test_log_checkpoints_are_sorted_and_span_the_run():
    marks = log_checkpoints(100_000, per_decade=5)
    assert marks[0] == 1 and marks[-1] == 100_000
    assert np.all(np.diff(marks) > 0)
    assert 20 <= marks.size <= 30


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"theta0": [5.0, 0.0]}, "theta0"),
        ({"theta0": [0.0, 0.0, 0.0]}, "theta0"),
        ({"theta0": [np.nan, 0.0]}, "theta0"),
        ({"steps": 0}, "steps"),
        ({"runs": -1}, "runs"),
        ({"record": ("q",)}, "record"),
        ({"record": ("s",)}, "Adam does not have"),
        ({"record_steps": [3, 2]}, "record_steps"),
        ({"checkpoints": [0, 5]}, "checkpoints"),
        ({"dtype": np.int64}, "dtype"),
        ({"domain": Box(-1.0, 1.0, dim=3)}, "dimension"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"regret": "no"}, "regret must be True or False"),
        ({"theta0": ["a", 0.0]}, "theta0 must be a real number"),
        ({"theta0": [1e5, 0.0], "dtype": np.float16, "domain": None}, "overflows"),
        ({"dtype": "banana"}, "dtype must be a floating dtype"),
        ({"record": "theta"}, "record must be a sequence of names"),
        ({"record": None}, "record must be a sequence of names"),
        ({"record": ("theta", 1)}, "record must hold names"),
        ({"record": ("theta", "m", "theta")}, r"record names \['theta'\] more"),
        ({"domain": "box"}, "domain must be a Domain"),
        ({"domain": Box}, "domain must be a Domain"),
    ],
)
def test_bad_arguments_raise_naming_them(kwargs, match):
    args = {
        "rule": Adam(0.1),
        "problem": OnlineLinear(Normal(0.0, 1.0, dim=2)),
        "theta0": [0.0, 0.0],
        "steps": 5,
        "domain": Box(-1.0, 1.0, dim=2),
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        simulate(**args)


def test_non_finite_gradients_stop_the_run_with_divergence_error():
    class Broken(Quadratic):
        def gradient(self, theta, data, t):
            return np.full_like(theta, np.inf)

    with pytest.raises(DivergenceError, match="gradient of Adam is not finite"):
        simulate(Adam(0.1), Broken([1.0]), [0.0], 3)


def test_a_diverging_run_is_reported_at_the_step_it_diverges():
    # SGD with step 1 on curvature 100 multiplies theta by -99 each step;
    # float64 overflows after about 155 steps.
    with np.errstate(over="ignore", invalid="ignore"):
        with pytest.raises(DivergenceError, match=r"at step \d+ in 2 run"):
            simulate(SGD(1.0), Quadratic([100.0]), [1.0], 1000, runs=2)


def test_a_zero_denominator_step_is_a_divergence_not_a_projection_error():
    # AdaBelief with beta1 = 0 and eps = 0 ("outside"): m_1 = g_1, so the
    # residual and s_hat are 0 and the step is infinite at step 1.
    problem = OnlineLinear(Normal(1.0, 0.0))
    rule = AdaBelief(0.1, beta1=0.0, eps=0.0, eps_convention="outside")
    with pytest.warns(RuntimeWarning, match="denominator is zero"):
        with pytest.raises(DivergenceError, match="step of AdaBelief"):
            simulate(rule, problem, [0.0], 3, domain=Box(-1.0, 1.0, dim=1))


def test_nothing_of_length_t_is_allocated_when_nothing_is_recorded():
    # 10**12 steps would need terabytes for a list of record steps; the
    # arguments are checked and the run is refused for its regret only.
    problem = Quadratic([1.0])
    with pytest.raises(ValueError, match="record asks for 'v'"):
        simulate(SGD(0.1), problem, [0.0], 10**12, record=("v",))


def test_regret_without_a_comparator_is_refused_before_running():
    from analysis.problems import Rosenbrock

    with pytest.raises(ValueError, match="regret needs a comparator"):
        simulate(Adam(0.1), Rosenbrock(), [0.0, 0.0], 10**12, regret=True)


def test_regret_on_a_domain_without_a_comparator_is_refused_before_running():
    # A quadratic whose minimizer lies outside a ball has no comparator.
    problem = Quadratic([1.0, 2.0], minimizer=5.0)
    with pytest.raises(ValueError, match="regret=True needs a comparator"):
        simulate(
            Adam(0.1),
            problem,
            [0.0, 0.0],
            10**12,
            regret=True,
            domain=Ball(0.0, 1.0, dim=2),
        )


def test_iterates_that_overflow_stop_the_run_with_divergence_error():
    # Steps of 1e307 (unconstrained) take theta past the float64 maximum,
    # about 1.8e308, at step 18; the run stops there, not in a projection.
    problem = OnlineLinear(Normal(-1.0, 0.0))
    with pytest.raises(
        DivergenceError, match="iterate of Adam is not finite at step 18 "
    ):
        simulate(Adam(1e307), problem, [0.0], 100)


def test_loss_recorded_at_some_steps_equals_the_full_record():
    problem = Quadratic([1.0, 4.0], minimizer=[1.0, 1.0], noise_std=0.3)
    last = simulate(
        Adam(0.05),
        problem,
        [0.0, 0.0],
        30,
        runs=2,
        record=("loss",),
        record_steps=[30],
    )
    full = simulate(Adam(0.05), problem, [0.0, 0.0], 30, runs=2, record=("loss",))
    np.testing.assert_array_equal(last.history["loss"][0], full.history["loss"][-1])
    assert last.cumulative_loss is None
