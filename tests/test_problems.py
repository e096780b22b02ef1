"""Tests of analysis.problems: laws, loss sequences and test functions."""

import numpy as np
import pytest
from scipy.optimize import approx_fprime

from analysis.optimizers import SGD
from analysis.problems import (
    LogisticRegression,
    Normal,
    OnlineLinear,
    PeriodicLinear,
    Quadratic,
    Rosenbrock,
    SkewedExponential,
    StudentT,
    TwoPoint,
    random_rotation,
)
from analysis.projections import Ball, Box
from analysis.simulation import simulate
from analysis.statistics import mean_ci

LAWS = [
    Normal(mean=[0.5, -2.0], std=[1.0, 0.1], dim=2),
    SkewedExponential(mean=[0.5, -2.0], std=[1.0, 0.1], dim=2),
    StudentT(mean=[0.5, -2.0], std=[1.0, 0.1], df=8.0, dim=2),
    TwoPoint(high=[1010.0, 3.0], low=[-10.0, -1.0], p=0.01, dim=2),
]


@pytest.mark.parametrize("law", LAWS, ids=repr)
def test_law_samples_have_the_stated_mean_and_variance(law):
    rng = np.random.default_rng(3)
    g = law.sample(rng, 400_000)
    assert g.shape == (400_000, law.dim)
    mean = mean_ci(g, level=0.999)
    assert np.all(mean.covers(law.mean))
    # Var g via the mean of (g - E g)^2, whose interval must cover Var g.
    var = mean_ci((g - law.mean) ** 2, level=0.999)
    assert np.all(var.covers(law.variance))


def test_two_point_law_reproduces_reddi_mean():
    # Reddi et al. (2018), Theorem 3: p = (1 + delta)/(C + 1) gives mean delta.
    c, delta = 20.0, 0.1
    law = TwoPoint(high=c, low=-1.0, p=(1 + delta) / (c + 1))
    np.testing.assert_allclose(law.mean, [delta], rtol=1e-12)


def test_law_snr_is_mean_squared_over_variance():
    law = Normal(mean=[2.0, 0.0], std=[4.0, 1.0], dim=2)
    np.testing.assert_allclose(law.snr, [0.25, 0.0])


def test_law_draws_do_not_depend_on_block_size():
    law = SkewedExponential(mean=1.0, std=2.0, dim=3)
    whole = law.sample(np.random.default_rng(5), 100)
    rng = np.random.default_rng(5)
    parts = np.concatenate([law.sample(rng, n) for n in (7, 50, 43)])
    np.testing.assert_array_equal(whole, parts)


def test_online_linear_gradient_is_the_coefficient_at_any_iterate():
    problem = OnlineLinear(Normal(1.0, 1.0, dim=3))
    c = problem.draw(np.random.default_rng(0), 1, 1)[0]
    theta = np.random.default_rng(1).standard_normal((4, 3))
    np.testing.assert_array_equal(problem.gradient(theta, c, 1), np.tile(c, (4, 1)))
    np.testing.assert_allclose(problem.loss(theta, c, 1), theta @ c)


def test_online_linear_comparator_on_a_box_is_the_best_vertex():
    problem = OnlineLinear(Normal(0.0, 1.0, dim=2))
    box = Box([-1.0, 0.0], [2.0, 3.0])
    total = np.array([[3.0, -2.0]])
    # Best vertex: x = (-1, 3), value 3*(-1) + (-2)*3 = -9.
    np.testing.assert_allclose(problem.hindsight_minimum(total, 5, box), [-9.0])


def test_online_linear_comparator_on_a_ball_is_closed_form():
    problem = OnlineLinear(Normal(0.0, 1.0, dim=2))
    ball = Ball(center=[1.0, 0.0], radius=2.0)
    total = np.array([[3.0, 4.0]])
    # <C, c> - r ||C|| = 3 - 2 * 5 = -7.
    np.testing.assert_allclose(problem.hindsight_minimum(total, 5, ball), [-7.0])


def test_periodic_linear_follows_reddi_schedule():
    # f_t(x) = C x for t = 1, 4, 7, ..., and -x otherwise (period 3).
    problem = PeriodicLinear(C=5.0, period=3)
    c = problem.draw(np.random.default_rng(0), 1, 7)[:, 0]
    np.testing.assert_array_equal(c, [5.0, -1.0, -1.0, 5.0, -1.0, -1.0, 5.0])
    later = problem.draw(np.random.default_rng(0), 5, 3)[:, 0]
    np.testing.assert_array_equal(later, [-1.0, -1.0, 5.0])


def _finite_difference_gradient(f, x):
    return approx_fprime(x, f, 1e-7)


