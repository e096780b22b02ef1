"""Tests of analysis.projections against closed forms and scipy references."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import (
    Bounds,
    LinearConstraint,
    NonlinearConstraint,
    linprog,
    minimize,
)

from analysis.projections import Ball, Box, ConvexSet, Domain, Unconstrained

SEEDS = [0, 1, 2, 3]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def objective(x, y, w):
    """Weighted squared distance sum_i w_i (x_i - y_i)^2 along the last axis."""
    return np.sum(w * (x - y) ** 2, axis=-1)


def assert_not_worse_than_reference(domain, x, ref, y, w):
    """Our objective is at most the reference's, up to its infeasibility.

    The reference may violate the constraints slightly, which can lower its
    objective by about ``||grad f(ref)|| * violation``.
    """
    slack = np.linalg.norm(2 * w * (ref - y)) * float(domain.violation(ref))
    f_ref = objective(ref, y, w)
    assert objective(x, y, w) <= f_ref + 10 * slack + 1e-10 * (1 + f_ref)


def assert_close_to_reference(x, ref, w):
    """Points agree to ~1e-6 in the weighted norm (the one SLSQP controls).

    The reference pins down low-weight coordinates less tightly: an error of
    ``delta`` in the objective allows ``sqrt(delta / w_i)`` in coordinate i.
    """
    np.testing.assert_allclose(np.sqrt(w / w.max()) * (x - ref), 0.0, atol=1e-6)
    np.testing.assert_allclose(x, ref, atol=1e-5)


def spread_weights(rng, size, decades=4.0):
    """Positive weights spanning ``decades`` orders of magnitude."""
    return 10.0 ** rng.uniform(-decades / 2, decades / 2, size=size)


def scipy_projection(y, w, constraints=(), bounds=None):
    """Independent reference: SLSQP in the original variables."""
    wn = w / w.max()

    def fun(x):
        r = x - y
        return float(np.sum(wn * r * r)), 2.0 * wn * r

    x0 = y if bounds is None else np.clip(y, bounds.lb, bounds.ub)
    res = minimize(
        fun,
        x0,
        jac=True,
        method="SLSQP",
        constraints=list(constraints),
        bounds=bounds,
        options={"ftol": 1e-13, "maxiter": 1000},
    )
    # exit mode 8 is SLSQP's "cannot improve further" at tight ftol
    assert res.status in (0, 8), res.message
    return res.x


def ball_constraint(center, radius):
    center = np.asarray(center, dtype=float)
    return NonlinearConstraint(
        lambda x: np.sum((x - center) ** 2),
        -np.inf,
        radius**2,
        jac=lambda x: 2.0 * (x - center)[None, :],
    )


def random_ball(rng, dim):
    return Ball(rng.normal(size=dim), rng.uniform(0.5, 2.0))


def random_box(rng, dim):
    lower = rng.uniform(-2.0, 0.0, size=dim)
    return Box(lower, lower + rng.uniform(0.1, 3.0, size=dim))


def random_polytope(rng, dim, extra=3):
    """{x : A x <= b, -3 <= x <= 3} with 0 in its interior."""
    a = rng.normal(size=(dim + extra, dim))
    b = rng.uniform(0.5, 2.0, size=dim + extra)
    bounds = Bounds(np.full(dim, -3.0), np.full(dim, 3.0))
    con = LinearConstraint(a, -np.inf, b)
    return ConvexSet(con, bounds), con, bounds


def points_around(rng, n, dim, scale=3.0):
    return rng.normal(size=(n, dim)) * scale


# ---------------------------------------------------------------------------
# Box
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_box_projection_lies_in_box_and_is_the_clip_for_any_weights(seed):
    rng = np.random.default_rng(seed)
    box = random_box(rng, 6)
    y = points_around(rng, 200, 6)
    x = box.project(y, spread_weights(rng, y.shape, decades=8))
    assert np.all(box.contains(x))
    np.testing.assert_array_equal(x, np.clip(y, box.lower, box.upper))
    np.testing.assert_array_equal(box.violation(x), 0.0)


def test_box_projection_is_identity_inside_and_idempotent():
    rng = np.random.default_rng(10)
    box = random_box(rng, 4)
    inside = rng.uniform(box.lower, box.upper, size=(50, 4))
    w = spread_weights(rng, inside.shape)
    np.testing.assert_array_equal(box.project(inside, w), inside)
    x = box.project(points_around(rng, 50, 4), w)
    np.testing.assert_array_equal(box.project(x, w), x)


@pytest.mark.parametrize("seed", SEEDS)
def test_box_projection_matches_scipy_minimize(seed):
    rng = np.random.default_rng(100 + seed)
    for dim in (1, 2, 5, 10):
        box = random_box(rng, dim)
        y = points_around(rng, 1, dim)[0]
        w = spread_weights(rng, dim)
        ref = scipy_projection(y, w, bounds=Bounds(box.lower, box.upper))
        x = box.project(y, w)
        assert_not_worse_than_reference(box, x, ref, y, w)
        assert_close_to_reference(x, ref, w)


def test_box_batched_call_equals_row_by_row():
    rng = np.random.default_rng(11)
    box = random_box(rng, 3)
    y = points_around(rng, 24, 3).reshape(2, 4, 3, 3)
    w = spread_weights(rng, y.shape)
    x = box.project(y, w)
    assert x.shape == y.shape
    for idx in np.ndindex(y.shape[:-1]):
        np.testing.assert_array_equal(x[idx], box.project(y[idx], w[idx]))


@pytest.mark.parametrize("dim", [1, 2, 3, 5])
def test_box_linear_minimum_matches_vertex_enumeration(dim):
    rng = np.random.default_rng(20 + dim)
    box = random_box(rng, dim)
    c = rng.normal(size=(30, dim))
    c[0, 0] = 0.0  # a zero cost coordinate: lower bound by convention
    vertices = np.array(
        list(itertools.product(*zip(box.lower, box.upper, strict=True)))
    )
    value, xmin = box.linear_minimum(c)
    brute = (c @ vertices.T).min(axis=1)
    np.testing.assert_allclose(value, brute, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(np.sum(c * xmin, axis=-1), value, atol=1e-13)
    assert np.all(box.contains(xmin))
    assert xmin[0, 0] == box.lower[0]


def test_box_linear_minimum_matches_linprog():
    rng = np.random.default_rng(23)
    box = random_box(rng, 7)
    c = rng.normal(size=(10, 7))
    value, _ = box.linear_minimum(c)
    bounds = list(zip(box.lower, box.upper, strict=True))
    for ci, vi in zip(c, value, strict=True):
        res = linprog(ci, bounds=bounds, method="highs")
        assert res.status == 0
        assert vi == pytest.approx(res.fun, abs=1e-10)


def test_box_scalar_bounds_and_diameter_inf():
    box = Box(-1.0, 2.0, dim=3)
    assert box.dim == 3
    np.testing.assert_array_equal(box.lower, [-1.0] * 3)
    assert box.diameter_inf == 3.0
    assert Box([0.0, -1.0], [1.0, 4.0]).diameter_inf == 5.0
    assert "Box(" in repr(box)


# ---------------------------------------------------------------------------
# Ball
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_ball_projection_lies_in_ball(seed):
    rng = np.random.default_rng(seed)
    for dim in (1, 2, 7, 50):
        ball = random_ball(rng, dim)
        scales = 10.0 ** rng.uniform(-3, 6, size=(500, 1))
        y = ball.center + rng.normal(size=(500, dim)) * scales
        x = ball.project(y, spread_weights(rng, y.shape, decades=8))
        dist = np.linalg.norm(x - ball.center, axis=-1)
        assert np.all(dist <= ball.radius * (1 + 1e-12))
        assert np.all(ball.contains(x))


def test_ball_projection_is_identity_inside():
    rng = np.random.default_rng(30)
    ball = random_ball(rng, 5)
    direction = rng.normal(size=(100, 5))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    radii = ball.radius * rng.uniform(0, 1, size=(100, 1))
    y = ball.center + radii * direction
    np.testing.assert_array_equal(ball.project(y, spread_weights(rng, y.shape)), y)


@pytest.mark.parametrize("seed", SEEDS)
def test_ball_projection_is_idempotent(seed):
    rng = np.random.default_rng(40 + seed)
    ball = random_ball(rng, 6)
    y = ball.center + points_around(rng, 200, 6, scale=10.0)
    w = spread_weights(rng, y.shape, decades=6)
    x = ball.project(y, w)
    np.testing.assert_allclose(ball.project(x, w), x, rtol=0, atol=1e-14)


def test_ball_projection_with_equal_weights_is_radial_scaling():
    rng = np.random.default_rng(50)
    ball = random_ball(rng, 4)
    z = points_around(rng, 300, 4, scale=5.0)
    y = ball.center + z
    norm = np.linalg.norm(z, axis=1, keepdims=True)
    radial = ball.center + ball.radius * z / norm
    expected = np.where(norm > ball.radius, radial, y)
    for weights in (None, 1.0, 123.5, np.full(4, 1e-7)):
        np.testing.assert_allclose(
            ball.project(y, weights), expected, rtol=0, atol=1e-14
        )


def test_ball_projection_is_invariant_to_scaling_the_weights():
    rng = np.random.default_rng(51)
    ball = random_ball(rng, 5)
    y = ball.center + points_around(rng, 100, 5)
    w = spread_weights(rng, y.shape)
    np.testing.assert_allclose(
        ball.project(y, 1e6 * w), ball.project(y, w), rtol=0, atol=1e-14
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_ball_projection_matches_scipy_minimize(seed):
    rng = np.random.default_rng(60 + seed)
    for dim in range(1, 11):
        ball = random_ball(rng, dim)
        y = ball.center + rng.normal(size=dim) * 3.0
        w = spread_weights(rng, dim)
        ref = scipy_projection(
            y, w, constraints=[ball_constraint(ball.center, ball.radius)]
        )
        x = ball.project(y, w)
        assert_not_worse_than_reference(ball, x, ref, y, w)
        assert_close_to_reference(x, ref, w)


def test_ball_weighted_projection_differs_from_euclidean():
    ball = Ball([0.0, 0.0], 1.0)
    y = np.array([2.0, 2.0])
    euclid = ball.project(y)
    np.testing.assert_allclose(euclid, [2**-0.5, 2**-0.5], atol=1e-15)
    x = ball.project(y, [100.0, 1.0])
    # the heavy coordinate moves less: x_0 stays closer to y_0 = 2
    assert x[0] > euclid[0] + 0.2
    assert x[1] < euclid[1] - 0.2
    assert np.linalg.norm(x) == pytest.approx(1.0, abs=1e-15)
    w = np.array([100.0, 1.0])
    assert objective(x, y, w) < objective(euclid, y, w) - 1.0


@pytest.mark.parametrize("seed", SEEDS)
def test_ball_projection_satisfies_kkt_conditions(seed):
    # W (y - x) = mu (x - c) with mu >= 0 and ||x - c|| = r when y is outside
    rng = np.random.default_rng(70 + seed)
    ball = random_ball(rng, 8)
    y = ball.center + points_around(rng, 300, 8, scale=5.0)
    w = spread_weights(rng, y.shape, decades=10)
    x = ball.project(y, w)
    outside = np.linalg.norm(y - ball.center, axis=1) > ball.radius
    assert outside.sum() > 250
    offset = x[outside] - ball.center
    force = w[outside] * (y[outside] - x[outside])
    mu = np.sum(force * offset, axis=1) / np.sum(offset**2, axis=1)
    assert np.all(mu > 0)
    residual = np.linalg.norm(force - mu[:, None] * offset, axis=1)
    # rounding level of W (y - x): eps * ||W (|x| + |y|)||
    scale = np.linalg.norm(w[outside] * (np.abs(x) + np.abs(y))[outside], axis=1)
    assert np.all(residual <= 1e-13 * scale)
    np.testing.assert_allclose(np.linalg.norm(offset, axis=1), ball.radius, rtol=1e-14)


def test_ball_projection_converges_for_extreme_weights_and_distances():
    rng = np.random.default_rng(80)
    ball = Ball(rng.normal(size=5) * 1e3, 1e-3)
    y = ball.center + rng.normal(size=(200, 5)) * 10.0 ** rng.uniform(
        -3, 8, size=(200, 1)
    )
    w = spread_weights(rng, y.shape, decades=24)
    x = ball.project(y, w)
    assert np.all(np.isfinite(x))
    assert np.all(ball.contains(x))


def test_ball_batched_call_equals_row_by_row():
    rng = np.random.default_rng(90)
    ball = random_ball(rng, 3)
    y = ball.center + points_around(rng, 60, 3).reshape(3, 4, 5, 3)
    w = spread_weights(rng, y.shape)
    x = ball.project(y, w)
    assert x.shape == y.shape
    for idx in np.ndindex(y.shape[:-1]):
        np.testing.assert_allclose(
            x[idx], ball.project(y[idx], w[idx]), rtol=0, atol=1e-15
        )
    # weights broadcast along the batch axes
    np.testing.assert_array_equal(
        ball.project(y, w[0, 0, 0]),
        ball.project(y, np.broadcast_to(w[0, 0, 0], y.shape)),
    )


def test_ball_keeps_floating_dtype_and_converts_integers():
    ball = Ball([0.0, 0.0, 0.0], 1.0)
    y32 = np.array([[3.0, 4.0, 0.0]], dtype=np.float32)
    x32 = ball.project(y32, np.array([1.0, 2.0, 3.0]))
    assert x32.dtype == np.float32
    assert ball.contains(x32).all()
    assert ball.project([[3, 4, 0]]).dtype == np.float64
    assert ball.project(np.zeros((0, 3))).shape == (0, 3)


@pytest.mark.parametrize("seed", SEEDS)
def test_ball_linear_minimum_matches_scipy_minimize(seed):
    rng = np.random.default_rng(110 + seed)
    dim = 1 + seed * 3
    ball = random_ball(rng, dim)
    c = rng.normal(size=(3, dim))
    value, xmin = ball.linear_minimum(c)
    for ci, vi, xi in zip(c, value, xmin, strict=True):
        res = minimize(
            lambda x, ci=ci: (float(ci @ x), ci),
            ball.center,
            jac=True,
            method="SLSQP",
            constraints=[ball_constraint(ball.center, ball.radius)],
            options={"ftol": 1e-13},
        )
        # the SLSQP point may be slightly outside, lowering its value
        assert vi <= res.fun + np.linalg.norm(ci) * ball.violation(res.x) + 1e-12
        assert vi == pytest.approx(res.fun, abs=1e-7)
        np.testing.assert_allclose(xi, res.x, atol=1e-5)
        assert float(ci @ xi) == pytest.approx(vi, abs=1e-12)


def test_ball_linear_minimum_is_below_sampled_points_and_center_for_zero_cost():
    rng = np.random.default_rng(120)
    ball = random_ball(rng, 4)
    c = rng.normal(size=4)
    value, xmin = ball.linear_minimum(c)
    samples = ball.project(ball.center + points_around(rng, 2000, 4))
    assert value <= np.min(samples @ c) + 1e-12
    assert np.linalg.norm(xmin - ball.center) == pytest.approx(ball.radius)
    value0, xmin0 = ball.linear_minimum(np.zeros((2, 4)))
    np.testing.assert_allclose(value0, 0.0, atol=1e-15)
    np.testing.assert_array_equal(xmin0, np.broadcast_to(ball.center, (2, 4)))
    assert ball.diameter_inf == 2 * ball.radius


# ---------------------------------------------------------------------------
# ConvexSet
# ---------------------------------------------------------------------------


def test_convexset_polytope_projection_lies_in_set_identity_and_idempotent():
    rng = np.random.default_rng(130)
    poly, _, _ = random_polytope(rng, 4)
    y = points_around(rng, 20, 4, scale=4.0)
    w = spread_weights(rng, y.shape)
    x = poly.project(y, w)
    assert np.all(poly.contains(x, atol=1e-10))
    np.testing.assert_allclose(poly.project(x, w), x, rtol=0, atol=1e-9)
    inside = 0.1 * rng.uniform(-1, 1, size=(5, 4))
    assert np.all(poly.contains(inside))
    np.testing.assert_array_equal(poly.project(inside, w[:5]), inside)


@pytest.mark.parametrize("seed", SEEDS)
def test_convexset_polytope_projection_matches_scipy_minimize(seed):
    rng = np.random.default_rng(140 + seed)
    for dim in (1, 2, 4, 7, 10):
        poly, con, bounds = random_polytope(rng, dim)
        y = rng.normal(size=dim) * 4.0
        w = spread_weights(rng, dim)
        ref = scipy_projection(y, w, constraints=[con], bounds=bounds)
        x = poly.project(y, w)
        assert_not_worse_than_reference(poly, x, ref, y, w)
        assert_close_to_reference(x, ref, w)


def test_convexset_with_box_constraints_reproduces_box_clip():
    rng = np.random.default_rng(150)
    box = random_box(rng, 5)
    as_set = ConvexSet(LinearConstraint(np.eye(5), box.lower, box.upper))
    y = points_around(rng, 10, 5)
    w = spread_weights(rng, y.shape)
    np.testing.assert_allclose(as_set.project(y, w), box.project(y, w), atol=1e-12)
    assert as_set.diameter_inf == pytest.approx(box.diameter_inf, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_convexset_nonlinear_ball_matches_exact_ball(seed):
    rng = np.random.default_rng(160 + seed)
    for dim in (1, 3, 6, 10):
        ball = random_ball(rng, dim)
        as_set = ConvexSet(ball_constraint(ball.center, ball.radius), dim=dim)
        y = ball.center + points_around(rng, 3, dim)
        w = spread_weights(rng, y.shape)
        x = as_set.project(y, w)
        np.testing.assert_allclose(x, ball.project(y, w), atol=1e-6)
        assert np.all(as_set.contains(x, atol=as_set.feasibility_tol))
        exact = objective(ball.project(y, w), y, w)
        np.testing.assert_allclose(objective(x, y, w), exact, rtol=1e-7)


def test_convexset_batched_call_equals_row_by_row():
    rng = np.random.default_rng(170)
    poly, _, _ = random_polytope(rng, 3)
    y = points_around(rng, 6, 3).reshape(2, 3, 3)
    w = spread_weights(rng, y.shape)
    x = poly.project(y, w)
    for idx in np.ndindex(y.shape[:-1]):
        np.testing.assert_allclose(
            x[idx], poly.project(y[idx], w[idx]), rtol=0, atol=1e-12
        )


def vertices_of(a, b):
    """All vertices of {x : a x <= b} by enumerating active sets."""
    m, dim = a.shape
    found = []
    for rows in itertools.combinations(range(m), dim):
        sub = a[list(rows)]
        if abs(np.linalg.det(sub)) < 1e-10:
            continue
        v = np.linalg.solve(sub, b[list(rows)])
        if np.all(a @ v <= b + 1e-9):
            found.append(v)
    return np.array(found)


@pytest.mark.parametrize("dim", [2, 3])
def test_convexset_linear_minimum_matches_vertex_enumeration(dim):
    rng = np.random.default_rng(180 + dim)
    poly, con, bounds = random_polytope(rng, dim, extra=2)
    a = np.vstack([con.A, np.eye(dim), -np.eye(dim)])
    b = np.concatenate([con.ub, bounds.ub, -bounds.lb])
    vertices = vertices_of(a, b)
    c = rng.normal(size=(8, dim))
    value, xmin = poly.linear_minimum(c)
    np.testing.assert_allclose(value, (c @ vertices.T).min(axis=1), atol=1e-9)
    assert np.all(poly.contains(xmin, atol=1e-9))
    span = vertices.max(axis=0) - vertices.min(axis=0)
    assert poly.diameter_inf == pytest.approx(span.max(), abs=1e-9)


def test_convexset_nonlinear_linear_minimum_matches_ball_closed_form():
    rng = np.random.default_rng(190)
    ball = random_ball(rng, 4)
    as_set = ConvexSet(ball_constraint(ball.center, ball.radius), dim=4)
    c = rng.normal(size=(3, 4))
    value, xmin = as_set.linear_minimum(c)
    ref_value, ref_x = ball.linear_minimum(c)
    np.testing.assert_allclose(value, ref_value, atol=1e-7)
    np.testing.assert_allclose(xmin, ref_x, atol=1e-5)
    assert np.isnan(as_set.diameter_inf)
    assert ConvexSet(
        ball_constraint(ball.center, ball.radius), dim=4, diameter_inf=3.0
    ).diameter_inf == pytest.approx(3.0)


def test_convexset_unbounded_halfspace_has_infinite_diameter_and_minimum():
    half = ConvexSet(LinearConstraint([[1.0, 1.0]], -np.inf, 1.0))
    assert half.diameter_inf == np.inf
    value, xmin = half.linear_minimum([[1.0, 0.0], [-1.0, -1.0]])
    assert value[0] == -np.inf
    assert np.all(np.isnan(xmin[0]))
    assert value[1] == pytest.approx(-1.0)
    x = half.project([[3.0, 1.0]], [[1.0, 3.0]])
    # KKT: W (y - x) = lam (1, 1) and x1 + x2 = 1 give lam = 9/4
    np.testing.assert_allclose(x, [[0.75, 0.25]], rtol=0, atol=1e-14)


def test_convexset_accepts_bounds_as_pairs_and_infers_dim():
    cs = ConvexSet([], bounds=[(0.0, 1.0), (None, 2.0)])
    assert cs.dim == 2
    np.testing.assert_allclose(cs.project([5.0, 5.0]), [1.0, 2.0])
    assert cs.diameter_inf == np.inf


# ---------------------------------------------------------------------------
# Unconstrained
# ---------------------------------------------------------------------------


def test_unconstrained_projection_is_identity_copy():
    space = Unconstrained(3)
    y = np.arange(6.0).reshape(2, 3)
    x = space.project(y, np.ones(3))
    np.testing.assert_array_equal(x, y)
    assert x is not y and not np.shares_memory(x, y)
    assert space.contains(y).all()
    assert space.diameter_inf == np.inf
    value, xmin = space.linear_minimum([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    np.testing.assert_array_equal(value, [0.0, -np.inf])
    np.testing.assert_array_equal(xmin[0], 0.0)
    assert np.all(np.isnan(xmin[1]))


@pytest.mark.parametrize(
    "domain",
    [Box(-1.0, 1.0, dim=2), Ball([0.0, 0.0], 1.0), Unconstrained(2)],
    ids=["box", "ball", "unconstrained"],
)
def test_all_domains_are_domains_and_never_return_the_input(domain):
    assert isinstance(domain, Domain)
    y = np.array([[0.1, 0.2]])
    x = domain.project(y)
    assert not np.shares_memory(x, y)
    assert domain.contains(y).shape == (1,)


# ---------------------------------------------------------------------------
# check_point and bad input
# ---------------------------------------------------------------------------


def test_check_point_names_the_argument_and_the_domain():
    ball = Ball([0.0, 0.0], 1.0)
    np.testing.assert_array_equal(ball.check_point([0.6, 0.8], "theta0"), [0.6, 0.8])
    with pytest.raises(ValueError, match=r"theta0 lies outside the domain Ball\("):
        ball.check_point([[0.0, 0.0], [2.0, 0.0]], "theta0")
    with pytest.raises(ValueError, match="theta0 must be finite"):
        ball.check_point([np.nan, 0.0], "theta0")
    with pytest.raises(ValueError, match=r"theta0 must have shape \(\.\.\., 2\)"):
        ball.check_point([0.0, 0.0, 0.0], "theta0")


BALL = Ball([0.0, 0.0, 0.0], 1.0)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: BALL.project([1.0, 2.0]), r"y must have shape \(\.\.\., 3\)"),
        (lambda: BALL.project(1.0), r"y must have shape"),
        (lambda: BALL.project([np.nan, 0.0, 0.0]), "y must be finite"),
        (lambda: BALL.project([np.inf, 0.0, 0.0]), "y must be finite"),
        (
            lambda: BALL.project([1.0, 1.0, 1.0], [1.0, -1.0, 1.0]),
            "weights must be positive and finite, got min -1",
        ),
        (
            lambda: BALL.project([1.0, 1.0, 1.0], 0.0),
            "weights must be positive and finite, got min 0",
        ),
        (
            lambda: BALL.project([1.0, 1.0, 1.0], [1.0, np.inf, 1.0]),
            "weights must be positive and finite",
        ),
        (
            lambda: BALL.project(np.zeros((4, 3)), np.ones(4)),
            r"weights with shape \(4,\) does not broadcast",
        ),
        (
            lambda: BALL.project(np.zeros(3), np.ones((2, 3))),
            "weights with shape",
        ),
        (lambda: BALL.project([1j, 0, 0]), "y must be a real-valued array"),
        (lambda: BALL.contains([0.0, 0.0, 0.0], atol=-1.0), "atol must be"),
        (lambda: BALL.linear_minimum([np.nan, 0, 0]), "c must be finite"),
        (lambda: Ball([0.0, 0.0], 0.0), "radius must be positive and finite"),
        (lambda: Ball([0.0, 0.0], np.inf), "radius must be positive and finite"),
        (lambda: Ball([0.0, np.nan], 1.0), "center must be finite"),
        (lambda: Ball(0.0, 1.0), "dim is required"),
        (lambda: Ball([0.0, 0.0], 1.0, dim=3), r"center must have shape \(3,\)"),
        (lambda: Box([0.0, 1.0], [1.0, 0.0]), "lower must be <= upper"),
        (lambda: Box([0.0, -np.inf], 1.0), "lower must be finite"),
        (lambda: Box(0.0, [1.0, np.nan]), "upper must be finite"),
        (lambda: Box(0.0, 1.0), "dim is required"),
        (lambda: Box([0.0, 0.0], [1.0, 1.0, 1.0]), "same shape"),
        (lambda: Box(0.0, 1.0, dim=0), "dim must be a positive integer"),
        (lambda: Unconstrained(0), "dim must be a positive integer"),
        (
            lambda: ConvexSet(LinearConstraint([[1.0, 1.0]], 2.0, 1.0)),
            r"constraints\[0\]: lb must be <= ub",
        ),
        (
            lambda: ConvexSet(
                LinearConstraint([[1.0, 0.0], [1.0, 0.0]], [1.0, -np.inf], [2.0, 0.0])
            ),
            "empty set",
        ),
        (
            lambda: ConvexSet(NonlinearConstraint(np.sum, 0.0, 1.0)),
            "dim is required",
        ),
        (
            lambda: ConvexSet(LinearConstraint(np.eye(2), 0.0, 1.0), dim=3),
            "inconsistent dimensions",
        ),
        (
            lambda: ConvexSet(LinearConstraint(np.eye(2), 0.0, 1.0), diameter_inf=-1),
            "diameter_inf must be a non-negative number",
        ),
        (
            lambda: ConvexSet(LinearConstraint(np.eye(2), 0.0, 1.0), tol=0.0),
            r"tol must be a number in \(0, 1\)",
        ),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_non_constraint_objects_raise_type_error():
    with pytest.raises(TypeError, match=r"constraints\[0\] must be"):
        ConvexSet([{"type": "ineq", "fun": np.sum}], dim=2)


def test_projection_does_not_clip_bad_input_silently():
    box = Box(-1.0, 1.0, dim=2)
    with pytest.raises(ValueError, match="y must be finite"):
        box.project([np.inf, 0.0])
