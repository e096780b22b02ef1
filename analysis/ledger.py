"""The claim ledger: verdicts recorded by the notebooks, rendered as a table.

A notebook checks a claim, asserts that its numbers support the verdict,
and calls :func:`record` with the verdict, a one-line summary built from
those numbers and the numbers themselves. Each record is a small JSON file
``<results>/verdicts/<ID>.json``, written deterministically (sorted keys,
rounded numbers) so a rerun gives the same bytes.

``python -m analysis.ledger`` renders every claim of
:data:`analysis.claims.CLAIMS`, checked or not, as a Markdown table, prints
it, writes it to ``results/VERDICTS.md`` and into the README between the
markers ``<!-- verdicts:begin -->`` and ``<!-- verdicts:end -->``.
``--check`` only reports whether those files are up to date.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from analysis.claims import CLAIMS, Claim, claim

__all__ = [
    "VERDICTS",
    "Verdict",
    "load",
    "main",
    "record",
    "render_table",
    "update_readme",
]

#: The verdict words, from strongest support to none.
VERDICTS: tuple[str, ...] = (
    "holds",
    "holds approximately",
    "does not hold",
    "not checkable",
)

BEGIN = "<!-- verdicts:begin -->"
END = "<!-- verdicts:end -->"
_SIGNIFICANT = 6

Evidence = Mapping[str, float | int | str | bool]


@dataclasses.dataclass(frozen=True)
class Verdict:
    """A recorded verdict.

    Attributes
    ----------
    claim : str
        Claim identifier.
    verdict : str
        One of :data:`VERDICTS`.
    summary : str
        One line saying what was found, with its numbers.
    evidence : dict
        The numbers behind the verdict, by name.
    notebook : str
        The notebook that recorded it.
    """

    claim: str
    verdict: str
    summary: str
    evidence: dict[str, float | int | str | bool]
    notebook: str


_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Verdict))
_ONE_LINE = "one non-empty line of text without control characters"


def _results_dir(results: object) -> Path:
    """Return the results directory as a path, refusing anything else."""
    if not isinstance(results, str | os.PathLike) or results == "":
        raise ValueError(
            "results must be the results directory, a non-empty str or "
            f"pathlib.Path, got {results!r}"
        )
    try:
        return Path(results)
    except TypeError as error:  # an os.PathLike giving bytes
        raise ValueError(f"results must be a str or pathlib.Path: {error}") from None


def _check_summary(summary: object) -> str:
    """Check that ``summary`` is one line of text: no control characters.

    Line breaks (``\n``, ``\r``, ``\u2028``...) and other control
    characters would break the line of the Markdown table; ``|`` is fine,
    since :func:`_cell` escapes it.
    """
    if not isinstance(summary, str) or not summary.strip():
        raise ValueError(f"summary must be {_ONE_LINE}, got {summary!r}")
    for index, char in enumerate(summary):
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            raise ValueError(
                f"summary must be {_ONE_LINE}; found {char!r} at index {index}"
            )
    return summary


def _round(name: str, value: object) -> float | int | str | bool:
    """Keep strings, bools and integers exact; round floats to 6 digits."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, str):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if not isinstance(value, float | np.floating):
        raise ValueError(
            f"evidence[{name!r}] must be a number, a bool or a string, got "
            f"{type(value).__name__}"
        )
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"evidence[{name!r}] must be finite, got {number}")
    return float(f"{number:.{_SIGNIFICANT}g}")


def record(
    claim_id: str,
    verdict: str,
    summary: str,
    evidence: Evidence,
    *,
    results: str | Path,
) -> Verdict:
    """Record the verdict on a claim, computed by the calling notebook.

    Parameters
    ----------
    claim_id : str
        Identifier from :data:`analysis.claims.CLAIMS`.
    verdict : str
        One of :data:`VERDICTS`.
    summary : str
        One line built from the computed numbers (no line breaks).
    evidence : mapping of str to number, str or bool
        The numbers behind the verdict; floats are rounded to six
        significant digits so reruns write identical files.
    results : str or pathlib.Path
        The results directory; the record goes to
        ``results/verdicts/<claim_id>.json``.

    Returns
    -------
    Verdict
        What was written.

    Raises
    ------
    ValueError
        For an unknown claim or verdict word, a claim that is not
        checkable, an empty summary or one with a line break or another
        control character, no evidence, evidence names that are not
        strings, non-finite evidence, or ``results`` that is not a path.
    """
    directory = _results_dir(results) / "verdicts"
    item = claim(claim_id)
    if item.not_checkable:
        raise ValueError(
            f"claim_id {claim_id} is registered as not checkable; it takes no "
            "recorded verdict"
        )
    if verdict not in VERDICTS[:-1]:
        raise ValueError(f"verdict must be one of {VERDICTS[:-1]}, got {verdict!r}")
    summary = _check_summary(summary)
    if not isinstance(evidence, Mapping):
        raise ValueError(
            f"evidence must be a mapping of names to numbers, got "
            f"{type(evidence).__name__}"
        )
    for key in evidence:
        if not isinstance(key, str):
            raise ValueError(
                f"evidence names must be strings, got {key!r} of type "
                f"{type(key).__name__}"
            )
    numbers = {k: _round(k, v) for k, v in evidence.items()}
    if not any(not isinstance(v, str | bool) for v in numbers.values()):
        raise ValueError("evidence must hold at least one computed number")
    entry = Verdict(claim_id, verdict, summary.strip(), numbers, item.notebook)

    directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps(dataclasses.asdict(entry), indent=2, sort_keys=True)
    (directory / f"{claim_id}.json").write_text(text + "\n", encoding="utf-8")
    return entry