@pytest.mark.parametrize(
    "problem",
    [
        Quadratic([[3.0, 1.0], [1.0, 2.0]], minimizer=[0.5, -1.0]),
        Quadratic([1.0, 10.0, 100.0], minimizer=1.0),
        Rosenbrock(),
        Rosenbrock(a=2.0, b=10.0, dim=4),
        LogisticRegression.synthetic(50, 3, np.random.default_rng(0), l2=0.01),
    ],
    ids=repr,
)
def test_gradients_and_hessians_match_finite_differences(problem):
    rng = np.random.default_rng(7)
    for x in rng.uniform(-1.5, 1.5, size=(5, problem.dim)):
        grad = problem.exact_gradient(x)
        numeric = _finite_difference_gradient(problem.value, x)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-4)
        hess = problem.hessian(x)
        columns = [
            _finite_difference_gradient(lambda z, i=i: problem.exact_gradient(z)[i], x)
            for i in range(problem.dim)
        ]
        np.testing.assert_allclose(hess, np.array(columns), rtol=1e-5, atol=1e-4)


def test_quadratic_from_spectrum_has_that_spectrum_and_rotation():
    rng = np.random.default_rng(11)
    u = random_rotation(4, rng)
    q = Quadratic.from_spectrum([1.0, 10.0, 100.0, 1000.0], rotation=u)
    np.testing.assert_allclose(np.linalg.eigvalsh(q.Q), [1, 10, 100, 1000])
    np.testing.assert_allclose(q.Q @ u[:, 2], 100.0 * u[:, 2], atol=1e-10)
    axis = Quadratic.from_spectrum([2.0, 3.0])
    np.testing.assert_array_equal(axis.Q, np.diag([2.0, 3.0]))


def test_random_rotation_is_orthogonal_and_not_always_the_same():
    rng = np.random.default_rng(2)
    a, b = random_rotation(5, rng), random_rotation(5, rng)
    np.testing.assert_allclose(a @ a.T, np.eye(5), atol=1e-12)
    assert not np.allclose(a, b)


def test_logistic_minibatch_gradient_is_unbiased_and_exact_for_all_indices():
    rng = np.random.default_rng(4)
    full = LogisticRegression.synthetic(40, 3, rng, l2=0.1)
    mini = LogisticRegression(full.X, full.y, l2=0.1, batch_size=40)
    theta = np.array([[0.3, -0.2, 0.5]])
    # Every index once: the minibatch mean is the full gradient.
    every = np.arange(40)[None, :]
    np.testing.assert_allclose(
        mini.gradient(theta, every, 1), full.exact_gradient(theta), rtol=1e-12
    )
    # Averaged over many random minibatches of size 1 it approaches it.
    one = LogisticRegression(full.X, full.y, l2=0.1, batch_size=1)
    idx = one.draw(rng, 1, 20_000)
    grads = one.gradient(np.repeat(theta, 20_000, axis=0), idx, 1)
    ci = mean_ci(grads, level=0.999)
    assert np.all(ci.covers(full.exact_gradient(theta)[0]))


def test_logistic_regression_runs_in_the_simulator_with_minibatches():
    problem = LogisticRegression.synthetic(
        200, 4, np.random.default_rng(1), batch_size=8
    )
    result = simulate(SGD(0.5), problem, np.zeros(4), 300, runs=3, record=("loss",))
    loss = result.history["loss"]
    assert loss.shape == (300, 3)
    assert np.all(loss[-1] < loss[0])


def test_test_functions_vanish_at_their_minimizers():
    assert Rosenbrock().value(np.array([1.0, 1.0])) == 0.0
    np.testing.assert_array_equal(Rosenbrock().exact_gradient([1.0, 1.0]), [0, 0])
    q = Quadratic([2.0, 3.0], minimizer=[1.0, -1.0])
    assert q.value(np.array([1.0, -1.0])) == 0.0


def test_noisy_quadratic_adds_the_drawn_noise_to_the_exact_gradient():
    q = Quadratic([2.0, 3.0], minimizer=[1.0, -1.0], noise_std=0.5)
    noise = q.draw(np.random.default_rng(0), 1, 1)[0]
    theta = np.array([[0.0, 0.0]])
    np.testing.assert_allclose(
        q.gradient(theta, noise, 1), q.exact_gradient(theta) + 0.5 * noise
    )


def test_quadratic_comparator_on_a_box_uses_the_constrained_minimum():
    # f = (x - 2)^2 / 2 on [-1, 1]: minimum at x = 1, value 1/2 per step.
    q = Quadratic([1.0], minimizer=2.0)
    value = q.hindsight_minimum(np.zeros((3, 1)), 10, Box(-1.0, 1.0, dim=1))
    np.testing.assert_allclose(value, [5.0, 5.0, 5.0], rtol=1e-8)


