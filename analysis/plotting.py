"""One figure style for the whole suite, and reproducible figure files.

Every figure of the suite is made with :func:`new_figure`, drawn with the
per-method styles of :data:`METHOD_STYLES` and written with
:func:`save_figure`, so that all figures share fonts, sizes and colours and
so that rerunning a notebook rewrites its figures byte for byte.

Sizes follow a two-column paper: :data:`COLUMN_WIDTH` is one column,
:data:`TEXT_WIDTH` the full text width, both in inches.

Notes
-----
The module never selects a Matplotlib backend globally: notebooks keep
their inline backend.  Only :func:`save_figure` renders, with the PDF
backend for ``.pdf`` and the non-interactive Agg backend for ``.png``.

Examples
--------
>>> from analysis.plotting import new_figure, method_style, save_figure
>>> fig, ax = new_figure("column")
>>> _ = ax.plot([1, 2, 3], [3, 1, 2], label="Adam", **method_style("Adam"))
>>> pdf, png = save_figure(fig, "example", "figures")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, cast

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.layout_engine import TightLayoutEngine

__all__ = [
    "COLUMN_WIDTH",
    "METHOD_STYLES",
    "PNG_DPI",
    "RC_PARAMS",
    "TEXT_WIDTH",
    "method_style",
    "new_figure",
    "save_figure",
    "style",
    "use_style",
]

COLUMN_WIDTH: float = 3.25
"""Width of one column of a two-column paper, in inches."""

TEXT_WIDTH: float = 6.75
"""Full text width of a two-column paper, in inches."""

PNG_DPI: int = 200
"""Resolution of the PNG files written by :func:`save_figure`."""

_WIDTHS: dict[str, float] = {"column": COLUMN_WIDTH, "text": TEXT_WIDTH}

# Okabe & Ito (2008), "Color Universal Design", plus a neutral grey: eight
# colours told apart under the common forms of colour blindness.
_OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "grey": "#999999",
}

RC_PARAMS: dict[str, Any] = {
    # Fonts: small, serif, and shipped with Matplotlib so that every
    # machine renders the same glyphs.
    "font.family": "serif",
    "font.serif": ["DejaVu Serif"],
    "font.size": 8.0,
    "axes.titlesize": 8.0,
    "axes.labelsize": 8.0,
    "xtick.labelsize": 7.0,
    "ytick.labelsize": 7.0,
    "legend.fontsize": 7.0,
    "legend.title_fontsize": 7.0,
    "figure.titlesize": 8.0,
    # LaTeX labels through mathtext, never through an external TeX.
    "text.usetex": False,
    "mathtext.fontset": "dejavuserif",
    "axes.formatter.use_mathtext": True,
    # Thin lines.
    "lines.linewidth": 1.0,
    "lines.markersize": 3.5,
    "axes.linewidth": 0.6,
    "grid.linewidth": 0.4,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.minor.width": 0.4,
    "ytick.minor.width": 0.4,
    "xtick.major.size": 3.0,
    "ytick.major.size": 3.0,
    "xtick.minor.size": 1.5,
    "ytick.minor.size": 1.5,
    "patch.linewidth": 0.6,
    "legend.frameon": False,
    # No top or right spines.
    "axes.spines.top": False,
    "axes.spines.right": False,
    # Tight layout, applied whenever the figure is drawn.
    "figure.autolayout": True,
    "figure.constrained_layout.use": False,
    "figure.figsize": (COLUMN_WIDTH, 0.75 * COLUMN_WIDTH),
    # Reproducible files.
    "savefig.dpi": PNG_DPI,
    "savefig.bbox": "standard",
    "svg.hashsalt": "adabelief-claims",
    "pdf.fonttype": 42,
}
"""The rcParams of the suite's style, applied by :func:`style`."""

