"""Tests of analysis.curvature: secants, diagonal preconditioning, regression."""

import numpy as np
import pytest
from scipy.optimize import approx_fprime

from analysis.curvature import (
    LinearRegression,
    belief_residuals,
    coordinate_secant_ratio,
    coupled_rotation,
    diagonal_preconditioning,
    ema,
    off_diagonal_fraction,
    secant_errors,
)
from analysis.optimizers import SGD, AdaBelief
from analysis.problems import Quadratic, Rosenbrock, random_rotation
from analysis.simulation import simulate
from analysis.statistics import fit_power_law, mean_ci

# ---------------------------------------------------------------------------
# LinearRegression
# ---------------------------------------------------------------------------

COVARIANCES = [
    np.array([0.1, 1.0, 10.0]),
    np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.3], [0.0, 0.3, 0.5]]),
]


@pytest.mark.parametrize("covariance", COVARIANCES, ids=["diagonal", "coupled"])
def test_linear_regression_gradient_and_hessian_match_finite_differences(
    covariance,
):
    problem = LinearRegression(covariance, minimizer=[0.5, -1.0, 2.0])
    rng = np.random.default_rng(7)
    for x in rng.uniform(-2.0, 2.0, size=(4, 3)):
        numeric = approx_fprime(x, problem.value, 1e-7)
        np.testing.assert_allclose(problem.exact_gradient(x), numeric, atol=1e-5)
        columns = [
            approx_fprime(x, lambda z, i=i: problem.exact_gradient(z)[i], 1e-7)
            for i in range(3)
        ]
        np.testing.assert_allclose(problem.hessian(x), np.array(columns), atol=1e-5)


def _slow_minibatch_gradient(problem, theta, data):
    # One example at a time: x = root z, y = x.theta* + sigma xi.
    d = problem.dim
    total = np.zeros(d)
    for row in data:
        x = problem.root @ row[:d]
        y = x @ problem.minimizer + problem.noise_std * row[d]
        total += x * (x @ theta - y)
    return total / len(data)


def test_linear_regression_minibatch_gradient_matches_a_plain_loop():
    problem = LinearRegression(COVARIANCES[1], minimizer=1.0, batch_size=5)
    rng = np.random.default_rng(2)
    theta = rng.standard_normal((4, 3))
    data = problem.draw(rng, 1, 4)  # one step of 4 runs: (4, 5, 4)
    fast = problem.gradient(theta, data, 1)
    slow = [_slow_minibatch_gradient(problem, theta[r], data[r]) for r in range(4)]
    np.testing.assert_allclose(fast, np.array(slow), rtol=1e-12, atol=1e-14)


def test_linear_regression_gradient_is_unbiased_with_the_stated_covariance():
    # Expected values from the Isserlis formula in the class notes.
    problem = LinearRegression(COVARIANCES[1], minimizer=1.0, noise_std=0.7)
    rng = np.random.default_rng(4)
    n = 200_000
    theta = np.array([1.5, 0.5, 1.2])
    grads = problem.gradient(np.tile(theta, (n, 1)), problem.draw(rng, 1, n), 1)
    assert np.all(mean_ci(grads, level=0.999).covers(problem.exact_gradient(theta)))
    centred = grads - problem.exact_gradient(theta)
    products = centred[:, :, None] * centred[:, None, :]
    ci = mean_ci(products.reshape(n, 9), level=0.999)
    assert np.all(ci.covers(problem.gradient_covariance(theta).ravel()))


def test_linear_regression_noise_at_the_optimum_is_the_hessian_scaled():
    problem = LinearRegression(COVARIANCES[1], noise_std=2.0, batch_size=4)
    cov = problem.gradient_covariance(problem.minimizer)
    np.testing.assert_allclose(cov, 4.0 * problem.hessian() / 4, rtol=1e-14)


