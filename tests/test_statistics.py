"""Tests of analysis.statistics: t intervals and log-log power-law fits."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from analysis.statistics import MeanCI, PowerLawFit, fit_power_law, mean_ci


def binomial_tolerance(p: float, trials: int, sigmas: float = 4.0) -> float:
    """Half width of a ``sigmas``-sigma band for a binomial proportion."""
    return sigmas * math.sqrt(p * (1.0 - p) / trials)


# --------------------------------------------------------------------------
# mean_ci


def test_mean_ci_matches_textbook_formula() -> None:
    samples = np.array([2.1, 1.7, 3.4, 2.9, 2.2, 1.8, 2.6])
    n = samples.size
    mean = samples.sum() / n
    s = math.sqrt(((samples - mean) ** 2).sum() / (n - 1))
    sem = s / math.sqrt(n)
    t = stats.t.ppf(0.975, n - 1)

    ci = mean_ci(samples)

    assert isinstance(ci, MeanCI)
    assert ci.n == n
    assert ci.level == 0.95
    assert ci.mean == pytest.approx(mean, rel=1e-14)
    assert ci.sem == pytest.approx(sem, rel=1e-12)
    assert ci.half_width == pytest.approx(t * sem, rel=1e-12)
    assert ci.low == pytest.approx(mean - t * sem, rel=1e-12)
    assert ci.high == pytest.approx(mean + t * sem, rel=1e-12)


@pytest.mark.parametrize("level", [0.5, 0.9, 0.95, 0.99])
def test_mean_ci_matches_scipy_t_interval(level: float) -> None:
    rng = np.random.default_rng(7)
    samples = rng.normal(3.0, 2.0, size=12)
    ci = mean_ci(samples, level=level)
    low, high = stats.t.interval(
        level, samples.size - 1, loc=samples.mean(), scale=stats.sem(samples)
    )
    assert ci.low == pytest.approx(low, rel=1e-12)
    assert ci.high == pytest.approx(high, rel=1e-12)
    assert ci.level == level


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_mean_ci_over_an_axis_of_an_nd_array(axis: int) -> None:
    rng = np.random.default_rng(11)
    samples = rng.normal(size=(4, 5, 6))
    ci = mean_ci(samples, axis=axis)
    moved = np.moveaxis(samples, axis, -1)
    assert ci.n == samples.shape[axis]
    assert isinstance(ci.low, np.ndarray)
    assert ci.low.shape == moved.shape[:-1]
    for index in np.ndindex(moved.shape[:-1]):
        one = mean_ci(moved[index])
        assert ci.mean[index] == pytest.approx(one.mean, rel=1e-12)
        assert ci.low[index] == pytest.approx(one.low, rel=1e-12)
        assert ci.high[index] == pytest.approx(one.high, rel=1e-12)


def test_mean_ci_results_are_plain_floats_and_read_only_arrays() -> None:
    assert type(mean_ci([1.0, 2.0, 4.0]).mean) is float
    ci = mean_ci(np.ones((3, 2)) + np.arange(3)[:, None])
    assert isinstance(ci.mean, np.ndarray)
    with pytest.raises(ValueError):
        ci.mean[0] = 0.0
    with pytest.raises(AttributeError):
        ci.n = 4  # type: ignore[misc]


def test_covers_gives_a_bool_array() -> None:
    ci = mean_ci([1.0, 2.0, 3.0])
    assert ci.covers(2.0).dtype == np.bool_
    assert ci.covers(2.0).shape == ()
    assert bool(ci.covers(ci.low)) and bool(ci.covers(ci.high))
    assert not bool(ci.covers(ci.high + 1e-9))
    np.testing.assert_array_equal(
        ci.covers([-10.0, 2.0, 10.0]), np.array([False, True, False])
    )
    wide = mean_ci([[0.0, 0.0], [1.0, 10.0], [2.0, 20.0]], axis=0)
    np.testing.assert_array_equal(wide.covers(5.0), np.array([False, True]))


@pytest.mark.parametrize(
    "value", ["2", None, True, np.bool_(False), 2 + 0j, math.nan, ["1", "2"]]
)
def test_covers_rejects_non_numbers(value: object) -> None:
    ci = mean_ci([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"^value must"):
        ci.covers(value)  # type: ignore[arg-type]


def test_covers_rejects_values_that_do_not_broadcast() -> None:
    ci = mean_ci([[0.0, 0.0], [1.0, 10.0], [2.0, 20.0]], axis=0)
    with pytest.raises(ValueError, match=r"^value has shape"):
        ci.covers([1.0, 2.0, 3.0])


def test_covers_accepts_integers_and_infinities() -> None:
    ci = mean_ci([1, 2, 3])
    assert bool(ci.covers(2)) and not bool(ci.covers(math.inf))
    assert ci.mean == 2.0


def test_mean_ci_coverage_of_normal_samples() -> None:
    rng = np.random.default_rng(20201222)
    repetitions, n, mu = 4000, 8, 1.5
    samples = rng.normal(mu, 3.0, size=(repetitions, n))
    coverage = float(np.mean(mean_ci(samples, axis=1).covers(mu)))
    tolerance = binomial_tolerance(0.95, repetitions)
    assert abs(coverage - 0.95) <= tolerance, coverage


@pytest.mark.parametrize(
    "samples",
    [[1.0], np.zeros((1, 3)), np.zeros((0,)), [1.0, math.nan], [1.0, math.inf]],
)
def test_mean_ci_rejects_too_few_or_non_finite_samples(samples: object) -> None:
    with pytest.raises(ValueError, match="samples"):
        mean_ci(samples)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "samples",
    [
        ["1", "2", "3"],
        [True, False, True],
        np.array([True, False]),
        [1.0 + 0j, 2.0],
        [1.0, None, 3.0],
        None,
        [[1.0, 2.0], [3.0]],
    ],
)
def test_mean_ci_rejects_strings_booleans_and_other_non_numbers(
    samples: object,
) -> None:
    with pytest.raises(ValueError, match=r"^samples must"):
        mean_ci(samples)  # type: ignore[arg-type]


def test_mean_ci_rejects_scalars_strings_and_bad_axis_or_level() -> None:
    with pytest.raises(ValueError, match="samples"):
        mean_ci(3.0)
    with pytest.raises(ValueError, match="samples"):
        mean_ci(["a", "b"])
    with pytest.raises(ValueError, match="axis"):
        mean_ci(np.zeros((3, 2)), axis=2)
    for level in (0.0, 1.0, 1.5, -0.1, math.nan, True):
        with pytest.raises(ValueError, match=r"level .*\(0, 1\)"):
            mean_ci([1.0, 2.0, 3.0], level=level)


# --------------------------------------------------------------------------
# fit_power_law


@pytest.mark.parametrize("exponent", [-2.0, -0.5, 0.25, 1.0, 3.0])
def test_fit_power_law_recovers_exact_power_laws(exponent: float) -> None:
    x = np.logspace(0, 4, 13)
    y = 0.7 * x**exponent
    fit = fit_power_law(x, y)
    assert isinstance(fit, PowerLawFit)
    assert fit.exponent == pytest.approx(exponent, abs=1e-12)
    assert fit.prefactor == pytest.approx(0.7, rel=1e-10)
    assert fit.r_squared == pytest.approx(1.0, abs=1e-12)
    assert fit.exponent_high - fit.exponent_low < 1e-10
    assert fit.n == x.size
    np.testing.assert_allclose(fit.predict(x), y, rtol=1e-10)


def test_fit_power_law_interval_covers_noisy_exponent() -> None:
    rng = np.random.default_rng(5)
    x = np.logspace(1, 5, 30)
    y = 4.0 * x**-0.5 * np.exp(rng.normal(0.0, 0.3, size=x.size))
    fit = fit_power_law(x, y)
    assert bool(fit.covers(-0.5))
    assert fit.exponent_low < fit.exponent < fit.exponent_high
    assert not bool(fit.covers(-1.0))
    assert 0.0 < fit.r_squared < 1.0


def test_fit_power_law_interval_matches_t_formula() -> None:
    rng = np.random.default_rng(3)
    x = np.arange(1.0, 21.0)
    y = 2.0 * x**1.5 * np.exp(rng.normal(0.0, 0.2, size=x.size))
    fit = fit_power_law(x, y, level=0.9)
    u, w = np.log(x), np.log(y)
    slope, intercept = np.polyfit(u, w, 1)
    residuals = w - (intercept + slope * u)
    sxx = ((u - u.mean()) ** 2).sum()
    se = math.sqrt((residuals**2).sum() / (x.size - 2) / sxx)
    half = stats.t.ppf(0.95, x.size - 2) * se
    assert fit.exponent == pytest.approx(slope, rel=1e-10)
    assert fit.exponent_stderr == pytest.approx(se, rel=1e-8)
    assert fit.exponent_low == pytest.approx(slope - half, rel=1e-8)
    assert fit.exponent_high == pytest.approx(slope + half, rel=1e-8)
    assert fit.level == 0.9


def test_fit_power_law_coverage_over_noisy_repetitions() -> None:
    rng = np.random.default_rng(2020)
    x = np.logspace(0, 3, 10)
    repetitions = 2000
    hits = 0
    for _ in range(repetitions):
        y = 1.3 * x**-1.0 * np.exp(rng.normal(0.0, 0.5, size=x.size))
        hits += bool(fit_power_law(x, y).covers(-1.0))
    coverage = hits / repetitions
    tolerance = binomial_tolerance(0.95, repetitions)
    assert abs(coverage - 0.95) <= tolerance, coverage


@pytest.mark.parametrize(
    ("x", "y", "name"),
    [
        ([0.0, 1.0, 2.0], [1.0, 2.0, 3.0], "x"),
        ([-1.0, 1.0, 2.0], [1.0, 2.0, 3.0], "x"),
        ([1.0, 2.0, 3.0], [1.0, 0.0, 3.0], "y"),
        ([1.0, 2.0, 3.0], [1.0, -2.0, 3.0], "y"),
        ([1.0, 2.0, math.nan], [1.0, 2.0, 3.0], "x"),
        ([1.0, 2.0, 3.0], [1.0, math.inf, 3.0], "y"),
        ([1.0, 2.0, 3.0], [1.0, 2.0], "x and y"),
        ([1.0, 2.0], [1.0, 2.0], "x"),
        ([2.0, 2.0, 2.0], [1.0, 2.0, 3.0], "x"),
        ([[1.0, 2.0, 3.0]], [1.0, 2.0, 3.0], "x"),
        (["a", "b", "c"], [1.0, 2.0, 3.0], "x"),
        (["1", "10", "100"], [1.0, 2.0, 3.0], "x"),
        ([True, True, True], [1.0, 2.0, 3.0], "x"),
        (None, [1.0, 2.0, 3.0], "x"),
        ([1.0, 2.0, 3.0], ["1", "2", "3"], "y"),
        ([1.0, 2.0, 3.0], [True, True, True], "y"),
        ([1.0, 2.0, 3.0], [1.0 + 0j, 2.0, 3.0], "y"),
        ([1.0, 2.0, 3.0], [1.0, None, 3.0], "y"),
    ],
)
def test_fit_power_law_bad_input(x: object, y: object, name: str) -> None:
    with pytest.raises(ValueError, match=f"^{name} must"):
        fit_power_law(x, y)  # type: ignore[arg-type]


def test_fit_power_law_of_a_constant_has_exponent_zero_and_undefined_r2() -> None:
    # r^2 = 1 - SS_res/SS_tot is 0/0 for a constant y: NaN, without warnings.
    fit = fit_power_law([1.0, 10.0, 100.0, 1000.0], [2.0, 2.0, 2.0, 2.0])
    assert fit.exponent == 0.0
    assert fit.exponent_low == fit.exponent_high == 0.0
    assert fit.prefactor == pytest.approx(2.0, rel=1e-14)
    assert math.isnan(fit.r_squared)
    assert bool(fit.covers(0.0))


def test_predict_accepts_positive_abscissae_as_before() -> None:
    fit = fit_power_law([1.0, 10.0, 100.0], [3.0, 30.0, 300.0])
    assert fit.predict(1000) == pytest.approx(3000.0)
    assert fit.predict([]).shape == (0,)
    assert fit.predict(math.inf) == math.inf


@pytest.mark.parametrize(
    "x", [-1.0, 0.0, [1.0, -2.0], [[1.0], [0.0]], math.nan, "2", True, None, [1j]]
)
def test_predict_rejects_non_positive_or_non_numeric_x(x: object) -> None:
    fit = fit_power_law([1.0, 10.0, 100.0], [3.0, 30.0, 300.0])
    with pytest.raises(ValueError, match=r"^x must"):
        fit.predict(x)  # type: ignore[arg-type]


@pytest.mark.parametrize("exponent", ["1", None, True, math.nan, [1.0, "a"]])
def test_power_law_covers_rejects_non_numbers(exponent: object) -> None:
    fit = fit_power_law([1.0, 10.0, 100.0], [3.0, 30.0, 300.0])
    with pytest.raises(ValueError, match=r"^exponent must"):
        fit.covers(exponent)  # type: ignore[arg-type]


def test_fit_power_law_rejects_bad_level() -> None:
    with pytest.raises(ValueError, match="level"):
        fit_power_law([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], level=1.0)


def test_docstring_examples() -> None:
    import doctest

    import analysis.statistics

    failures, tried = doctest.testmod(analysis.statistics)
    assert tried > 0
    assert failures == 0
