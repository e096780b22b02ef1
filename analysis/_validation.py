"""Argument checks shared by the modules of the package.

Every check raises :class:`ValueError` whose message names the argument and
the range it must lie in; nothing is clipped or converted silently.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "as_real_array",
    "check_bool",
    "check_finite",
    "check_float_dtype",
    "check_in_range",
    "check_points",
    "check_positive_int",
    "check_rng",
    "check_scalar_in_range",
    "check_shape_broadcasts",
]


def as_real_array(name: str, value: ArrayLike) -> np.ndarray:
    """Return ``value`` as an integer or floating array, or raise.

    Strings, booleans (also inside a list such as ``[True, 2.0]``), complex
    numbers, ``None`` and ragged sequences are refused rather than
    converted, so that ``"0.1"`` or ``True`` is never taken for a number.

    Raises
    ------
    ValueError
        Naming ``name`` and what was given.
    """
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{name} must be a real number or array: {error}") from None
    if arr.dtype.kind not in "iuf":
        raise ValueError(
            f"{name} must be a real number or array, got {type(value).__name__} "
            f"of dtype {arr.dtype}"
        )
    if isinstance(value, list | tuple) and _holds_bool(value):
        raise ValueError(
            f"{name} must be a real number or array, got a sequence that "
            "contains booleans"
        )
    return arr


def _holds_bool(value: object) -> bool:
    """True if a (nested) list or tuple holds a boolean.

    numpy turns ``[True, 2.0]`` into ``[1.0, 2.0]``, so such sequences are
    inspected before their conversion can hide the booleans.
    """
    if isinstance(value, bool | np.bool_):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind == "b"
    if isinstance(value, list | tuple):
        return any(_holds_bool(item) for item in value)
    return False


def check_bool(name: str, value: object) -> bool:
    """Check that ``value`` is a bool (``numpy.bool_`` included).

    Raises
    ------
    ValueError
        For anything else, such as the string ``"False"``.
    """
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_in_range(
    name: str,
    value: ArrayLike,
    low: float,
    high: float,
    *,
    low_closed: bool = True,
    high_closed: bool = False,
) -> NDArray[np.float64]:
    """Return ``value`` as a float array after checking it lies in a range.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : array_like
        Scalar or array of hyperparameter values.
    low, high : float
        Ends of the allowed interval (``inf`` for an open end).
    low_closed, high_closed : bool
        Whether each end belongs to the interval.

    Returns
    -------
    numpy.ndarray
        ``value`` as a float64 array (0-d for a scalar).

    Raises
    ------
    ValueError
        If any entry is not finite-or-in-range, naming ``name``.
    """
    arr = as_real_array(name, value).astype(np.float64)
    left = "[" if low_closed else "("
    right = "]" if high_closed else ")"
    allowed = f"{left}{low:g}, {high:g}{right}"
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty; allowed range {allowed}")
    above = arr >= low if low_closed else arr > low
    below = arr <= high if high_closed else arr < high
    ok = above & below & ~np.isnan(arr)
    if not np.all(ok):
        bad = arr[~ok].flat[0]
        raise ValueError(f"{name} must lie in {allowed}, got {bad!r}")
    return arr


def check_scalar_in_range(
    name: str,
    value: ArrayLike,
    low: float,
    high: float,
    *,
    low_closed: bool = True,
    high_closed: bool = False,
) -> float:
    """Like :func:`check_in_range` for one number; return it as a float.

    Raises
    ------
    ValueError
        If ``value`` is not a single real number in the range.
    """
    arr = as_real_array(name, value)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a single number, got shape {arr.shape}")
    checked = check_in_range(
        name, arr, low, high, low_closed=low_closed, high_closed=high_closed
    )
    return float(checked)


def check_finite(name: str, value: ArrayLike) -> np.ndarray:
    """Return ``value`` as a real array after checking every entry is finite.

    Raises
    ------
    ValueError
        If ``value`` is not real (see :func:`as_real_array`), or an entry
        is NaN or infinite, naming ``name`` and the first offending index.
    """
    arr = as_real_array(name, value)
    finite = np.isfinite(arr)
    if not np.all(finite):
        index = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise ValueError(f"{name} must be finite, got {arr[index]!r} at index {index}")
    return arr


def check_float_dtype(name: str, dtype: object) -> np.dtype[Any]:
    """Return ``dtype`` as a floating :class:`numpy.dtype`, or raise.

    Raises
    ------
    ValueError
        If ``dtype`` is not a dtype, or not a floating one.
    """
    try:
        dt = np.dtype(dtype)  # type: ignore[call-overload]
    except TypeError as error:
        raise ValueError(
            f"{name} must be a floating dtype such as float64, got {dtype!r}: {error}"
        ) from None
    if not np.issubdtype(dt, np.floating):
        raise ValueError(f"{name} must be a floating type, got {dt}")
    return dt


def check_points(name: str, value: ArrayLike, dim: int) -> NDArray[np.float64]:
    """Return a batch of points, shape ``(..., dim)``, as a finite float array.

    Raises
    ------
    ValueError
        If ``value`` is not real and finite, or its last axis is not ``dim``.
    """
    arr = check_finite(name, value).astype(np.float64)
    if arr.ndim == 0 or arr.shape[-1] != dim:
        raise ValueError(f"{name} must have shape (..., {dim}), got {arr.shape}")
    return arr


def check_positive_int(name: str, value: int, minimum: int = 1) -> int:
    """Check that ``value`` is an integer of at least ``minimum``."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def check_rng(name: str, value: object) -> np.random.Generator:
    """Check that ``value`` is a :class:`numpy.random.Generator`.

    Raises
    ------
    ValueError
        For anything else, such as an integer seed, saying how to make one.
    """
    if not isinstance(value, np.random.Generator):
        raise ValueError(
            f"{name} must be a numpy.random.Generator, e.g. "
            f"numpy.random.default_rng({value!r}), got {type(value).__name__}"
        )
    return value


def check_shape_broadcasts(
    name: str, shape: tuple[int, ...], target: tuple[int, ...]
) -> None:
    """Check that an array of ``shape`` broadcasts to exactly ``target``.

    Raises
    ------
    ValueError
        If the shapes do not broadcast, or broadcasting would enlarge
        ``target``.
    """
    try:
        result = np.broadcast_shapes(shape, target)
    except ValueError:
        result = None
    if result != tuple(target):
        raise ValueError(
            f"{name} has shape {shape}, which does not broadcast to the "
            f"state shape {tuple(target)}"
        )