def test_linear_regression_rejects_bad_arguments():
    with pytest.raises(ValueError, match="covariance"):
        LinearRegression([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="covariance"):
        LinearRegression([1.0, -1.0])
    with pytest.raises(ValueError, match="noise_std"):
        LinearRegression([1.0, 1.0], noise_std=-1.0)
    with pytest.raises(ValueError, match="batch_size"):
        LinearRegression([1.0, 1.0], batch_size=0)
    with pytest.raises(ValueError, match="minimizer"):
        LinearRegression([1.0, 1.0], minimizer=[1.0, 2.0, 3.0])


# ---------------------------------------------------------------------------
# Secant errors
# ---------------------------------------------------------------------------


def test_secant_is_exact_on_a_quadratic_trajectory():
    rng = np.random.default_rng(0)
    q = Quadratic.from_spectrum([1.0, 10.0, 100.0], random_rotation(3, rng), 1.0)
    run = simulate(SGD(0.005), q, np.zeros(3), 50, record=("theta", "g"))
    errors = secant_errors(run.history["theta"], run.history["g"], q.Q)
    # Exact in real arithmetic; only rounding of order 1e-16 remains.
    scale = np.linalg.norm(q.Q, 2) * errors.step_norm
    assert np.max(errors.residual_norm / scale) < 1e-12


def test_secant_errors_match_a_plain_loop_at_every_point():
    rosen = Rosenbrock()
    run = simulate(SGD(1e-4), rosen, [-1.0, 1.5], 20, runs=2, record=("theta", "g"))
    theta, g = run.history["theta"], run.history["g"]
    for at, weight in (("start", 0.0), ("midpoint", 0.5), ("end", 1.0)):
        fast = secant_errors(theta, g, rosen.hessian, at=at)
        for t in range(19):
            for r in range(2):
                step = theta[t + 1, r] - theta[t, r]
                point = theta[t, r] + weight * step
                hvp = rosen.hessian(point) @ step
                expected = g[t + 1, r] - g[t, r] - hvp
                np.testing.assert_allclose(fast.residual[t, r], expected, atol=1e-12)
                assert fast.residual_norm[t, r] == pytest.approx(
                    np.linalg.norm(expected), abs=1e-12
                )


def test_secant_residual_is_second_order_and_third_at_the_midpoint():
    # Taylor: O(h^2) with H(theta_t), O(h^3) with the midpoint Hessian.
    rosen = Rosenbrock()
    start, direction = np.array([-0.5, 0.8]), np.array([0.6, 0.8])
    h = np.logspace(-4, -1, 7)
    theta = np.stack([np.tile(start, (7, 1)), start + h[:, None] * direction])
    g = rosen.exact_gradient(theta)
    for at, order in (("start", 2.0), ("midpoint", 3.0)):
        errors = secant_errors(theta, g, rosen.hessian, at=at)
        fit = fit_power_law(h, errors.residual_norm[0])
        assert fit.exponent == pytest.approx(order, abs=0.05)


def test_secant_errors_reject_bad_input():
    theta = np.zeros((3, 2))
    with pytest.raises(ValueError, match="g must have"):
        secant_errors(theta, np.zeros((3, 3)), np.eye(2))
    with pytest.raises(ValueError, match="T >= 2"):
        secant_errors(np.zeros((1, 2)), np.zeros((1, 2)), np.eye(2))
    with pytest.raises(ValueError, match="at must be"):
        secant_errors(theta, theta, np.eye(2), at="middle")
    with pytest.raises(ValueError, match="hessian"):
        secant_errors(theta, theta, np.eye(3))
    with pytest.raises(ValueError, match="theta must be finite"):
        secant_errors(np.full((3, 2), np.nan), theta, np.eye(2))


def test_coordinate_ratio_is_the_diagonal_on_a_separable_quadratic():
    q = Quadratic([1.0, 10.0, 100.0], minimizer=1.0)
    run = simulate(SGD(0.005), q, np.zeros(3), 30, record=("theta", "g"))
    errors = secant_errors(run.history["theta"], run.history["g"], q.Q)
    ratio = coordinate_secant_ratio(errors.gradient_difference, errors.step)
    np.testing.assert_allclose(ratio, np.broadcast_to(np.diag(q.Q), ratio.shape))


def test_coordinate_ratio_marks_small_steps_and_checks_input():
    ratio = coordinate_secant_ratio([2.0, 3.0], [1.0, 0.0])
    assert ratio[0] == 2.0 and np.isnan(ratio[1])
    assert np.isnan(coordinate_secant_ratio([2.0], [0.1], min_step=0.5)[0])
    with pytest.raises(ValueError, match="min_step"):
        coordinate_secant_ratio([1.0], [1.0], min_step=-1.0)
    with pytest.raises(ValueError, match="step must have"):
        coordinate_secant_ratio([1.0], [1.0, 2.0])


# ---------------------------------------------------------------------------
# AdaBelief's residual and the moving average
# ---------------------------------------------------------------------------


def test_belief_residuals_reproduce_adabelief_state():
    # The decomposition of the notes is an identity of the recursion.
    rng = np.random.default_rng(5)
    q = Quadratic.from_spectrum([1.0, 5.0], random_rotation(2, rng), 1.0)
    rule = AdaBelief(lr=0.01, beta1=0.8)
    run = simulate(rule, q, np.zeros(2), 40, record=("g", "m"))
    g, m = run.history["g"][:, 0], run.history["m"][:, 0]
    res = belief_residuals(np.diff(g, axis=0), g[0], 0.8)
    np.testing.assert_allclose(res, g - m, rtol=1e-12, atol=1e-14)


def test_belief_residual_gain_of_constant_and_alternating_differences():
    # Geometric sums: beta1/(1-beta1) and beta1/(1+beta1) in the limit.
    beta1, n = 0.9, 400
    constant = belief_residuals(np.ones((n, 1)), np.zeros(1), beta1)
    assert constant[-1, 0] == pytest.approx(beta1 / (1 - beta1), rel=1e-12)
    signs = (-1.0) ** np.arange(n)[:, None]
    alternating = belief_residuals(signs, np.zeros(1), beta1)
    assert abs(alternating[-1, 0]) == pytest.approx(beta1 / (1 + beta1), rel=1e-12)


def test_ema_matches_closed_form_weights():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((12, 3))
    beta = 0.7
    out = ema(x, beta)
    for t in range(12):
        weights = (1 - beta) * beta ** np.arange(t, -1, -1)
        expected = weights @ x[: t + 1] / (1 - beta ** (t + 1))
        np.testing.assert_allclose(out[t], expected, rtol=1e-12)
    raw = ema(x, beta, bias_correction=False)
    np.testing.assert_allclose(raw[0], (1 - beta) * x[0])


def test_belief_residuals_and_ema_reject_bad_input():
    with pytest.raises(ValueError, match="beta1"):
        belief_residuals(np.zeros((3, 2)), np.zeros(2), 1.0)
    with pytest.raises(ValueError, match="differences"):
        belief_residuals(np.zeros((3, 2)), np.zeros(3), 0.5)
    with pytest.raises(ValueError, match="beta"):
        ema(np.zeros(3), -0.1)
    with pytest.raises(ValueError, match="T >= 1"):
        ema(np.zeros((0, 2)), 0.5)


# ---------------------------------------------------------------------------
# Diagonal preconditioning
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("rho", [0.0, 0.3, 0.9, -0.6])
def test_diagonal_preconditioning_of_a_2x2_matrix_is_closed_form(rho):
    # mu = 1 +- rho (class notes): radius |rho|, condition (1+|rho|)/(1-|rho|).
    h = 3.0 * np.array([[1.0, rho], [rho, 1.0]])
    result = diagonal_preconditioning(h)
    assert result.unit_step_radius == pytest.approx(abs(rho), abs=1e-12)
    expected = (1 + abs(rho)) / (1 - abs(rho))
    assert result.preconditioned_condition == pytest.approx(expected, rel=1e-12)
    assert result.condition == pytest.approx(expected, rel=1e-12)
    # ||offdiag||_F / ||H||_F = sqrt(2 rho^2) / sqrt(2 + 2 rho^2).
    share = abs(rho) / np.sqrt(1 + rho**2)
    assert result.off_diagonal == pytest.approx(share, rel=1e-12, abs=1e-15)


def test_diagonal_preconditioning_is_exact_for_diagonal_hessians():
    result = diagonal_preconditioning(np.diag([1.0, 100.0, 1e4]))
    assert result.preconditioned_condition == pytest.approx(1.0)
    assert result.unit_step_radius == pytest.approx(0.0, abs=1e-15)
    assert result.condition == pytest.approx(1e4)
    assert result.steps_to(1e-6) == 1.0


def test_diagonal_newton_radius_matches_a_slow_iteration():
    # Iterate e <- (I - D^{-1} H) e and compare the observed contraction.
    rng = np.random.default_rng(3)
    u = random_rotation(4, rng)
    h = (u * np.array([1.0, 2.0, 5.0, 20.0])) @ u.T
    result = diagonal_preconditioning(h)
    m = np.eye(4) - h / np.diag(h)[:, None]
    e = rng.standard_normal(4)
    for _ in range(400):
        e = m @ e
        e /= np.linalg.norm(e)
    observed = np.linalg.norm(m @ e)
    assert observed == pytest.approx(result.unit_step_radius, rel=1e-6)


def test_steps_to_is_infinite_when_the_iteration_diverges():
    h = np.full((3, 3), 0.9) + 0.1 * np.eye(3)  # mu_max = 2.8 > 2
    result = diagonal_preconditioning(h)
    assert result.unit_step_radius > 1.0
    assert result.steps_to(1e-6) == float("inf")
    assert np.isfinite(result.steps_to(1e-6, damped=True))
    with pytest.raises(ValueError, match="tolerance"):
        result.steps_to(0.0)


def test_diagonal_preconditioning_rejects_bad_matrices():
    with pytest.raises(ValueError, match="positive definite"):
        diagonal_preconditioning(np.diag([1.0, 0.0]))
    with pytest.raises(ValueError, match="symmetric"):
        diagonal_preconditioning([[1.0, 0.5], [0.0, 1.0]])
    with pytest.raises(ValueError, match="square"):
        off_diagonal_fraction(np.ones(3))
    with pytest.raises(ValueError, match="zero"):
        off_diagonal_fraction(np.zeros((2, 2)))


def test_coupled_rotation_is_orthogonal_and_starts_at_the_identity():
    for angle in (0.0, 0.3, 2.0):
        u = coupled_rotation(5, angle, np.random.default_rng(9))
        np.testing.assert_allclose(u @ u.T, np.eye(5), atol=1e-12)
        assert np.linalg.det(u) == pytest.approx(1.0)
    np.testing.assert_allclose(
        coupled_rotation(5, 0.0, np.random.default_rng(9)), np.eye(5), atol=1e-15
    )
    # Largest principal angle equals the requested one (spectral norm of K = 1).
    u = coupled_rotation(4, 0.4, np.random.default_rng(9))
    angles = np.abs(np.angle(np.linalg.eigvals(u)))
    assert np.max(angles) == pytest.approx(0.4, rel=1e-10)
    with pytest.raises(ValueError, match="angle"):
        coupled_rotation(3, -0.1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="dim"):
        coupled_rotation(1, 0.1, np.random.default_rng(0))
