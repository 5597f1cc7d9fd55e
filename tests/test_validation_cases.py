"""Every case of docs/validation.md, evaluated through the code the report uses.

Published values and sources are in ``tests/authorities/`` and ``src/msrsim/validation.py``.
Each test is marked ``validation`` (independent data) or ``calibration`` (data that set a
parameter: the test checks the fit holds). Known gaps are strict xfails that name the measured
value and the published value: a gap that closes fails the suite until its note is removed.
"""

from __future__ import annotations

import pytest

from msrsim import validation as V


def _param(c: V.Case):
    marks = [getattr(pytest.mark, c.kind)]
    if c.known_gap:
        marks.append(pytest.mark.xfail(strict=True, reason=f"known gap: {c.known_gap}; published "
                                                              f"{c.published_text()} ({c.source})"))
    return pytest.param(c, id=c.key, marks=marks)


QUICK = [_param(c) for c in V.CASES if c.quick]


@pytest.mark.parametrize("case", QUICK)
def test_case_within_tolerance(case):
    row = case.evaluate()
    assert row["within"], (f"{case.key}: msrsim {row['value']:.6g} vs published {row['published']} "
                           f"({case.source}): error {row['error']}, tolerance {row['tolerance']}")


def test_slow_cases_are_covered_by_their_own_tests():
    # The cases not in the quick set (porkchop grids, payload maximisation) are asserted by
    # tests/test_windows.py and tests/test_ascent.py through the same functions.
    slow = {c.key for c in V.CASES if not c.quick}
    assert slow == {"handbook_2028_min_c3", "handbook_2026_min_c3", "whitehead_ascent_dv",
                    "harris_vehicle_shortfall"}


def test_every_case_is_labelled_and_sourced():
    for c in V.CASES:
        assert c.kind in ("validation", "calibration"), c.key
        assert c.group in V.GROUPS and c.source and c.quantity, c.key
        tols = [t for t in (c.rel_tol, c.abs_tol, c.dex_tol) if t is not None]
        assert isinstance(c.published, tuple) != bool(tols), f"{c.key}: one tolerance or a range"
        assert isinstance(c.published, tuple) or c.tolerance_basis, f"{c.key}: tolerance needs a basis"
    # at least one independent case per physics model the issue names
    for group in ("Atmospheres", "Entry", "Ascent"):
        assert any(c.group == group and c.kind == "validation" and not c.known_gap for c in V.CASES)


def test_quick_report_is_generated_with_its_summary(tmp_path):
    out = tmp_path / "validation.md"
    assert V.main(["--quick", "--out", str(out)]) == 0
    text = out.read_text()
    rows = V.evaluate(quick=True)
    s = V.summarise(rows)
    assert V.summary_line(s) in text
    assert s["unexpected_misses"] == []
    assert s["known_gaps"] == sum(bool(c.known_gap) for c in V.CASES if c.quick)
    for g in V.GROUPS:
        assert f"## {g}" in text
    # each evaluated case appears once with its label, and a miss is flagged
    assert text.count("| validation (known gap) |") == s["known_gaps"]
    assert text.count(" ✗ |") == s["known_gaps"]


def test_report_to_an_unwritable_path_is_a_one_line_error(capsys):
    assert V.main(["--quick", "--out", "/proc/msrsim/validation.md"]) == 2
    out = capsys.readouterr().out
    assert out.startswith("msrsim: error: cannot write '/proc/msrsim/validation.md'") and out.count("\n") == 1
