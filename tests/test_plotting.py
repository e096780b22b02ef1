"""Tests of analysis.plotting: one style and byte-reproducible figure files."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from analysis import plotting
from analysis.plotting import (
    COLUMN_WIDTH,
    METHOD_STYLES,
    PNG_DPI,
    TEXT_WIDTH,
    method_style,
    new_figure,
    save_figure,
    style,
)

ROOT = Path(__file__).resolve().parents[1]

EXPECTED_METHODS = {
    "SGD",
    "Sign descent",
    "Sign descent (momentum)",
    "Adam",
    "AMSGrad",
    "AdaBelief",
    "AdaBelief (max)",
    "Centered",
    "AdaGrad",
}

# Builds one figure exercising lines, markers, mathtext, a legend, log axes
# and two panels, then saves it; run in this process and in fresh ones.
FIGURE_SCRIPT = r"""
import sys

import numpy as np

import analysis.plotting as ap


def make(directory, name="figure"):
    fig, (left, right) = ap.new_figure("text", aspect=0.4, ncols=2)
    steps = np.arange(1, 101)
    for k, method in enumerate(ap.METHOD_STYLES):
        left.plot(
            steps,
            (k + 1) / np.sqrt(steps),
            label=method,
            markevery=20,
            **ap.method_style(method),
        )
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel(r"step $t$")
    left.set_ylabel(r"$\|m_t\| / (\sqrt{s_t} + \epsilon)$")
    left.set_title(r"Rate $O(1/\sqrt{T})$")
    right.set_axis_off()
    right.legend(*left.get_legend_handles_labels(), loc="center", ncol=2)
    return ap.save_figure(fig, name, directory)


if __name__ == "__main__":
    make(sys.argv[1])