@pytest.mark.parametrize(
    ("factory", "match"),
    [
        (lambda: Normal(0.0, -1.0), "std"),
        (lambda: Normal(np.nan, 1.0), "mean"),
        (lambda: Normal([1.0, 2.0, 3.0], 1.0, dim=2), "mean"),
        (lambda: Normal(0.0, 1.0, dim=0), "dim"),
        (lambda: StudentT(0.0, 1.0, df=2.0), "df"),
        (lambda: TwoPoint(1.0, -1.0, p=1.5), "p"),
        (lambda: PeriodicLinear(C=-1.0), "C"),
        (lambda: PeriodicLinear(C=3.0, period=1), "period"),
        (lambda: Quadratic([[1.0, 2.0], [0.0, 1.0]]), "symmetric"),
        (lambda: Quadratic([[1.0, 0.0], [0.0, -1.0]]), "positive semi-definite"),
        (lambda: Quadratic(np.ones((2, 3))), "hessian"),
        (lambda: Quadratic([1.0], noise_std=-0.1), "noise_std"),
        (lambda: Rosenbrock(dim=1), "dim"),
        (lambda: Rosenbrock(b=0.0), "b"),
        (lambda: Rosenbrock(a=[1.0, 2.0]), "a must be a single number"),
        (lambda: StudentT(0.0, 1.0, df=[3.0, 4.0]), "df must be a single number"),
        (lambda: TwoPoint(1.0, -1.0, p=[0.1, 0.2]), "p must be a single number"),
        (lambda: Quadratic([]), "hessian must not be empty"),
        (lambda: Normal("a", 1.0), "mean must be a real number"),
        (lambda: OnlineLinear("normal"), "law"),
        (lambda: Quadratic.from_spectrum([1.0, -1.0]), "eigenvalues"),
        (lambda: Quadratic.from_spectrum([1.0, 2.0], np.ones((2, 2))), "rotation"),
        (lambda: LogisticRegression(np.ones((3, 2)), [1.0, -1.0]), "labels"),
        (lambda: LogisticRegression(np.ones((2, 2)), [1.0, 0.0]), "labels"),
        (lambda: LogisticRegression(np.ones(3), [1.0, -1.0, 1.0]), "features"),
        (lambda: LogisticRegression(np.ones((0, 2)), np.ones(0)), "features"),
        (lambda: LogisticRegression(np.ones((2, 0)), [1.0, -1.0]), "features"),
        (lambda: LogisticRegression(np.ones((2, 2)), [1, -1], l2=-1.0), "l2"),
        (lambda: LogisticRegression(np.ones((2, 2)), [1, -1], batch_size=0), "batch"),
    ],
)
def test_bad_parameters_raise_naming_the_argument(factory, match):
    with pytest.raises(ValueError, match=match):
        factory()


LOGISTIC = LogisticRegression([[1.0, 0.5], [-0.3, 2.0]], [1.0, -1.0])


@pytest.mark.parametrize(
    "call",
    [
        lambda: Rosenbrock(dim=2).value([1.0]),
        lambda: Rosenbrock(dim=2).value([1.0, 1.0, 1.0]),
        lambda: Rosenbrock(dim=2).exact_gradient([2.0, 3.0, 4.0]),
        lambda: Rosenbrock(dim=3).hessian([1.0, 1.0]),
        lambda: Quadratic([1.0, 2.0]).value([1.0]),
        lambda: Quadratic([1.0, 2.0]).exact_gradient([1.0]),
        lambda: Quadratic([1.0, 2.0]).hessian([1.0]),
        lambda: Quadratic([1.0, 2.0]).value([np.nan, 1.0]),
        lambda: Quadratic([1.0, 2.0]).value(["a", "b"]),
        lambda: LOGISTIC.value([1.0, 2.0, 3.0]),
        lambda: LOGISTIC.hessian([1.0]),
    ],
)
def test_points_of_the_wrong_dimension_or_not_finite_are_refused(call):
    with pytest.raises(ValueError, match="theta must"):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: random_rotation(2, 0),
        lambda: LogisticRegression.synthetic(10, 2, 0),
        lambda: LogisticRegression.synthetic(10, 2, np.random.RandomState(0)),
    ],
)
def test_a_seed_given_for_a_generator_is_refused_naming_rng(call):
    with pytest.raises(ValueError, match=r"rng must be a numpy\.random\.Generator"):
        call()