METHOD_STYLES: dict[str, dict[str, Any]] = {
    "SGD": {
        "color": _OKABE_ITO["black"],
        "marker": "o",
        "linestyle": "-",
    },
    "Sign descent": {
        "color": _OKABE_ITO["sky blue"],
        "marker": "v",
        "linestyle": ":",
    },
    "Sign descent (momentum)": {
        "color": _OKABE_ITO["blue"],
        "marker": "^",
        "linestyle": ":",
    },
    "Adam": {
        "color": _OKABE_ITO["orange"],
        "marker": "s",
        "linestyle": "-",
    },
    "AMSGrad": {
        "color": _OKABE_ITO["reddish purple"],
        "marker": "D",
        "linestyle": "--",
    },
    "AdaBelief": {
        "color": _OKABE_ITO["vermillion"],
        "marker": "p",
        "linestyle": "-",
    },
    "AdaBelief (max)": {
        "color": _OKABE_ITO["bluish green"],
        "marker": "h",
        "linestyle": "--",
    },
    "Centered": {
        "color": _OKABE_ITO["grey"],
        "marker": "X",
        "linestyle": "-.",
    },
    "AdaGrad": {
        "color": _OKABE_ITO["yellow"],
        "marker": "P",
        "linestyle": "-.",
    },
}
"""Colour, marker and line style of every method named in the suite.

Each value holds the keys ``color``, ``marker`` and ``linestyle`` and can
be passed to :meth:`matplotlib.axes.Axes.plot` as keyword arguments; use
:func:`method_style` to get a copy.
"""

_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_PDF_METADATA: dict[str, Any] = {"CreationDate": None, "ModDate": None}
_PNG_METADATA: dict[str, Any] = {"Software": None}


def method_style(name: str) -> dict[str, Any]:
    """Return the plotting style of one method.

    Parameters
    ----------
    name : str
        A key of :data:`METHOD_STYLES`, for instance ``"AdaBelief"``.

    Returns
    -------
    dict
        A fresh copy with keys ``color``, ``marker`` and ``linestyle``,
        ready for ``ax.plot(x, y, label=name, **method_style(name))``.

    Raises
    ------
    ValueError
        If `name` is not a known method.
    """
    try:
        return dict(METHOD_STYLES[name])
    except (KeyError, TypeError):
        known = ", ".join(repr(key) for key in METHOD_STYLES)
        raise ValueError(f"name must be one of {known}; got {name!r}") from None


@contextmanager
def style(extra: Mapping[str, Any] | None = None) -> Iterator[None]:
    """Apply the suite's style within a ``with`` block.

    Parameters
    ----------
    extra : mapping, optional
        rcParams applied on top of :data:`RC_PARAMS`.

    Yields
    ------
    None
        The previous rcParams are restored on exit.

    Notes
    -----
    Matplotlib reads rcParams when each artist is made and some only when
    a figure is drawn, so everything about a figure, from its creation to
    its display, should happen inside the block.  :func:`new_figure` uses
    :func:`use_style` instead, which lasts for the session.
    """
    params = dict(RC_PARAMS)
    if extra is not None:
        params.update(extra)
    with mpl.rc_context(cast(Any, params)):
        yield


def use_style(extra: Mapping[str, Any] | None = None) -> None:
    """Apply the suite's style to every later figure of the session.

    Parameters
    ----------
    extra : mapping, optional
        rcParams applied on top of :data:`RC_PARAMS`.
    """
    # Matplotlib's stubs type the keys as literals; the values are checked
    # by rcParams itself at run time.
    rc_params = cast(Any, mpl.rcParams)
    rc_params.update(RC_PARAMS)
    if extra is not None:
        rc_params.update(extra)


