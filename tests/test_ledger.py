"""Tests of analysis.ledger and the claim registry."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from analysis import ledger
from analysis.claims import CLAIMS, claim

ROOT = Path(__file__).resolve().parents[1]


def test_claim_ids_are_unique_and_every_claim_has_a_home():
    ids = [c.id for c in CLAIMS]
    assert len(ids) == len(set(ids))
    for item in CLAIMS:
        assert bool(item.notebook) != bool(item.not_checkable), item.id
        assert re.fullmatch(r"\d+(-\d+)?(, \d+(-\d+)?)*", item.lines), item.id


def test_every_line_of_the_response_is_covered_or_marked_not_checkable():
    # Lines 1-56 of the response; each claim lists the lines it comes from.
    covered = set()
    for item in CLAIMS:
        for part in item.lines.split(", "):
            low, _, high = part.partition("-")
            covered.update(range(int(low), int(high or low) + 1))
    assert covered <= set(range(1, 57))
    assert len(covered) >= 45


def test_record_writes_a_deterministic_file(tmp_path):
    evidence = {"coverage": 0.123456789, "cases": 12, "law": "normal"}
    first = ledger.record(
        "A1", "holds", "all 12 intervals cover", evidence, results=tmp_path
    )
    text = (tmp_path / "verdicts" / "A1.json").read_text()
    ledger.record("A1", "holds", "all 12 intervals cover", evidence, results=tmp_path)
    assert (tmp_path / "verdicts" / "A1.json").read_text() == text
    data = json.loads(text)
    assert data["evidence"]["coverage"] == 0.123457
    assert first.notebook == claim("A1").notebook


def test_numpy_integers_and_bools_are_kept_exact(tmp_path):
    evidence = {"n": np.int64(123456789), "ok": np.bool_(True), "x": np.float32(0.5)}
    entry = ledger.record("A1", "holds", "s", evidence, results=tmp_path)
    assert entry.evidence == {"n": 123456789, "ok": True, "x": 0.5}
    data = json.loads((tmp_path / "verdicts" / "A1.json").read_text())
    assert data["evidence"]["n"] == 123456789 and data["evidence"]["ok"] is True


def test_load_returns_what_was_recorded(tmp_path):
    entry = ledger.record(
        "C5", "does not hold", "ratio 0.85", {"ratio": 0.85}, results=tmp_path
    )
    assert ledger.load(tmp_path) == {"C5": entry}


def test_table_has_a_row_per_claim_and_marks_unchecked_ones(tmp_path):
    ledger.record(
        "A2", "holds", "bias is -beta1^t mu", {"max_error": 1e-3}, results=tmp_path
    )
    table = ledger.render_table(ledger.load(tmp_path))
    rows = table.strip().splitlines()[2:]
    assert len(rows) == len(CLAIMS)
    by_id = {row.split(" | ")[0].strip("| "): row for row in rows}
    assert "| holds |" in by_id["A2"]
    assert "not yet checked" in by_id["B1"]
    assert "not checkable" in by_id["N1"]


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("Z9", "holds", "x", {"a": 1.0}), "claim_id"),
        (("N1", "holds", "x", {"a": 1.0}), "not checkable"),
        (("A1", "true", "x", {"a": 1.0}), "verdict"),
        (("A1", "holds", "", {"a": 1.0}), "summary"),
        (("A1", "holds", "two\nlines", {"a": 1.0}), "summary"),
        (("A1", "holds", "x", {}), "evidence"),
        (("A1", "holds", "x", {"a": float("nan")}), "evidence"),
        (("A1", "holds", "x", {"a": "typed"}), "at least one computed number"),
        (("A1", "holds", "x", {"a": True}), "at least one computed number"),
        (("A1", "holds", "x", {"a": None}), "evidence"),
        (("A1", "holds", "x", {"a": np.array([1.0, 2.0])}), "evidence"),
        (("A1", "holds", "x", [1.0, 2.0]), "evidence must be a mapping"),
        (("A1", "holds", None, {"a": 1.0}), "summary"),
        (("A1", "holds", "a\rb", {"a": 1.0}), "summary"),
        (("A1", "holds", "a\r\nb", {"a": 1.0}), "summary"),
        (("A1", "holds", "ends with a break\n", {"a": 1.0}), "summary"),
        (("A1", "holds", "a\tb", {"a": 1.0}), "summary"),
        (("A1", "holds", "a\x00b", {"a": 1.0}), "summary"),
        (("A1", "holds", "a\x1bb", {"a": 1.0}), "summary"),
        (("A1", "holds", "a\u2028b", {"a": 1.0}), "summary"),
        (("A1", "holds", "a\x85b", {"a": 1.0}), "summary"),
        (("A1", "holds", "x", {1: 2.0, "1": 3.0}), "evidence names"),
        (("A1", "holds", "x", {("a", "b"): 2.0}), "evidence names"),
        (("A1", "holds", "x", {None: 2.0}), "evidence names"),
    ],
)
def test_bad_records_raise_naming_the_argument(tmp_path, args, match):
    with pytest.raises(ValueError, match=match):
        ledger.record(*args, results=tmp_path)


@pytest.mark.parametrize("results", [None, 3, "", b"results", ["results"]])
def test_record_and_load_need_a_results_path(results):
    with pytest.raises(ValueError, match=r"^results must"):
        ledger.record("A1", "holds", "x", {"n": 1}, results=results)
    with pytest.raises(ValueError, match=r"^results must"):
        ledger.load(results)


def test_a_pipe_in_the_summary_is_kept_and_escaped_in_the_table(tmp_path):
    entry = ledger.record(
        "A1", "holds", "worst |z| = 3.2", {"z": 3.2}, results=tmp_path
    )
    assert entry.summary == "worst |z| = 3.2"
    table = ledger.render_table(ledger.load(tmp_path))
    row = next(line for line in table.splitlines() if line.startswith("| A1 "))
    assert "worst \\|z\\| = 3.2" in row
    assert row.count(" | ") == 5


def _good_file(tmp_path):
    ledger.record("A1", "holds", "all cover", {"n": 3, "z": 1.5}, results=tmp_path)
    path = tmp_path / "verdicts" / "A1.json"
    return path, json.loads(path.read_text())


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"verdict": "banana"}, "verdict must be one of"),
        ({"verdict": "not checkable"}, "verdict must be one of"),
        ({"verdict": 1}, "verdict must be a string"),
        ({"extra": 1}, r"unknown \['extra'\]"),
        ({"summary": None}, "summary must be"),
        ({"summary": "two\nlines"}, "summary must be"),
        ({"summary": "a\rb"}, "summary must be"),
        ({"summary": " "}, "summary must be"),
        ({"evidence": {}}, "evidence must be"),
        ({"evidence": [1.0]}, "evidence must be"),
        ({"evidence": {"a": None}}, r"evidence\['a'\]"),
        ({"evidence": {"a": [1.0]}}, r"evidence\['a'\]"),
        ({"evidence": {"a": float("nan")}}, r"evidence\['a'\] must be finite"),
        ({"evidence": {"a": "text", "b": True}}, "at least one computed number"),
        ({"claim": "A2"}, "records claim 'A2'"),
        ({"claim": 1}, "claim must be a string"),
        ({"notebook": None}, "notebook must be a string"),
    ],
)
def test_load_refuses_bad_files_naming_the_file(tmp_path, change, match):
    path, data = _good_file(tmp_path)
    data.update(change)
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=re.escape(str(path)) + ": .*" + match):
        ledger.load(tmp_path)


@pytest.mark.parametrize("key", ["claim", "verdict", "summary", "evidence", "notebook"])
def test_load_refuses_a_file_with_a_missing_key(tmp_path, key):
    path, data = _good_file(tmp_path)
    del data[key]
    path.write_text(json.dumps(data))
    with pytest.raises(
        ValueError, match=re.escape(str(path)) + f": .*missing \\['{key}'\\]"
    ):
        ledger.load(tmp_path)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{", "malformed JSON"),
        ("", "malformed JSON"),
        ("[1, 2]", "must hold a JSON object"),
        ('"holds"', "must hold a JSON object"),
    ],
)
def test_load_refuses_malformed_files_naming_the_file(tmp_path, text, match):
    path, _ = _good_file(tmp_path)
    path.write_text(text)
    with pytest.raises(ValueError, match=re.escape(str(path)) + ": " + match):
        ledger.load(tmp_path)


def test_load_refuses_unregistered_and_not_checkable_claims(tmp_path):
    path, data = _good_file(tmp_path)
    for claim_id, match in (("Z9", "claim_id must be one of"), ("N1", "not checkable")):
        path.unlink(missing_ok=True)
        bad = tmp_path / "verdicts" / f"{claim_id}.json"
        bad.write_text(json.dumps({**data, "claim": claim_id}))
        with pytest.raises(ValueError, match=re.escape(str(bad)) + ": .*" + match):
            ledger.load(tmp_path)
        bad.unlink()


def test_every_committed_verdict_file_loads():
    found = ledger.load(ROOT / "results")
    files = sorted(p.stem for p in (ROOT / "results" / "verdicts").glob("*.json"))
    assert sorted(found) == files


def test_update_readme_replaces_only_the_marked_section():
    text = f"intro\n{ledger.BEGIN}\nold\n{ledger.END}\noutro\n"
    new = ledger.update_readme(text, "table\n")
    assert new == f"intro\n{ledger.BEGIN}\ntable\n{ledger.END}\noutro\n"
    with pytest.raises(ValueError, match="readme"):
        ledger.update_readme("no markers", "table\n")


def test_committed_readme_and_verdicts_match_the_recorded_results():
    # The table in the README is generated, never typed in.
    code = ledger.main(
        [
            "--check",
            "--results",
            str(ROOT / "results"),
            "--readme",
            str(ROOT / "README.md"),
        ]
    )
    assert code == 0, "run `python -m analysis.ledger` to regenerate the table"
