r"""Confidence intervals for the suite's Monte Carlo estimates.

Two tools are enough for every numerical verdict of the suite:

* :func:`mean_ci`, the Student *t* confidence interval of a mean over
  independent repetitions (seeds), along any axis of an array;
* :func:`fit_power_law`, a least-squares fit of :math:`y \approx C x^p`
  on log-log axes with a *t* confidence interval for the exponent
  :math:`p`, used to read off rates such as :math:`O(1/\sqrt{T})`.

Both return frozen dataclasses whose ``covers`` method tells whether a
claimed value lies inside the interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from analysis._validation import as_real_array, check_finite

__all__ = ["MeanCI", "PowerLawFit", "fit_power_law", "mean_ci"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _check_level(level: object) -> float:
    if (
        isinstance(level, bool)
        or not isinstance(level, int | float | np.floating)
        or not 0.0 < float(level) < 1.0
    ):
        raise ValueError(f"level must be a number in (0, 1); got {level!r}")
    return float(level)


def _claimed_values(
    name: str, value: npt.ArrayLike, interval_shape: tuple[int, ...]
) -> FloatArray:
    """Return a claimed value as a float array, refusing non-numbers.

    Strings, booleans, ``None`` and NaN are refused (``covers('2')`` or
    ``covers(None)`` is a mistake, not a question); infinities are allowed
    and are covered only by an infinite interval.
    """
    array = as_real_array(name, value).astype(np.float64)
    if np.any(np.isnan(array)):
        raise ValueError(f"{name} must be a number or an array of numbers, got NaN")
    try:
        np.broadcast_shapes(array.shape, interval_shape)
    except ValueError:
        raise ValueError(
            f"{name} has shape {array.shape}, which does not broadcast against "
            f"the interval's shape {interval_shape}"
        ) from None
    return array


def _as_result(values: Any) -> float | FloatArray:
    """Return a Python float for a 0-d result, else a read-only array."""
    array = np.array(values, dtype=np.float64)
    if array.ndim == 0:
        return float(array)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class MeanCI:
    r"""Mean of independent samples with its Student *t* interval.

    For :math:`n` samples :math:`x_1, \dots, x_n` with mean
    :math:`\bar x` and unbiased standard deviation
    :math:`s = \sqrt{\sum_i (x_i - \bar x)^2 / (n - 1)}`,

    .. math::

        \mathrm{sem} = s / \sqrt{n}, \qquad
        h = t_{(1 + \ell)/2,\, n - 1}\, \mathrm{sem}, \qquad
        [\mathrm{low}, \mathrm{high}] = [\bar x - h, \bar x + h],

    where :math:`t_{q, \nu}` is the :math:`q` quantile of Student's *t*
    distribution with :math:`\nu` degrees of freedom and :math:`\ell` the
    confidence level.

    Attributes
    ----------
    mean : float or numpy.ndarray
        Sample mean :math:`\bar x`.
    sem : float or numpy.ndarray
        Standard error of the mean.
    half_width : float or numpy.ndarray
        Half width :math:`h` of the interval.
    low, high : float or numpy.ndarray
        Ends of the interval.
    n : int
        Number of samples along the reduced axis.
    level : float
        Confidence level :math:`\ell`.

    Notes
    -----
    The array fields are floats when the samples were one-dimensional and
    read-only arrays of the samples' shape without the reduced axis
    otherwise.
    """

    mean: float | FloatArray
    sem: float | FloatArray
    half_width: float | FloatArray
    low: float | FloatArray
    high: float | FloatArray
    n: int
    level: float

    def covers(self, value: npt.ArrayLike) -> BoolArray:
        """Tell whether `value` lies in the closed interval.

        Parameters
        ----------
        value : array_like
            Claimed value(s), real numbers (not NaN), broadcast against the
            interval.

        Returns
        -------
        numpy.ndarray of bool
            ``low <= value <= high`` elementwise (0-d for scalars).

        Raises
        ------
        ValueError
            If `value` is not real (a string, a bool, ``None``...), is NaN,
            or does not broadcast against the interval.
        """
        low, high = np.asarray(self.low), np.asarray(self.high)
        claimed = _claimed_values("value", value, low.shape)
        inside = (low <= claimed) & (claimed <= high)
        return np.asarray(inside, dtype=np.bool_)


def mean_ci(
    samples: npt.ArrayLike,
    axis: int = 0,
    level: float = 0.95,
) -> MeanCI:
    r"""Mean and Student *t* confidence interval along an axis.

    The interval is :math:`\bar x \pm t_{(1 + \ell)/2,\, n - 1}\, s /
    \sqrt{n}` with :math:`s` the standard deviation computed with
    :math:`n - 1` in the denominator; it has exact coverage :math:`\ell`
    for independent normal samples and asymptotic coverage otherwise.

    Parameters
    ----------
    samples : array_like
        Independent repetitions along `axis`, at least two, all finite.
    axis : int, default 0
        Axis along which the samples are repeated.
    level : float, default 0.95
        Confidence level, in the open interval (0, 1).

    Returns
    -------
    MeanCI
        Mean, standard error, half width, interval, `n` and `level`.

    Raises
    ------
    ValueError
        If `samples` is not real numbers (strings, booleans, complex
        numbers and ``None`` are refused, not converted), is 0-d, has fewer
        than 2 entries along `axis` or has a non-finite entry; if `axis` is
        out of range; if `level` is not in (0, 1).

    Examples
    --------
    >>> ci = mean_ci([1.0, 2.0, 3.0])
    >>> ci.mean, round(ci.half_width, 4)
    (2.0, 2.4841)
    >>> bool(ci.covers(0.0)), bool(ci.covers(5.0))
    (True, False)
    """
    level = _check_level(level)
    data = as_real_array("samples", samples).astype(np.float64)
    if data.ndim == 0:
        raise ValueError("samples must have at least one axis; got a scalar")
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise ValueError(f"axis must be an integer; got {axis!r}")
    if not -data.ndim <= axis < data.ndim:
        raise ValueError(
            f"axis must be in [{-data.ndim}, {data.ndim - 1}] for samples of"
            f" {data.ndim} dimension(s); got {axis}"
        )
    n = int(data.shape[axis])
    if n < 2:
        raise ValueError(
            f"samples must hold at least 2 values along axis {axis}; got {n}"
        )
    check_finite("samples", data)
    mean = np.mean(data, axis=axis)
    sem = np.std(data, axis=axis, ddof=1) / math.sqrt(n)
    t_quantile = float(stats.t.ppf(0.5 + level / 2.0, n - 1))
    half_width = t_quantile * sem
    return MeanCI(
        mean=_as_result(mean),
        sem=_as_result(sem),
        half_width=_as_result(half_width),
        low=_as_result(mean - half_width),
        high=_as_result(mean + half_width),
        n=n,
        level=level,
    )


@dataclass(frozen=True, eq=False)
class PowerLawFit:
    r"""Least-squares power law :math:`y \approx C x^p` on log-log axes.

    With :math:`u_i = \log x_i` and :math:`w_i = \log y_i`, the fit is the
    ordinary least-squares line :math:`w = \log C + p\, u`.  Its slope has
    standard error

    .. math::

        \mathrm{se}(p) = \sqrt{\frac{\sum_i r_i^2 / (n - 2)}
                                    {\sum_i (u_i - \bar u)^2}},

    with :math:`r_i` the residuals, and the interval for :math:`p` is
    :math:`p \pm t_{(1 + \ell)/2,\, n - 2}\, \mathrm{se}(p)`.

    Attributes
    ----------
    exponent : float
        Fitted exponent :math:`p` (slope on log-log axes).
    exponent_stderr : float
        Standard error :math:`\mathrm{se}(p)`.
    exponent_low, exponent_high : float
        Ends of the confidence interval for :math:`p`.
    prefactor : float
        Fitted :math:`C = \exp(\text{intercept})`.
    r_squared : float
        Coefficient of determination of the log-log fit, the squared
        correlation of :math:`\log x` and :math:`\log y`. NaN when `y` is
        constant: there is then no variation of :math:`\log y` to explain,
        so :math:`r^2` is undefined (the fit itself is exact, with exponent
        0 and an interval of zero width).
    n : int
        Number of points.
    level : float
        Confidence level :math:`\ell`.
    """

    exponent: float
    exponent_stderr: float
    exponent_low: float
    exponent_high: float
    prefactor: float
    r_squared: float
    n: int
    level: float

    def covers(self, exponent: npt.ArrayLike) -> BoolArray:
        """Tell whether a claimed exponent lies in the interval.

        Parameters
        ----------
        exponent : array_like
            Claimed exponent(s), real numbers (not NaN).

        Returns
        -------
        numpy.ndarray of bool
            ``exponent_low <= exponent <= exponent_high`` elementwise.

        Raises
        ------
        ValueError
            If `exponent` is not real (a string, a bool, ``None``...) or
            is NaN.
        """
        value = _claimed_values("exponent", exponent, ())
        inside = (self.exponent_low <= value) & (value <= self.exponent_high)
        return np.asarray(inside, dtype=np.bool_)

    def predict(self, x: npt.ArrayLike) -> FloatArray:
        """Evaluate the fitted law :math:`C x^p`.

        Parameters
        ----------
        x : array_like
            Positive abscissae.

        Returns
        -------
        numpy.ndarray
            :math:`C x^p`, as a float array.

        Raises
        ------
        ValueError
            If `x` is not real or has an entry that is not > 0 (zero,
            negative or NaN): the law was fitted on log-log axes and is
            only defined for positive abscissae.
        """
        values = as_real_array("x", x).astype(np.float64)
        if not np.all(values > 0.0):
            bad = values[~(values > 0.0)].flat[0]
            raise ValueError(f"x must be > 0 (positive abscissae), got {float(bad)!r}")
        result: FloatArray = self.prefactor * np.power(values, self.exponent)
        return result


def _positive_vector(name: str, values: npt.ArrayLike) -> FloatArray:
    array = as_real_array(name, values).astype(np.float64)
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be 1-d (positive numbers); got shape {array.shape}"
        )
    if not np.all(np.isfinite(array) & (array > 0.0)):
        raise ValueError(
            f"{name} must be finite and > 0 everywhere (log-log fit); got"
            f" min {np.min(array) if array.size else 'n/a'}"
        )
    return array


def fit_power_law(
    x: npt.ArrayLike, y: npt.ArrayLike, level: float = 0.95
) -> PowerLawFit:
    r"""Fit :math:`y \approx C x^p` by least squares on log-log axes.

    The slope and intercept of the regression of :math:`\log y` on
    :math:`\log x` come from :func:`scipy.stats.linregress`, the slope's
    standard error from the residuals; the exponent's interval is
    :math:`p \pm t_{(1 + \ell)/2,\, n - 2}\, \mathrm{se}(p)` (see
    :class:`PowerLawFit`), exact when the log residuals are
    independent and normal with equal variance.

    Parameters
    ----------
    x : array_like
        Positive, finite abscissae (1-d), not all equal.
    y : array_like
        Positive, finite ordinates, same length as `x`, at least 3 points.
    level : float, default 0.95
        Confidence level, in the open interval (0, 1).

    Returns
    -------
    PowerLawFit
        Exponent with its standard error and interval, prefactor,
        :math:`r^2`, number of points and level.

    Raises
    ------
    ValueError
        If `x` or `y` is not real numbers (strings, booleans, complex
        numbers and ``None`` are refused, not converted), is not 1-d, has a
        non-positive or non-finite entry, if their lengths differ or are
        below 3, if `x` is constant, or if `level` is not in (0, 1).

    Notes
    -----
    A constant `y` is accepted: the fit is then exact with exponent 0,
    but :math:`r^2` is undefined and reported as NaN (see
    :class:`PowerLawFit`).

    Examples
    --------
    >>> t = [1.0, 10.0, 100.0, 1000.0]
    >>> fit = fit_power_law(t, [2.0 / s**0.5 for s in t])
    >>> round(fit.exponent, 6), round(fit.prefactor, 6)
    (-0.5, 2.0)
    """
    level = _check_level(level)
    xs = _positive_vector("x", x)
    ys = _positive_vector("y", y)
    if xs.shape != ys.shape:
        raise ValueError(
            f"x and y must have the same length; got {xs.size} and {ys.size}"
        )
    n = int(xs.size)
    if n < 3:
        raise ValueError(f"x must hold at least 3 points; got {n}")
    log_x = np.log(xs)
    log_y = np.log(ys)
    if np.ptp(log_x) == 0.0:
        raise ValueError("x must not be constant: the exponent is undefined")
    result = stats.linregress(log_x, log_y)
    slope = float(result.slope)
    intercept = float(result.intercept)
    # The standard error from the residuals themselves: linregress derives
    # it from 1 - r**2, which cancels catastrophically for near-exact laws.
    residuals = log_y - (intercept + slope * log_x)
    centred = log_x - np.mean(log_x)
    stderr = math.sqrt(
        float(np.sum(residuals**2)) / (n - 2) / float(np.sum(centred**2))
    )
    t_quantile = float(stats.t.ppf(0.5 + level / 2.0, n - 2))
    half_width = t_quantile * stderr
    # r**2 = 1 - SS_res / SS_tot is 0 / 0 for a constant y: undefined.
    r_squared = math.nan if np.ptp(log_y) == 0.0 else float(result.rvalue) ** 2
    return PowerLawFit(
        exponent=slope,
        exponent_stderr=stderr,
        exponent_low=slope - half_width,
        exponent_high=slope + half_width,
        prefactor=math.exp(intercept),
        r_squared=r_squared,
        n=n,
        level=level,
    )
