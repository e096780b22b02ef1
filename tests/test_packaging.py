"""Packaging checks: environment.yml mirrors pyproject.toml; lint and types.

These tests run the repository's own tools (ruff, mypy) with the
interpreter running pytest, so they check what ``make test`` installs.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

# Entries of environment.yml that are not dependencies of the package.
NOT_DEPENDENCIES = {"python", "pip"}
EDITABLE_SELF = {"-e .", "--editable .", "-e ./", "--editable ./"}

_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")


def normalize(name: str) -> str:
    """Normalize a distribution name as PEP 503 does."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    """Return the normalized name of a pip or conda requirement string.

    Handles ``name``, ``name>=1.0``, ``name =1.0``, ``name[extra]>=1``
    and ``name ; marker``, the forms used in pyproject.toml and
    environment.yml.
    """
    match = _NAME.match(spec)
    if match is None:
        raise ValueError(f"spec is not a requirement: {spec!r}")
    return normalize(match[1])


def pyproject_names() -> set[str]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        project = tomllib.load(handle)["project"]
    specs = list(project["dependencies"])
    extras = project["optional-dependencies"]
    for extra in ("notebooks", "test"):
        specs.extend(extras[extra])
    return {requirement_name(spec) for spec in specs}


def load_environment() -> dict[str, Any]:
    with (ROOT / "environment.yml").open(encoding="utf-8") as handle:
        environment = yaml.safe_load(handle)
    assert isinstance(environment, dict), "environment.yml is not a mapping"
    return environment


def environment_names(environment: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            assert set(entry) == {"pip"}, f"unexpected entry {entry!r}"
            for spec in entry["pip"]:
                if spec.strip() not in EDITABLE_SELF:
                    names.add(requirement_name(spec))
        else:
            name = requirement_name(str(entry))
            if name not in NOT_DEPENDENCIES:
                names.add(name)
    return names


def check_tool(*args: str) -> None:
    """Run ``python -m <args>`` at the root; on failure, show its output."""
    completed = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        pytest.fail(
            f"`{' '.join(args)}` exited with {completed.returncode}:\n"
            f"{completed.stdout}{completed.stderr}",
            pytrace=False,
        )


# --------------------------------------------------------------------------
# environment.yml


def test_requirement_name_parsing() -> None:
    assert requirement_name("numpy>=1.26") == "numpy"
    assert requirement_name("scipy >=1.11") == "scipy"
    assert requirement_name("python=3.11") == "python"
    assert requirement_name("PyYAML>=6.0") == "pyyaml"
    assert requirement_name("jupyter_core[extra]>=5 ; python_version>'3'") == (
        "jupyter-core"
    )
    with pytest.raises(ValueError, match="spec"):
        requirement_name(">=1.0")


def test_environment_names_reads_conda_and_pip_parts() -> None:
    environment = {
        "dependencies": [
            "python=3.11",
            "pip",
            "numpy>=1.26",
            "PyYAML",
            {"pip": ["-e .", "nbval>=0.11"]},
        ]
    }
    assert environment_names(environment) == {"numpy", "pyyaml", "nbval"}


def test_environment_uses_conda_forge_and_python_3_11() -> None:
    environment = load_environment()
    assert environment.get("name"), "environment.yml has no name"
    assert environment["channels"] == ["conda-forge"]
    conda = [str(entry) for entry in environment["dependencies"]]
    assert "python=3.11" in [spec.replace(" ", "") for spec in conda]
    dependencies = environment["dependencies"]
    pip = [entry for entry in dependencies if isinstance(entry, dict)]
    assert len(pip) == 1, "environment.yml needs exactly one pip: section"
    assert any(spec.strip() in EDITABLE_SELF for spec in pip[0]["pip"])


def test_environment_matches_pyproject_dependencies() -> None:
    expected = pyproject_names()
    found = environment_names(load_environment())
    only_env = sorted(found - expected)
    only_pyproject = sorted(expected - found)
    assert found == expected, (
        "environment.yml and pyproject.toml (dependencies + notebooks and"
        " test extras) differ:\n"
        f"  only in environment.yml: {only_env}\n"
        f"  only in pyproject.toml: {only_pyproject}"
    )


# --------------------------------------------------------------------------
# tools


def test_ruff_check_passes() -> None:
    check_tool("ruff", "check", "--no-cache", ".")


def test_ruff_format_check_passes() -> None:
    check_tool("ruff", "format", "--check", "--no-cache", ".")


def test_mypy_passes_on_analysis() -> None:
    check_tool("mypy", "analysis")


def test_constraints_pin_every_dependency_exactly() -> None:
    # make installs with `-c constraints.txt`; every dependency named in
    # pyproject.toml must be pinned there with ==, or reruns could differ.
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep and version, f"constraints.txt: {line!r} is not pinned"
            pins[normalize(name)] = version
    missing = sorted(pyproject_names() - set(pins))
    assert not missing, f"constraints.txt does not pin {missing}"
