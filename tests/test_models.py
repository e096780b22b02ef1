"""Tests of analysis.models: the two-layer network problem.

The fast, batched gradient is checked against central finite differences
of the loss and against a slow twin that loops over examples and units
with Python floats (``_slow_loss_and_gradient`` below, written from the
formulas of the class docstring and sharing no code with the module).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.models import TwoLayerNetwork
from analysis.optimizers import Adam
from analysis.simulation import simulate


def _slow_loss_and_gradient(
    theta: np.ndarray, x: np.ndarray, y: np.ndarray, hidden: int
) -> tuple[float, list[float]]:
    """Loss and gradient by a plain loop over examples (the slow twin)."""
    n, p = x.shape
    th = [float(v) for v in theta]
    w1 = [th[j * p : (j + 1) * p] for j in range(hidden)]
    b1 = th[hidden * p : hidden * p + hidden]
    w2 = th[hidden * p + hidden : hidden * p + 2 * hidden]
    b2 = th[-1]
    loss = 0.0
    g_w1 = [[0.0] * p for _ in range(hidden)]
    g_b1, g_w2, g_b2 = [0.0] * hidden, [0.0] * hidden, 0.0
    for i in range(n):
        xi = [float(v) for v in x[i]]
        a = [
            math.tanh(sum(w1[j][k] * xi[k] for k in range(p)) + b1[j])
            for j in range(hidden)
        ]
        r = sum(w2[j] * a[j] for j in range(hidden)) + b2 - float(y[i])
        loss += 0.5 * r * r / n
        g_b2 += r / n
        for j in range(hidden):
            g_w2[j] += r * a[j] / n
            d = r * w2[j] * (1.0 - a[j] * a[j]) / n
            g_b1[j] += d
            for k in range(p):
                g_w1[j][k] += d * xi[k]
    flat = [v for row in g_w1 for v in row] + g_b1 + g_w2 + [g_b2]
    return loss, flat


@pytest.fixture
def problem() -> TwoLayerNetwork:
    rng = np.random.default_rng(11)
    return TwoLayerNetwork.teacher_student(40, 3, 4, rng, noise_std=0.2)


def test_dimension_counts_every_weight_and_bias(problem):
    # h p + 2 h + 1 = 4*3 + 8 + 1.
    assert problem.dim == 21
    theta = np.arange(21.0)
    w1, b1, w2, b2 = problem.unpack(theta)
    assert w1.shape == (4, 3) and b1.shape == w2.shape == (4,) and b2.shape == ()
    np.testing.assert_array_equal(problem.pack(w1, b1, w2, b2), theta)


def test_gradient_matches_central_finite_differences(problem):
    theta = problem.initial_point(np.random.default_rng(2))
    g = problem.exact_gradient(theta)
    h = 1e-6
    numeric = np.empty_like(theta)
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = h
        numeric[k] = (problem.value(theta + e) - problem.value(theta - e)) / (2 * h)
    # Central differences have error O(h^2) plus rounding O(eps/h) ~ 1e-10.
    np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8)


def test_loss_and_gradient_equal_the_per_example_loop(problem):
    thetas = problem.initial_point(np.random.default_rng(4), runs=3)
    values = problem.value(thetas)
    grads = problem.exact_gradient(thetas)
    for r in range(3):
        loss, grad = _slow_loss_and_gradient(
            thetas[r], problem.X, problem.y, problem.hidden
        )
        assert values[r] == pytest.approx(loss, rel=1e-12)
        np.testing.assert_allclose(grads[r], grad, rtol=1e-10, atol=1e-14)


def test_minibatch_gradient_equals_the_loop_on_each_runs_batch():
    rng = np.random.default_rng(5)
    problem = TwoLayerNetwork.teacher_student(30, 2, 3, rng, batch_size=7)
    thetas = problem.initial_point(rng, runs=4)
    shared = problem.draw(np.random.default_rng(6), 1, 1)[0]  # (7,)
    per_run = problem.draw(np.random.default_rng(7), 1, 4)  # (4, 7)
    for data, rows in ((shared, np.tile(shared, (4, 1))), (per_run, per_run)):
        g = problem.gradient(thetas, data, 1)
        for r in range(4):
            _, slow = _slow_loss_and_gradient(
                thetas[r], problem.X[rows[r]], problem.y[rows[r]], problem.hidden
            )
            np.testing.assert_allclose(g[r], slow, rtol=1e-10, atol=1e-14)


def test_minibatch_gradient_averages_to_the_full_gradient():
    # Uniform indices with replacement: the mean of the per-example
    # gradients over all N single-example batches is the full gradient.
    rng = np.random.default_rng(8)
    problem = TwoLayerNetwork.teacher_student(25, 2, 3, rng, batch_size=1)
    theta = problem.initial_point(rng)
    singles = np.stack([problem.gradient(theta, np.array([i]), 1) for i in range(25)])
    np.testing.assert_allclose(
        singles.mean(axis=0), problem.exact_gradient(theta), rtol=1e-12, atol=1e-15
    )


def test_zero_noise_teacher_is_a_global_minimum():
    # With noise_std = 0 and the teacher's own weights the loss is 0 and
    # the gradient vanishes (the teacher is rebuilt from the same stream).
    rng = np.random.default_rng(9)
    problem = TwoLayerNetwork.teacher_student(20, 3, 2, rng, noise_std=0.0)
    rng = np.random.default_rng(9)
    rng.standard_normal((20, 3))
    w1 = rng.standard_normal((2, 3)) / np.sqrt(3)
    w2 = rng.standard_normal(2) / np.sqrt(2)
    theta = problem.pack(w1, np.zeros(2), w2, 0.0)
    assert problem.value(theta) == pytest.approx(0.0, abs=1e-28)
    np.testing.assert_allclose(problem.exact_gradient(theta), 0.0, atol=1e-15)


def test_origin_is_a_stationary_point():
    rng = np.random.default_rng(10)
    problem = TwoLayerNetwork.teacher_student(20, 3, 2, rng)
    g = problem.exact_gradient(np.zeros(problem.dim))
    # Only d f / d b2 = mean(-y) survives at theta = 0; set b2 = mean(y).
    theta = np.zeros(problem.dim)
    theta[-1] = problem.y.mean()
    np.testing.assert_allclose(g[:-1], 0.0, atol=1e-15)
    np.testing.assert_allclose(problem.exact_gradient(theta), 0.0, atol=1e-15)


def test_adam_lowers_the_loss_in_the_simulator():
    rng = np.random.default_rng(12)
    problem = TwoLayerNetwork.teacher_student(64, 4, 8, rng, batch_size=8)
    theta0 = problem.initial_point(rng, runs=3)
    result = simulate(
        Adam(lr=0.01), problem, theta0, 300, runs=3, seed=1, record=("loss",)
    )
    loss = result.history["loss"]
    assert np.all(loss[-1] < 0.5 * loss[0])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: TwoLayerNetwork(np.zeros(3), np.zeros(3), 2), "features"),
        (lambda: TwoLayerNetwork(np.zeros((3, 2)), np.zeros(4), 2), "targets"),
        (lambda: TwoLayerNetwork(np.zeros((3, 2)), np.zeros(3), 0), "hidden"),
        (
            lambda: TwoLayerNetwork(np.zeros((3, 2)), np.zeros(3), 2, batch_size=0),
            "batch_size",
        ),
        (
            lambda: TwoLayerNetwork(np.full((3, 2), np.nan), np.zeros(3), 2),
            "features",
        ),
        (
            lambda: TwoLayerNetwork.teacher_student(
                10, 2, 2, np.random.default_rng(0), noise_std=-1.0
            ),
            "noise_std",
        ),
        (
            lambda: TwoLayerNetwork.teacher_student(
                10, 2, 2, np.random.default_rng(0), teacher_hidden=0
            ),
            "teacher_hidden",
        ),
        (
            lambda: TwoLayerNetwork.teacher_student(0, 2, 2, np.random.default_rng(0)),
            "n_samples",
        ),
    ],
)
def test_bad_arguments_raise_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_theta_of_the_wrong_size_or_not_finite_is_rejected(problem):
    with pytest.raises(ValueError, match="theta"):
        problem.value(np.zeros(problem.dim + 1))
    with pytest.raises(ValueError, match="theta"):
        problem.gradient(np.full(problem.dim, np.inf), None, 1)
    with pytest.raises(ValueError, match="features"):
        problem.predict(np.zeros(problem.dim), np.zeros((2, problem.inputs + 1)))
