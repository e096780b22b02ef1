"""Tests of analysis.toy: 2-D toy problems and measurements on paths."""

import itertools

import numpy as np
import pytest

from analysis.optimizers import SGD, AdaBelief
from analysis.simulation import simulate
from analysis.toy import (
    AbsLinear,
    Beale,
    first_hitting_step,
    log_window_edges,
    path_distance,
    window_amplitude,
)

ROTATED = [[1.0, 1.0], [0.1, -0.1]]  # |x + y| + |x - y| / 10
ANISOTROPIC = [[0.1, 0.0], [0.0, 1.0]]  # |x| / 10 + |y|


def central_gradient(f, theta, h=1e-6):
    # Central finite differences, error O(h^2) for smooth f.
    theta = np.asarray(theta, dtype=np.float64)
    g = np.zeros_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        g[i] = (f(theta + e) - f(theta - e)) / (2 * h)
    return g


def random_points(n, seed, scale=2.0):
    return scale * np.random.default_rng(seed).standard_normal((n, 2))


# ---------------------------------------------------------------------------
# AbsLinear
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("matrix", [np.eye(2), ROTATED, ANISOTROPIC])
def test_abs_linear_subgradient_matches_finite_differences_off_kinks(matrix):
    problem = AbsLinear(matrix, minimizer=[0.3, -0.2])
    points = random_points(50, seed=1)
    # Away from kinks f is linear within h, so differences are exact to
    # rounding (f is piecewise linear).
    points = points[problem.kink_distance(points) > 1e-3]
    assert points.shape[0] > 40
    for theta in points:
        expected = central_gradient(problem.value, theta)
        np.testing.assert_allclose(
            problem.exact_gradient(theta), expected, rtol=0, atol=1e-8
        )


def test_abs_linear_value_is_the_l1_norm_of_the_forms():
    # Hand computation: |1 + 2| + |1 - 2| / 10 = 3.1.
    problem = AbsLinear(ROTATED)
    np.testing.assert_allclose(problem.value([1.0, 2.0]), 3.1, rtol=1e-15)
    # Shifted minimizer: f(theta*) = 0.
    shifted = AbsLinear(ANISOTROPIC, minimizer=[1.0, -1.0])
    assert shifted.value([1.0, -1.0]) == 0.0


def test_abs_linear_kink_convention_is_sign_zero_equals_zero():
    # Convention of the module notes: sign(0) = 0, exactly.
    separable = AbsLinear(ANISOTROPIC)
    np.testing.assert_array_equal(separable.exact_gradient([0.0, 2.0]), [0.0, 1.0])
    np.testing.assert_array_equal(separable.exact_gradient([-3.0, 0.0]), [-0.1, 0.0])
    np.testing.assert_array_equal(separable.exact_gradient([0.0, 0.0]), [0.0, 0.0])
    # On the kink x = y of the rotated problem only the first form counts:
    # A^T (sign(x + y), sign(0)) = (1, 1) for x = y > 0.
    rotated = AbsLinear(ROTATED)
    np.testing.assert_array_equal(rotated.exact_gradient([0.5, 0.5]), [1.0, 1.0])
    # On x = -y only the second form counts: (0.1, -0.1) sign(x - y).
    np.testing.assert_array_equal(rotated.exact_gradient([0.5, -0.5]), [0.1, -0.1])


def test_abs_linear_kink_distance_is_zero_exactly_on_kinks():
    rotated = AbsLinear(ROTATED)
    # Distance of (1, 0) to the lines x = y and x = -y is 1/sqrt(2).
    np.testing.assert_allclose(rotated.kink_distance([1.0, 0.0]), 2**-0.5)
    assert rotated.kink_distance([2.0, 2.0]) == 0.0


def test_abs_linear_hessian_is_zero_off_kinks_and_nan_on_them():
    problem = AbsLinear(np.eye(2))
    h = problem.hessian(np.array([[1.0, -2.0], [0.0, 1.0]]))
    assert h.shape == (2, 2, 2)
    np.testing.assert_array_equal(h[0], np.zeros((2, 2)))
    assert np.all(np.isnan(h[1]))


def test_abs_linear_batches_over_leading_axes():
    problem = AbsLinear(ROTATED)
    points = random_points(12, seed=2).reshape(3, 4, 2)
    g = problem.exact_gradient(points)
    assert g.shape == (3, 4, 2)
    for index in np.ndindex(3, 4):
        np.testing.assert_array_equal(g[index], problem.exact_gradient(points[index]))


