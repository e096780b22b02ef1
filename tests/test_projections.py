"""Tests of analysis.projections against closed forms and scipy references."""

from __future__ import annotations

import decimal
import itertools
import math
from fractions import Fraction

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
        (lambda: BALL.project([1j, 0, 0]), "y must be a real number or array"),
        (
            lambda: BALL.contains([0.0, 0.0, 0.0], atol=-1.0),
            r"atol must lie in \[0, inf\)",
        ),
        (lambda: BALL.linear_minimum([np.nan, 0, 0]), "c must be finite"),
        (lambda: Ball([0.0, 0.0], 0.0), r"radius must lie in \(0, inf\)"),
        (lambda: Ball([0.0, 0.0], np.inf), r"radius must lie in \(0, inf\)"),
        (lambda: Ball([0.0, np.nan], 1.0), "center must be finite"),
        (lambda: Ball(0.0, 1.0), "dim is required"),
        (lambda: Ball([0.0, 0.0], 1.0, dim=3), r"center must have shape \(3,\)"),
        (lambda: Box([0.0, 1.0], [1.0, 0.0]), "lower must be <= upper"),
        (lambda: Box([0.0, -np.inf], 1.0), "lower must be finite"),
        (lambda: Box(0.0, [1.0, np.nan]), "upper must be finite"),
        (lambda: Box(0.0, 1.0), "dim is required"),
        (lambda: Box([0.0, 0.0], [1.0, 1.0, 1.0]), "same shape"),
        (lambda: Box(0.0, 1.0, dim=0), "dim must be an integer >= 1"),
        (lambda: Unconstrained(0), "dim must be an integer >= 1"),
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
            r"diameter_inf must lie in \[0, inf\]",
        ),
        (
            lambda: ConvexSet(LinearConstraint(np.eye(2), 0.0, 1.0), tol=0.0),
            r"tol must lie in \(0, 1\)",
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


# ---------------------------------------------------------------------------
# huge and tiny magnitudes (no overflow or underflow for finite input)
# ---------------------------------------------------------------------------


def decimal_ball_projection(center, radius, y, weights=None):
    """Weighted projection onto a ball in 80-digit decimal arithmetic.

    An independent reference for :meth:`Ball.project`: the inputs are
    converted exactly to :class:`decimal.Decimal` (whose exponent range has
    no practical limit), ``z = y - c`` is formed to 80 digits and the
    secular equation ``sum_i (w_i z_i / (w_i + mu))**2 = r**2`` is solved by
    plain bisection on ``mu`` (400 halvings of the bracket
    ``[w_min, w_max] (||z|| / r - 1)``); the result is rounded once to float.
    """
    with decimal.localcontext() as ctx:
        ctx.prec = 80
        ctx.Emax = 10**6
        ctx.Emin = -(10**6)
        dec = decimal.Decimal
        c = [dec(float(v)) for v in center]
        z = [dec(float(v)) - ci for v, ci in zip(y, c, strict=True)]
        r = dec(float(radius))
        if weights is None:
            w = [dec(1)] * len(z)
        else:
            w = [dec(float(v)) for v in np.broadcast_to(weights, len(z))]
        norm = sum(zi * zi for zi in z).sqrt()
        if norm <= r:
            return np.array([float(v) for v in y])

        def radius_of(mu):
            return sum(
                (wi * zi / (wi + mu)) ** 2 for wi, zi in zip(w, z, strict=True)
            ).sqrt()

        lo = min(w) * (norm / r - 1)
        hi = max(w) * (norm / r - 1)
        for _ in range(400):
            mid = (lo + hi) / 2
            if radius_of(mid) > r:
                lo = mid
            else:
                hi = mid
        mu = (lo + hi) / 2
        return np.array(
            [
                float(ci + wi * zi / (wi + mu))
                for ci, wi, zi in zip(c, w, z, strict=True)
            ]
        )


HUGE_AND_TINY = [
    # the reviewer's case: ||y|| / r ~ 1.4e308 used to give [0, 0]
    ([0.0, 0.0], 1.0, [1e308, 1e308]),
    ([0.0, 0.0], 1.0, [1.7e308, -1.7e308]),  # ||y|| itself overflows
    ([0.0, 0.0, 0.0], 1.0, [1e200, -3e199, 5e150]),
    ([0.0, 0.0], 1.0, [1e160, -1e160 / 3]),
    ([1.0, -2.0], 3.0, [4e145, 1e146]),  # around the former underflow
    ([0.0, 0.0], 1.0, [2.0**128, 2.0**127]),  # around the scaling threshold
    ([0.0, 0.0], 1.0, [2.0**129, -(2.0**126)]),
    ([0.0, 0.0], 1e300, [1e308, 1e308]),
    ([0.0, 0.0, 0.0], 1e-300, [1e300, 2e300, -1e300]),  # ||y|| / r ~ 1e600
    ([-1e308, 1e308], 1e307, [1e308, -1e308]),  # y - c overflows
    ([1e308, -1e308], 2e307, [-1.5e308, 1.5e308]),
    # tiny points near a tiny ball at the origin
    ([0.0, 0.0], 1e-300, [3e-300, -4e-300]),
    ([1e-300, 0.0], 1e-301, [5e-300, 2e-300]),
    ([0.0, 0.0], 1e-305, [1e-300, 1e-300]),
    ([0.0, 0.0], 1.0, [1e-300, 1e-300]),  # inside: returned unchanged
]


@pytest.mark.parametrize(("center", "radius", "y"), HUGE_AND_TINY)
@pytest.mark.parametrize(
    "weights", [None, [1.0, 2.0, 3.0], [1e-3, 2.0, 1.0], [1e-8, 1.0, 1e8]]
)
def test_ball_projection_of_huge_and_tiny_points_matches_decimal_reference(
    center, radius, y, weights
):
    ball = Ball(center, radius)
    w = None if weights is None else np.array(weights[: ball.dim])
    x = ball.project(y, w)
    ref = decimal_ball_projection(center, radius, y, w)
    assert np.all(np.isfinite(x))
    # a few ulps of the ball's size; subnormal results to their spacing
    tol = 8 * np.finfo(float).eps * (np.abs(ball.center) + radius) + 1e-322
    np.testing.assert_array_less(np.abs(x - ref), tol)
    assert np.all(ball.contains(x))


def test_ball_projection_of_huge_points_reviewer_case():
    x = Ball(0, 1, dim=2).project([1e308, 1e308])
    np.testing.assert_allclose(x, [math.sqrt(0.5)] * 2, rtol=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("decades", [(0, 300), (140, 170)])
def test_ball_projection_over_all_scales_matches_decimal_reference(seed, decades):
    # distances ||y - c|| / r from 1 to 1e300 (||y|| up to 1e308), across the
    # scaling threshold 2**128;
    # around 1e160 the squared terms ~ (r / ||y - c||)**2 used to underflow
    rng = np.random.default_rng(200 + seed)
    dim = 1 + seed
    for _ in range(15):
        ratio = 10.0 ** rng.uniform(*decades)
        radius = 10.0 ** rng.uniform(-300, 305 - math.log10(ratio))
        ball = Ball(radius * rng.normal(size=dim), radius)  # offsets visible in x
        distance = radius * ratio
        y = ball.center + distance * rng.normal(size=dim)
        w = spread_weights(rng, dim, decades=12)
        ref = decimal_ball_projection(ball.center, ball.radius, y, w)
        tol = 8 * np.finfo(float).eps * (np.abs(ball.center) + ball.radius)
        np.testing.assert_array_less(np.abs(ball.project(y, w) - ref), tol)


def test_ball_projection_is_exactly_equivariant_under_power_of_two_scaling():
    # y -> 2**k y, c -> 2**k c, r -> 2**k r is exact in binary floating point,
    # so the projections must agree bit for bit, on both sides of the
    # 2**128 threshold of ||y - c|| / r
    rng = np.random.default_rng(210)
    center = rng.normal(size=4)
    y = center + rng.normal(size=(300, 4)) * 10.0 ** rng.uniform(0, 80, (300, 1))
    w = spread_weights(rng, y.shape, decades=10)
    x = Ball(center, 0.75).project(y, w)
    for k in (-200, 300):
        scaled = Ball(np.ldexp(center, k), np.ldexp(0.75, k))
        np.testing.assert_array_equal(scaled.project(np.ldexp(y, k), w), np.ldexp(x, k))


def test_ball_violation_beyond_the_float_range_is_inf_not_nan():
    ball = Ball([-1e308, 1e308], 1.0)
    far = [[1e308, -1e308], [-1e308, 1e308]]
    np.testing.assert_array_equal(ball.violation(far), [np.inf, 0.0])
    np.testing.assert_array_equal(ball.contains(far), [False, True])
    with pytest.raises(ValueError, match="theta0 lies outside the domain"):
        ball.check_point(far[0], "theta0")
    # a huge ball: the membership tolerance must stay finite
    big = Ball([1e308, 1e308], 1e308)
    assert not big.contains([1e300, -1e308])
    assert big.contains([1e308, 1e308])


def test_box_projection_and_violation_of_huge_points():
    # the projection is a clip (no arithmetic); the violation may exceed the
    # largest float, which is reported as inf, never nan
    box = Box([-1e308, 1e308], [-1e308, 1.5e308])
    y = np.array([[1.7e308, -1.7e308], [-1e308, 1.2e308]])
    np.testing.assert_array_equal(box.project(y), [[-1e308, 1e308], [-1e308, 1.2e308]])
    np.testing.assert_array_equal(box.violation(y), [np.inf, 0.0])
    np.testing.assert_array_equal(box.contains(y), [False, True])


def exact_to_float(value):
    """Round a Fraction to float, with +-inf beyond the largest float."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


@pytest.mark.parametrize(
    ("lower", "upper", "c"),
    [
        ([1e10, -1e10], [1e10, -1e10], [1e308, 1e308]),  # inf - inf = nan before
        ([1e10, -1e10], [1e10, -1e10], [1e308, -1e308]),  # the sum overflows
        ([-1e300, 1e300], [1e300, 1e300], [-1e10, 1e10]),
        ([0.0, -1.0], [1.0, 2.0], [3.0, -0.5]),
    ],
)
def test_box_linear_minimum_does_not_overflow_in_products(lower, upper, c):
    box = Box(lower, upper)
    value, xmin = box.linear_minimum(c)
    exact = sum(
        min(Fraction(ci) * Fraction(lo), Fraction(ci) * Fraction(hi))
        for ci, lo, hi in zip(c, lower, upper, strict=True)
    )
    assert value == exact_to_float(exact)
    np.testing.assert_array_equal(xmin, np.where(np.array(c) < 0, upper, lower))


@pytest.mark.parametrize(
    ("center", "radius", "c"),
    [
        ([1e10, -1e10], 1e-10, [1e308, 1e308]),  # <c, c0> was inf - inf
        ([1e10, -1e10], 1e-10, [1.5e308, 1.5e308]),  # ||c|| overflows
        ([0.0, 0.0], 1e-10, [1.5e308, 1.5e308]),  # minimizer was c0
        ([0.0, 0.0], 1e10, [1e300, 1e300]),  # r * c overflows; value -inf
        ([1e10, -1e10], 1e-10, [1e290, 3e289]),  # no overflow at all
    ],
)
def test_ball_linear_minimum_does_not_overflow_in_products(center, radius, c):
    ball = Ball(center, radius)
    value, xmin = ball.linear_minimum(c)
    # reference in 80-digit decimals (exact inputs, unbounded exponents)
    with decimal.localcontext() as ctx:
        ctx.prec = 80
        ctx.Emax = 10**6
        ctx.Emin = -(10**6)
        cd = [decimal.Decimal(v) for v in c]
        norm = sum(v * v for v in cd).sqrt()
        inner = sum(ci * decimal.Decimal(v) for ci, v in zip(cd, center, strict=True))
        expected = float(inner - decimal.Decimal(radius) * norm)  # inf if too big
        unit = np.array([float(v / norm) for v in cd])
    assert value == pytest.approx(expected, rel=1e-14)
    np.testing.assert_allclose(xmin, np.array(center) - radius * unit, rtol=1e-15)
    assert ball.contains(xmin)


# ---------------------------------------------------------------------------
# booleans, strings and other non-numbers
# ---------------------------------------------------------------------------

BOX = Box(0.0, 1.0, dim=2)
LINEAR = LinearConstraint(np.eye(2), 0.0, 1.0)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: Box(True, 2, dim=2), "lower"),
        (lambda: Box(0.0, True, dim=2), "upper"),
        (lambda: Box([False, False], [True, True]), "lower"),
        (lambda: Box([True, 0.0], [2.0, 2.0]), "lower"),
        (lambda: Box("0", 1.0, dim=2), "lower"),
        (lambda: Box(0.0, [1.0, None]), "upper"),
        (lambda: BOX.project([True, False]), "y"),
        (lambda: BOX.project([1, False]), "y"),
        (lambda: BOX.project(["0.5", "0.5"]), "y"),
        (lambda: BOX.project(np.array([0.5, 0.5], dtype=object)), "y"),
        (lambda: BOX.project([0.5, 0.5], weights=[True, True]), "weights"),
        (lambda: BOX.project([0.5, 0.5], weights=[True, 2.0]), "weights"),
        (lambda: BOX.project([0.5, 0.5], weights="1"), "weights"),
        (lambda: BOX.project([0.5, 0.5], weights=np.array([1, 2], object)), "weights"),
        (lambda: BOX.violation([True, 0.5]), "x"),
        (lambda: BOX.linear_minimum([False, 1.0]), "c"),
        (lambda: BOX.check_point([0.5, True], "theta0"), "theta0"),
        (lambda: Ball(0, "2", dim=2), "radius"),
        (lambda: Ball(0, True, dim=2), "radius"),
        (lambda: Ball(0, [1.0], dim=2), "radius"),
        (lambda: Ball(0, None, dim=2), "radius"),
        (lambda: Ball([True, 0.0], 1.0), "center"),
        (lambda: Ball("0", 1.0, dim=2), "center"),
        (lambda: BOX.contains([0.5, 0.5], atol="5"), "atol"),
        (lambda: BOX.contains([0.5, 0.5], atol=True), "atol"),
        (lambda: BOX.contains([0.5, 0.5], atol=np.inf), "atol"),
        (lambda: BOX.contains([0.5, 0.5], atol=np.nan), "atol"),
        (lambda: BOX.contains([0.5, 0.5], atol=[1e-3]), "atol"),
        (lambda: BOX.check_point([0.5, 0.5], atol=np.inf), "atol"),
        (lambda: BOX.check_point([0.5, 0.5], atol="0"), "atol"),
        (lambda: Box(0.0, 1.0, dim=True), "dim"),
        (lambda: Box(0.0, 1.0, dim=2.0), "dim"),
        (lambda: Unconstrained("3"), "dim"),
        (lambda: ConvexSet(LINEAR, tol="1e-9"), "tol"),
        (lambda: ConvexSet(LINEAR, tol=True), "tol"),
        (lambda: ConvexSet(LINEAR, feasibility_tol="1e-9"), "feasibility_tol"),
        (lambda: ConvexSet(LINEAR, feasibility_tol=1.0), "feasibility_tol"),
        (lambda: ConvexSet(LINEAR, diameter_inf="3"), "diameter_inf"),
        (lambda: ConvexSet(LINEAR, diameter_inf=True), "diameter_inf"),
        (lambda: ConvexSet(LINEAR, diameter_inf=np.nan), "diameter_inf"),
        (lambda: ConvexSet(LINEAR, maxiter=True), "maxiter"),
        (lambda: ConvexSet(LINEAR, maxiter=5.0), "maxiter"),
        (lambda: ConvexSet(LINEAR, maxiter=np.int64(0)), "maxiter"),
        (lambda: ConvexSet(bounds=[(True, 2), (0, 1)]), r"bounds\[0\]\[0\]"),
        (lambda: ConvexSet(bounds=[(0, 1), (0, "2")]), r"bounds\[1\]\[1\]"),
        (lambda: ConvexSet(bounds=[(0, 1), (0, [2])]), r"bounds\[1\]\[1\]"),
        (lambda: ConvexSet(bounds=[(0, 1, 2)]), r"bounds\[0\] must be a \(low, high\)"),
        (lambda: ConvexSet(bounds=[0.0, 1.0]), r"bounds\[0\] must be a \(low, high\)"),
        (lambda: ConvexSet(bounds="01"), "bounds"),
        (lambda: ConvexSet(bounds=Bounds([True, False], [2, 3])), r"bounds\.lb"),
        (lambda: ConvexSet(bounds=Bounds(0, "1"), dim=2), r"bounds\.ub"),
        (lambda: ConvexSet(bounds=Bounds(None, 1), dim=2), r"bounds\.lb"),
        (
            lambda: ConvexSet(NonlinearConstraint(np.sum, "0", 1.0), dim=2),
            r"constraints\[0\]\.lb",
        ),
        (
            lambda: ConvexSet(NonlinearConstraint(np.sum, 0.0, True), dim=2),
            r"constraints\[0\]\.ub",
        ),
    ],
)
def test_non_numbers_are_refused_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_atol_must_be_finite_so_that_far_points_are_not_inside():
    ball = Ball([0.0, 0.0], 1.0)
    assert not ball.contains([1e300, 0.0], atol=1e10)
    with pytest.raises(ValueError, match=r"atol must lie in \[0, inf\)"):
        ball.contains([1e300, 0.0], atol=np.inf)
    # numpy scalars and zero are fine
    assert ball.contains([1.0, 0.0], atol=np.float32(0.0))


def test_bounds_of_the_wrong_type_raise_type_error():
    with pytest.raises(TypeError, match="bounds must be"):
        ConvexSet(bounds=5, dim=2)


def test_convexset_accepts_numpy_integers_for_maxiter_and_dim():
    cs = ConvexSet(LINEAR, maxiter=np.int64(5), dim=np.int32(2))
    assert cs.maxiter == 5 and type(cs.maxiter) is int
    assert cs.dim == 2
    np.testing.assert_allclose(cs.project([2.0, -1.0]), [1.0, 0.0], atol=1e-12)


def test_convexset_broadcasts_scalar_bounds_like_scipy():
    # Bounds(0, 1) stores lb = [0], ub = [1]; scipy broadcasts them to x
    cs = ConvexSet(bounds=Bounds(0.0, 1.0), dim=2)
    assert cs.dim == 2
    np.testing.assert_array_equal(cs.lb, [0.0, 0.0])
    np.testing.assert_array_equal(cs.ub, [1.0, 1.0])
    np.testing.assert_array_equal(cs.project([3.0, -1.0]), [1.0, 0.0])
    assert cs.diameter_inf == pytest.approx(1.0)
    # one scalar side, dimension from the other side or from a constraint
    cs = ConvexSet(bounds=Bounds([0.0, -1.0, 0.0], 1.0))
    assert cs.dim == 3
    np.testing.assert_array_equal(cs.ub, [1.0, 1.0, 1.0])
    cs = ConvexSet(LinearConstraint([[1.0, 1.0]], -np.inf, 1.0), Bounds(-2.0, 0.75))
    np.testing.assert_array_equal(cs.lb, [-2.0, -2.0])
    np.testing.assert_array_equal(cs.ub, [0.75, 0.75])
    # without any other source of the dimension, Bounds(0, 1) is 1-D
    assert ConvexSet(bounds=Bounds(0.0, 1.0)).dim == 1
    # lengths that really disagree are reported with their names
    with pytest.raises(ValueError, match=r"dim = 3 but len\(bounds\.lb\) = 2"):
        ConvexSet(bounds=Bounds([0.0, 0.0], 1.0), dim=3)
    with pytest.raises(ValueError, match=r"dim = 3 but len\(bounds\) = 2"):
        ConvexSet(bounds=[(0, 1), (0, 1)], dim=3)