def new_figure(
    width: Literal["column", "text"] = "column",
    aspect: float = 0.75,
    nrows: int = 1,
    ncols: int = 1,
    **kw: Any,
) -> tuple[Figure, Any]:
    """Create a figure of the suite's size and style.

    The figure is ``w`` inches wide and ``aspect * w`` inches high, where
    ``w`` is :data:`COLUMN_WIDTH` or :data:`TEXT_WIDTH`.  The suite's style
    is applied to the session first, as by :func:`use_style`, because
    Matplotlib reads rcParams when lines, legends and ticks are made, not
    only when the figure is.

    Parameters
    ----------
    width : {"column", "text"}, default "column"
        One column or the full text width of a two-column paper.
    aspect : float, default 0.75
        Height over width of the whole figure; finite and positive.
    nrows, ncols : int, default 1
        Grid of axes, each at least 1.
    **kw
        Passed to :func:`matplotlib.pyplot.subplots` (``sharex``,
        ``squeeze``, ``gridspec_kw``...), except ``figsize``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure, with a tight layout.
    axes : matplotlib.axes.Axes or numpy.ndarray of them
        As returned by :func:`matplotlib.pyplot.subplots`.

    Raises
    ------
    ValueError
        If an argument is out of its range, or ``figsize`` is given.
    """
    if not isinstance(width, str) or width not in _WIDTHS:
        raise ValueError(f"width must be 'column' or 'text'; got {width!r}")
    if (
        isinstance(aspect, bool)
        or not isinstance(aspect, int | float)
        or not 0.0 < float(aspect) < float("inf")
    ):
        raise ValueError(f"aspect must be a finite number > 0; got {aspect!r}")
    for label, value in (("nrows", nrows), ("ncols", ncols)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{label} must be an integer >= 1; got {value!r}")
    if "figsize" in kw:
        raise ValueError("figsize is set by width and aspect; do not pass it")
    w = _WIDTHS[width]
    use_style()
    fig, axes = plt.subplots(nrows, ncols, figsize=(w, float(aspect) * w), **kw)
    return fig, axes


def _check_name(name: object) -> str:
    if not isinstance(name, str) or _NAME_PATTERN.fullmatch(name) is None:
        raise ValueError(
            "name must be a file name without directory or extension, made"
            " of letters, digits, '.', '_' and '-' and starting with a"
            f" letter or digit; got {name!r}"
        )
    if name.lower().endswith((".pdf", ".png")):
        raise ValueError(
            f"name must not end in .pdf or .png (both are added); got {name!r}"
        )
    return name


def _reset_tight_layout(fig: Figure) -> None:
    """Put back the default margins of a figure whose layout is tight.

    Tight layout starts from the current margins, and a figure whose
    decorations grow with its axes (a legend wider than its axes, say)
    never reaches a fixed point; starting every draw from the same
    margins makes the layout a function of the figure alone.
    """
    if isinstance(fig.get_layout_engine(), TightLayoutEngine):
        rc_params = cast(Any, mpl.rcParams)
        keys = ("left", "right", "bottom", "top", "wspace", "hspace")
        margins = {key: rc_params[f"figure.subplot.{key}"] for key in keys}
        fig.subplots_adjust(**margins)


def save_figure(
    fig: Figure, name: str, directory: str | os.PathLike[str]
) -> tuple[Path, Path]:
    """Write a figure as ``name.pdf`` and ``name.png``, reproducibly.

    The bytes written depend only on the figure and the installed
    versions of Matplotlib and its fonts: no timestamp, no software tag,
    the same file on every rerun and in every fresh process.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, usually from :func:`new_figure`.
    name : str
        Base name of both files, without directory or extension: letters,
        digits, ``.``, ``_`` and ``-``, starting with a letter or digit.
    directory : str or os.PathLike
        Folder of the files; created, with its parents, if missing.

    Returns
    -------
    pdf, png : pathlib.Path
        Paths of the PDF file and of the PNG file (at 200 dpi).

    Raises
    ------
    TypeError
        If `fig` is not a Matplotlib figure.
    ValueError
        If `name` is not a plain file name.

    Notes
    -----
    The figure is drawn inside :func:`style`.  A tight layout is computed
    afresh from Matplotlib's default margins before each file is drawn,
    so that its result does not depend on earlier draws: saving the same
    figure twice gives the same bytes.
    The PDF is rendered by the PDF backend, the PNG by Agg, without
    changing the figure's own canvas or the session's backend.
    """
    if not isinstance(fig, Figure):
        raise TypeError(
            f"fig must be a matplotlib.figure.Figure; got {type(fig).__name__}"
        )
    name = _check_name(name)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / f"{name}.pdf"
    png = folder / f"{name}.png"
    with style():
        _reset_tight_layout(fig)
        fig.savefig(
            pdf,
            format="pdf",
            backend="pdf",
            metadata=_PDF_METADATA,
        )
        _reset_tight_layout(fig)
        fig.savefig(
            png,
            format="png",
            backend="agg",
            dpi=PNG_DPI,
            metadata=_PNG_METADATA,
        )
    return pdf, png