def test_abs_linear_bad_input_raises_value_error_naming_the_argument():
    with pytest.raises(ValueError, match="matrix"):
        AbsLinear([1.0, 2.0])
    with pytest.raises(ValueError, match="matrix"):
        AbsLinear([[1.0, 1.0], [2.0, 2.0]])  # rank 1
    with pytest.raises(ValueError, match="matrix"):
        AbsLinear([[1.0, np.nan], [0.0, 1.0]])
    with pytest.raises(ValueError, match="minimizer"):
        AbsLinear(np.eye(2), minimizer=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="theta"):
        AbsLinear(np.eye(2)).value([1.0, 2.0, 3.0])


# ---------------------------------------------------------------------------
# Beale
# ---------------------------------------------------------------------------


def test_beale_minimum_is_zero_at_three_one_half():
    # Known global minimum of Beale's function: f(3, 0.5) = 0.
    problem = Beale()
    assert problem.value([3.0, 0.5]) == 0.0
    np.testing.assert_array_equal(problem.exact_gradient([3.0, 0.5]), [0.0, 0.0])
    # Hand value at the origin: 1.5^2 + 2.25^2 + 2.625^2.
    np.testing.assert_allclose(problem.value([0.0, 0.0]), 14.203125, rtol=1e-15)


def test_beale_gradient_matches_finite_differences():
    problem = Beale()
    for theta in random_points(20, seed=3, scale=1.0):
        expected = central_gradient(problem.value, theta)
        np.testing.assert_allclose(
            problem.exact_gradient(theta), expected, rtol=1e-7, atol=1e-7
        )


def test_beale_hessian_matches_finite_differences_of_the_gradient():
    problem = Beale()
    for theta in random_points(20, seed=4, scale=1.0):
        h = problem.hessian(theta)
        np.testing.assert_allclose(h, h.T, rtol=0, atol=0)
        columns = [
            central_gradient(lambda z, i=i: problem.exact_gradient(z)[i], theta)
            for i in range(2)
        ]
        np.testing.assert_allclose(h, np.array(columns), rtol=1e-6, atol=1e-6)


def test_beale_hessian_at_the_minimum_is_positive_definite():
    eigenvalues = np.linalg.eigvalsh(Beale().hessian([3.0, 0.5]))
    assert np.all(eigenvalues > 0)


# ---------------------------------------------------------------------------
# The simulator runs the toy problems
# ---------------------------------------------------------------------------


def test_simulate_runs_sgd_on_abs_linear_with_sign_steps():
    # SGD on |x|/10 + |y| from (-1.3, 0.25) with step 0.1: x moves by +0.01,
    # y by -0.1 per step while y > 0 (hand computation).
    problem = AbsLinear(ANISOTROPIC)
    run = simulate(SGD(lr=0.1), problem, [-1.3, 0.25], 3, record=("theta",))
    expected = [[-1.3, 0.25], [-1.29, 0.15], [-1.28, 0.05]]
    np.testing.assert_allclose(run.history["theta"][:, 0], expected, atol=1e-15)
    np.testing.assert_allclose(run.theta[0], [-1.27, -0.05], atol=1e-15)


def test_simulate_runs_adabelief_on_beale_towards_the_minimum():
    problem = Beale()
    run = simulate(AdaBelief(lr=0.01), problem, [1.0, 1.5], 3000)
    assert problem.value(run.theta[0]) < 1e-6


# ---------------------------------------------------------------------------
# Measurements on paths, each against a plain slow twin
# ---------------------------------------------------------------------------


def slow_first_hitting_step(path, target, radius):
    for t, point in enumerate(path, start=1):
        if np.linalg.norm(point - target) <= radius:
            return t
    return -1


def test_first_hitting_step_matches_a_plain_loop():
    rng = np.random.default_rng(5)
    paths = np.cumsum(0.2 * rng.standard_normal((200, 6, 2)), axis=0)
    target = np.array([0.5, -0.5])
    fast = first_hitting_step(paths, target, 0.3)
    slow = [slow_first_hitting_step(paths[:, k], target, 0.3) for k in range(6)]
    np.testing.assert_array_equal(fast, slow)