"""


def make_in_process(directory: Path, name: str = "figure") -> tuple[Path, Path]:
    namespace: dict[str, Any] = {"__name__": "figure_script"}
    exec(compile(FIGURE_SCRIPT, "figure_script", "exec"), namespace)
    paths: tuple[Path, Path] = namespace["make"](directory, name)
    return paths


def make_in_fresh_process(directory: Path, hash_seed: int) -> tuple[Path, Path]:
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = str(hash_seed)
    env.pop("MPLBACKEND", None)
    completed = subprocess.run(
        [sys.executable, "-c", FIGURE_SCRIPT, str(directory)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return directory / "figure.pdf", directory / "figure.png"


def pdf_size_inches(path: Path) -> tuple[float, float]:
    match = re.search(
        rb"/MediaBox \[ *0 +0 +([0-9.]+) +([0-9.]+) *\]", path.read_bytes()
    )
    assert match is not None, f"no MediaBox in {path}"
    return float(match[1]) / 72.0, float(match[2]) / 72.0


def png_size_pixels(path: Path) -> tuple[int, int]:
    image = mpimg.imread(path)
    height, width = image.shape[:2]
    return int(width), int(height)


@pytest.fixture(autouse=True)
def _isolated_matplotlib() -> Iterator[None]:
    with mpl.rc_context():
        yield
    plt.close("all")


# --------------------------------------------------------------------------
# reproducible files


def test_saving_twice_gives_identical_bytes(tmp_path: Path) -> None:
    first_pdf, first_png = make_in_process(tmp_path / "first")
    fig = plt.gcf()
    again_pdf, again_png = save_figure(fig, "figure", tmp_path / "again")
    assert first_pdf.read_bytes() == again_pdf.read_bytes()
    assert first_png.read_bytes() == again_png.read_bytes()


def test_fresh_processes_give_identical_bytes(tmp_path: Path) -> None:
    one = make_in_fresh_process(tmp_path / "one", hash_seed=1)
    two = make_in_fresh_process(tmp_path / "two", hash_seed=2)
    here = make_in_process(tmp_path / "here")
    for a, b, c in zip(one, two, here, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
        assert a.read_bytes() == c.read_bytes(), a.name


def test_files_carry_no_timestamp_or_software_tag(tmp_path: Path) -> None:
    pdf, png = make_in_process(tmp_path)
    pdf_bytes = pdf.read_bytes()
    assert pdf_bytes.startswith(b"%PDF-")
    assert b"/CreationDate" not in pdf_bytes
    assert b"/ModDate" not in pdf_bytes
    assert b"/ID" not in pdf_bytes
    png_bytes = png.read_bytes()
    assert png_bytes.startswith(b"\x89PNG")
    assert b"Software" not in png_bytes
    assert b"tIME" not in png_bytes


@pytest.mark.parametrize(
    ("width", "aspect", "inches"),
    [("column", 0.8, COLUMN_WIDTH), ("text", 0.5, TEXT_WIDTH)],
)
def test_files_have_the_expected_size(
    tmp_path: Path, width: str, aspect: float, inches: float
) -> None:
    fig, ax = new_figure(width, aspect=aspect)  # type: ignore[arg-type]
    ax.plot([1, 2, 3], [2, 1, 3], **method_style("AdaBelief"))
    ax.set_xlabel("$t$")
    pdf, png = save_figure(fig, "sized", tmp_path / "nested" / "folder")
    assert pdf == tmp_path / "nested" / "folder" / "sized.pdf"
    assert png == tmp_path / "nested" / "folder" / "sized.png"
    assert pdf.is_file() and png.is_file()
    pdf_width, pdf_height = pdf_size_inches(pdf)
    assert pdf_width == pytest.approx(inches)
    assert pdf_height == pytest.approx(aspect * inches)
    assert png_size_pixels(png) == (
        round(inches * PNG_DPI),
        round(aspect * inches * PNG_DPI),
    )


def test_save_keeps_the_figure_canvas_and_backend(tmp_path: Path) -> None:
    fig, _ = new_figure()
    canvas = fig.canvas
    backend = mpl.get_backend()
    save_figure(fig, "canvas", tmp_path)
    assert fig.canvas is canvas
    assert mpl.get_backend() == backend


# --------------------------------------------------------------------------
# style


def test_every_method_has_a_distinct_colour_marker_and_style() -> None:
    assert set(METHOD_STYLES) == EXPECTED_METHODS
    colours = {to_rgb(spec["color"]) for spec in METHOD_STYLES.values()}
    markers = {spec["marker"] for spec in METHOD_STYLES.values()}
    assert len(colours) == len(METHOD_STYLES)
    assert len(markers) == len(METHOD_STYLES)
    for name, spec in METHOD_STYLES.items():
        assert set(spec) == {"color", "marker", "linestyle"}, name


def test_method_style_returns_a_copy_usable_by_plot() -> None:
    spec = method_style("Adam")
    assert spec == METHOD_STYLES["Adam"]
    spec["color"] = "red"
    assert METHOD_STYLES["Adam"]["color"] != "red"
    fig, ax = new_figure()
    (line,) = ax.plot([0, 1], [0, 1], **method_style("AdaBelief"))
    expected = METHOD_STYLES["AdaBelief"]["color"]
    assert to_rgb(line.get_color()) == to_rgb(expected)
    assert isinstance(fig, Figure)


@pytest.mark.parametrize("name", ["adam", "Adabelief", "", "RMSprop", None, 3])
def test_unknown_method_raises(name: object) -> None:
    with pytest.raises(ValueError, match="name must be one of"):
        method_style(name)  # type: ignore[arg-type]


def test_style_context_sets_and_restores_rcparams() -> None:
    mpl.rcParams["font.size"] = 12.0
    with style():
        assert mpl.rcParams["font.size"] == 8.0
        assert mpl.rcParams["text.usetex"] is False
        assert mpl.rcParams["axes.spines.top"] is False
        assert mpl.rcParams["axes.spines.right"] is False
        assert mpl.rcParams["figure.autolayout"] is True
        assert mpl.rcParams["font.family"] == ["serif"]
    assert mpl.rcParams["font.size"] == 12.0
    with style({"font.size": 9.0}):
        assert mpl.rcParams["font.size"] == 9.0


def test_new_figure_shapes() -> None:
    fig, axes = new_figure("text", aspect=0.3, nrows=2, ncols=3, sharex=True)
    assert axes.shape == (2, 3)
    width, height = fig.get_size_inches()
    assert width == pytest.approx(TEXT_WIDTH)
    assert height == pytest.approx(0.3 * TEXT_WIDTH)
    assert not axes[0, 0].spines["top"].get_visible()
    assert not axes[0, 0].spines["right"].get_visible()


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"width": "page"}, "width"),
        ({"width": 3.0}, "width"),
        ({"aspect": 0.0}, "aspect"),
        ({"aspect": -1.0}, "aspect"),
        ({"aspect": math.nan}, "aspect"),
        ({"aspect": math.inf}, "aspect"),
        ({"aspect": "wide"}, "aspect"),
        ({"nrows": 0}, "nrows"),
        ({"ncols": 1.5}, "ncols"),
        ({"nrows": True}, "nrows"),
        ({"figsize": (3, 2)}, "figsize"),
    ],
)
def test_new_figure_rejects_bad_arguments(
    kwargs: dict[str, Any], argument: str
) -> None:
    with pytest.raises(ValueError, match=f"^{argument}"):
        new_figure(**kwargs)


@pytest.mark.parametrize(
    "name",
    ["", "a/b", "a\\b", "../up", "..", ".hidden", "x.pdf", "y.PNG", "a b", 7],
)
def test_save_figure_rejects_bad_names(tmp_path: Path, name: object) -> None:
    fig, _ = new_figure()
    with pytest.raises(ValueError, match=r"^name must"):
        save_figure(fig, name, tmp_path)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_save_figure_rejects_non_figures(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="fig"):
        save_figure("figure", "name", tmp_path)  # type: ignore[arg-type]


def test_module_sets_no_backend_at_import() -> None:
    source = Path(plotting.__file__).read_text(encoding="utf-8")
    assert "mpl.use(" not in source
    assert "matplotlib.use(" not in source