def _parse(path: Path) -> Verdict:
    """Read one verdict file, checking it as :func:`record` would write it.

    Raises
    ------
    ValueError
        Saying what is wrong, without the path (the caller adds it).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8 text ({error})") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"malformed JSON ({error})") from None
    if not isinstance(data, dict):
        raise ValueError(f"must hold a JSON object, got {type(data).__name__}")
    missing = [key for key in _FIELDS if key not in data]
    unknown = sorted(set(data) - set(_FIELDS))
    if missing or unknown:
        raise ValueError(
            f"must have exactly the keys {list(_FIELDS)}; missing {missing}, "
            f"unknown {unknown}"
        )
    for key in ("claim", "verdict", "notebook"):
        if not isinstance(data[key], str):
            raise ValueError(f"{key} must be a string, got {data[key]!r}")
    if data["claim"] != path.stem:
        raise ValueError(
            f"records claim {data['claim']!r}; the file name says {path.stem!r}"
        )
    item = claim(data["claim"])
    if item.not_checkable:
        raise ValueError(
            f"claim {item.id} is registered as not checkable; it takes no "
            "recorded verdict"
        )
    if data["verdict"] not in VERDICTS[:-1]:
        raise ValueError(
            f"verdict must be one of {VERDICTS[:-1]}, got {data['verdict']!r}"
        )
    _check_summary(data["summary"])
    evidence = data["evidence"]
    if not isinstance(evidence, dict) or not evidence:
        raise ValueError(
            f"evidence must be a non-empty JSON object of names to numbers, "
            f"got {evidence!r}"
        )
    for key, value in evidence.items():
        _round(key, value)  # checks the type; the value is kept as written
    if all(isinstance(v, str | bool) for v in evidence.values()):
        raise ValueError("evidence must hold at least one computed number")
    return Verdict(**data)


def load(results: str | Path) -> dict[str, Verdict]:
    """Return the recorded verdicts in ``results/verdicts``, by claim.

    Each file is checked as :func:`record` would have written it: exactly
    the fields of :class:`Verdict` with the right types, a registered and
    checkable claim matching the file name, a verdict word from
    :data:`VERDICTS` other than ``"not checkable"``, a one-line summary and
    finite evidence with at least one number.

    Raises
    ------
    ValueError
        If ``results`` is not a path, or for the first file that fails a
        check, naming the file and the problem.
    """
    found: dict[str, Verdict] = {}
    directory = _results_dir(results) / "verdicts"
    if not directory.is_dir():
        return found
    for path in sorted(directory.glob("*.json")):
        try:
            entry = _parse(path)
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
        found[entry.claim] = entry
    return found


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(item: Claim, verdicts: Mapping[str, Verdict]) -> str:
    if item.not_checkable:
        verdict, evidence, where = "not checkable", item.not_checkable, ""
    elif item.id in verdicts:
        entry = verdicts[item.id]
        verdict, evidence = entry.verdict, entry.summary
        where = f"[{item.notebook}](notebooks/{item.notebook})"
    else:
        verdict, evidence, where = "not yet checked", "", item.notebook
    cells = (item.id, item.lines, item.statement, verdict, evidence, where)
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def render_table(verdicts: Mapping[str, Verdict]) -> str:
    """Render every registered claim and its verdict as a Markdown table."""
    head = (
        "| ID | Lines | Claim (paraphrased) | Verdict | Evidence | Notebook |\n"
        "|---|---|---|---|---|---|"
    )
    rows = [_row(item, verdicts) for item in CLAIMS]
    return "\n".join([head, *rows]) + "\n"


def update_readme(readme: str, table: str) -> str:
    """Return ``readme`` with the text between the markers replaced.

    Raises
    ------
    ValueError
        If the markers are missing or out of order.
    """
    start, stop = readme.find(BEGIN), readme.find(END)
    if start < 0 or stop < start:
        raise ValueError(f"readme must contain {BEGIN} followed by {END}")
    return readme[: start + len(BEGIN)] + "\n" + table + readme[stop:]


def main(argv: list[str] | None = None) -> int:
    """Command line: print the table and write it (or ``--check`` it)."""
    parser = argparse.ArgumentParser(prog="python -m analysis.ledger")
    parser.add_argument("--results", default="results", type=Path)
    parser.add_argument("--readme", default="README.md", type=Path)
    parser.add_argument(
        "--check",
        action="store_true",
        help="only check that the README and VERDICTS.md are up to date",
    )
    args = parser.parse_args(argv)

    if not args.readme.is_file():
        parser.error(
            f"no README at {args.readme}; run from the repository root or pass --readme"
        )
    table = render_table(load(args.results))
    page = "# Verdicts\n\nGenerated by `python -m analysis.ledger`.\n\n" + table
    readme = update_readme(args.readme.read_text(encoding="utf-8"), table)
    outputs = {args.results / "VERDICTS.md": page, args.readme: readme}

    if args.check:
        stale = [
            str(path)
            for path, text in outputs.items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text
        ]
        if stale:
            sys.stderr.write(
                f"out of date: {', '.join(stale)}; run python -m analysis.ledger\n"
            )
            return 1
        return 0

    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
    sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