def test_first_hitting_step_is_minus_one_when_never_reached():
    path = np.array([[2.0, 0.0], [1.5, 0.0], [1.0, 0.0]])
    assert first_hitting_step(path[:, None], [0.0, 0.0], 0.5)[0] == -1
    # Reached at the third iterate, counted from 1.
    assert first_hitting_step(path[:, None], [0.0, 0.0], 1.0)[0] == 3


def slow_hausdorff(p, q):
    def directed(a, b):
        return max(min(float(np.linalg.norm(x - y)) for y in b) for x in a)

    return max(directed(p, q), directed(q, p))


def test_path_distance_matches_a_plain_double_loop():
    rng = np.random.default_rng(6)
    p = rng.standard_normal((60, 2))
    q = rng.standard_normal((45, 2))
    np.testing.assert_allclose(path_distance(p, q), slow_hausdorff(p, q), rtol=1e-14)


def test_path_distance_ignores_speed_along_the_same_curve():
    s = np.linspace(0.0, 1.0, 11)
    slow = np.stack([s, s**2], axis=-1)
    fast = slow[::2]  # every other point, same curve
    assert path_distance(slow[::2], fast) == 0.0
    # Two parallel segments 0.25 apart, sampled at the same x: every
    # nearest point is straight across, so d_H = 0.25 (hand computation).
    line = np.stack([s, np.zeros_like(s)], axis=-1)
    shift = np.array([0.0, 0.25])
    np.testing.assert_allclose(path_distance(line, line + shift), 0.25)


def slow_window_amplitude(values, edges):
    amp = [
        max(abs(values[t - 1]) for t in range(a, b))
        for a, b in itertools.pairwise(edges)
    ]
    return np.array(amp)


def test_window_amplitude_matches_a_plain_loop():
    values = np.random.default_rng(7).standard_normal(500)
    edges = np.array([1, 4, 10, 50, 200, 501])
    fast, centre = window_amplitude(values, edges)
    np.testing.assert_array_equal(fast, slow_window_amplitude(values, edges))
    # Geometric centre of [4, 9]: sqrt(4 * 9) = 6.
    assert centre[1] == 6.0


def test_window_amplitude_of_sgd_on_abs_value_stays_at_least_half_the_step():
    # SGD with a constant step alpha on |y| ends in a period-2 cycle
    # y -> y - alpha sign(y), whose amplitude max(|y|, alpha - |y|) >= alpha/2.
    alpha = 0.1
    problem = AbsLinear(np.eye(2))
    run = simulate(SGD(lr=alpha), problem, [0.37, 1.234], 400, record=("theta",))
    amp, _ = window_amplitude(run.history["theta"][:, 0, 1], np.array([101, 201, 401]))
    assert np.all(amp >= alpha / 2)
    np.testing.assert_allclose(amp[0], amp[1], rtol=0, atol=1e-12)


def test_log_window_edges_cover_the_range_in_increasing_steps():
    edges = log_window_edges(10, 1000, 8)
    assert edges[0] == 10 and edges[-1] == 1001
    assert np.all(np.diff(edges) > 0)
    assert edges.size <= 9


def test_measurements_reject_bad_input_naming_the_argument():
    path = np.zeros((5, 2))
    with pytest.raises(ValueError, match="radius"):
        first_hitting_step(path, [0.0, 0.0], 0.0)
    with pytest.raises(ValueError, match="path"):
        first_hitting_step(np.zeros(3), [0.0, 0.0], 1.0)
    with pytest.raises(ValueError, match="path"):
        first_hitting_step(np.full((3, 2), np.nan), [0.0, 0.0], 1.0)
    with pytest.raises(ValueError, match="first and second"):
        path_distance(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="edges"):
        window_amplitude(np.zeros(10), np.array([3, 2]))
    with pytest.raises(ValueError, match="edges"):
        window_amplitude(np.zeros(10), np.array([1, 20]))
    with pytest.raises(ValueError, match="edges"):
        window_amplitude(np.zeros(10), np.array([1.0, 5.0]))
    with pytest.raises(ValueError, match="values"):
        window_amplitude(np.array([np.inf, 1.0]), np.array([1, 2]))
    with pytest.raises(ValueError, match="last"):
        log_window_edges(10, 5, 3)
    with pytest.raises(ValueError, match="count"):
        log_window_edges(1, 5, 0)
