"""History from another tracker: `import --new-ids` renumbers the file's assessments and their
corrections, all or nothing, and a second run adds nothing; imports take labels for keys."""

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import ACTOR, days_ago, draft, evidence
from tests.test_dashboard import open_page
from tracker import clock, demo, history_file
from tracker.cli import main
from tracker.errors import InvalidInput
from tracker.records import AssessmentDraft, EvidenceDraft, values_of
from tracker.service import Tracker
from tracker.ui.common import WORD_JOINER
from tracker.ui.pages.reports import NEW_IDS
from tracker.views import AssessmentView


def export(tracker: Tracker) -> str:
    out = io.StringIO()
    tracker.export_history(out)
    return out.getvalue()


def every_assessment(tracker: Tracker) -> list[AssessmentView]:
    return sorted(
        (a for rec in tracker.recommendations() for a in tracker.history(rec.id)),
        key=lambda a: a.id,
    )


def content(a: AssessmentView) -> tuple:
    """Everything an assessment says but its ids: what must arrive unchanged."""
    fields = values_of(AssessmentDraft, a)
    del fields["corrects_id"]
    items = tuple(tuple(values_of(EvidenceDraft, e).items()) for e in a.evidence)
    return (*fields.items(), a.recorded_at, items)


def sample_tracker(url: str) -> Tracker:
    """A tracker holding the sample history, as `python -m tracker demo` fills it."""
    opened = Tracker.open(url)
    opened.init()
    demo.fill(opened, ACTOR)
    return opened


@pytest.fixture
def source(other_db_url: str) -> Iterator[Tracker]:
    """Another tracker, of the same kind as `tracker`, holding the sample history."""
    opened = sample_tracker(other_db_url)
    yield opened
    opened.close()


def own_history(tracker: Tracker) -> list[int]:
    """Three assessments of the tracker's own, older than the sample history, one of them a
    correction; returns their ids (1, 2, 3: the sample's first ids too)."""
    first = tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(700), progress=5))
    fixed = tracker.log_assessment(
        ACTOR, draft("R1", as_of=days_ago(700), progress=6, corrects_id=first)
    )
    other = tracker.log_assessment(
        ACTOR, draft("R3", as_of=days_ago(650), progress=1, evidence=[evidence()])
    )
    return [first, fixed, other]


def test_new_ids_bring_the_sample_history_into_a_tracker_with_its_own(
    tracker: Tracker, db_url: str, source: Tracker, tmp_path: Path, capsys
):
    own = own_history(tracker)
    own_before = every_assessment(tracker)
    path = tmp_path / "sample.csv"
    path.write_text(export(source), encoding="utf-8")
    sample = every_assessment(source)

    assert main(["import", str(path), "--new-ids", "--db", db_url]) == 0
    first, last = len(own) + 1, len(own) + len(sample)
    assert capsys.readouterr().out == (
        f"Imported {len(sample)} assessments with new ids (#{first}–#{last}); "
        "skipped 0 already stored.\n"
    )

    stored = every_assessment(tracker)
    assert stored[: len(own)] == own_before, "the tracker's own history is untouched"
    arrived = stored[len(own) :]
    assert [a.id for a in arrived] == list(range(first, last + 1))
    assert [content(a) for a in arrived] == [content(a) for a in sample]
    # The sample's ids map to the new ones in order; every correction follows its target.
    new_id = {old.id: new.id for old, new in zip(sample, arrived, strict=True)}
    corrections = [(new_id[a.id], new_id[a.corrects_id]) for a in sample if a.corrects_id]
    assert corrections, "the sample history holds a correction"
    assert [(a.id, a.corrects_id) for a in arrived if a.corrects_id] == corrections
    assert [(a.id, a.corrected_by_id) for a in arrived if a.corrected_by_id] == [
        (target, correction) for correction, target in corrections
    ]
    # What is in effect on every date of the sample, and today, is the sample's.
    for day in [*sorted({a.as_of for a in sample}), clock.today()]:
        expected = [(r.recommendation.id, r.assessment) for r in source.statuses(day)]
        found = {r.recommendation.id: r.assessment for r in tracker.statuses(day)}
        for rec_id, assessment in expected:
            if assessment is not None:
                assert found[rec_id] is not None and found[rec_id].id == new_id[assessment.id]

    exported = export(tracker)
    assert main(["import", str(path), "--new-ids", "--db", db_url]) == 0
    assert capsys.readouterr().out == (
        f"Imported 0 assessments with new ids; skipped {len(sample)} already stored.\n"
    )
    assert export(tracker) == exported, "a second run adds nothing"
    assert tracker.log_assessment(ACTOR, draft("R4")) == last + 1


def test_without_new_ids_a_colliding_id_says_to_use_them(
    tracker: Tracker, db_url: str, source: Tracker, tmp_path: Path, capsys
):
    own_history(tracker)
    before = export(tracker)
    path = tmp_path / "sample.csv"
    path.write_text(export(source), encoding="utf-8")
    assert main(["import", str(path), "--db", db_url]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        f"sample.csv, row {n}, column assessment_id" for n in (2, 3, 4)
    ]
    assert lines[0] == (
        "error: sample.csv, row 2, column assessment_id: assessment 1 is already stored with "
        "other content, and assessments are never changed: if this file comes from another "
        "tracker, import it with --new-ids; to change the stored assessment, log a correction"
    )
    assert export(tracker) == before


def test_new_ids_write_nothing_when_one_row_is_wrong(
    tracker: Tracker, db_url: str, source: Tracker, tmp_path: Path, capsys
):
    own_history(tracker)
    before = export(tracker)
    rows = list(csv.reader(io.StringIO(export(source))))
    header, body = rows[0], rows[1:]
    corrected = next(r for r in body if r[header.index("corrects")])
    target = corrected[header.index("corrects")]
    # The corrected assessment left out: its correction names an id that is not in the file.
    kept = [r for r in body if r[0] != target]
    path = tmp_path / "partial.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([header, *kept])
    assert main(["import", str(path), "--new-ids", "--db", db_url]) == 2
    row = 2 + kept.index(corrected)
    assert capsys.readouterr().err.splitlines() == [
        f"error: partial.csv, row {row}, column corrects: there is no assessment {target} in "
        "this file; with new ids, a correction can only correct a row of the same file"
    ]
    assert export(tracker) == before


def imported(tracker: Tracker, text: str, **options) -> tuple[int, int]:
    result = tracker.import_history(
        ACTOR, history_file.parse(text.encode(), "file.csv"), new_ids=True, **options
    )
    return result.added, result.skipped


HEADER = "assessment_id,recommendation_id,status,progress,as_of,analyst,note,corrects\n"


def test_a_correction_of_a_row_imported_before_corrects_the_stored_assessment(tracker: Tracker):
    own_history(tracker)
    day = days_ago(9)
    first = HEADER + f"7,R2,in_progress,80,{day},Bo,Typo,\n8,R4,stalled,10,{day},Bo,Quiet,\n"
    assert imported(tracker, first) == (2, 0)
    later = first + f"9,R2,in_progress,30,{day},Bo,Fixed,7\n"
    assert imported(tracker, later) == (1, 2)
    (fix, typo) = tracker.history("R2")
    assert (typo.id, typo.note, fix.id, fix.corrects_id) == (4, "Typo", 6, 4)
    assert tracker.statuses()[1].progress == 30
    assert imported(tracker, later) == (0, 3)


def test_equal_rows_of_one_file_all_arrive_and_a_second_run_adds_nothing(tracker: Tracker):
    day = days_ago(4)
    text = HEADER + (
        f"11,R1,in_progress,20,{day},Bo,Same,\n"
        f"12,R1,in_progress,20,{day},Bo,Same,\n"
        f"13,R1,in_progress,25,{day},Bo,Second one fixed,12\n"
    )
    assert imported(tracker, text) == (3, 0)
    assert imported(tracker, text) == (0, 3)
    assert [(a.id, a.corrects_id, a.corrected_by_id) for a in every_assessment(tracker)] == [
        (1, None, None),
        (2, None, 3),
        (3, 2, None),
    ]


def test_new_ids_name_every_problem_of_the_file_by_its_own_ids(tracker: Tracker):
    day = days_ago(3)
    text = HEADER + (
        f"5,R1,in_progress,20,{day},Bo,One,\n"
        f"5,R1,in_progress,21,{day},Bo,Same id,\n"
        f"6,R2,in_progress,22,{day},Bo,Other recommendation,5\n"
        f"7,R1,in_progress,23,{day},Bo,Later first,8\n"
        f"8,R1,in_progress,24,{day},Bo,Corrects,5\n"
        f"9,R1,in_progress,25,{day},Bo,Corrects too,5\n"
        f"10,R9,in_progress,26,{day},Bo,Unknown,\n"
    )
    with pytest.raises(InvalidInput) as refused:
        imported(tracker, text, dry_run=True)
    assert [str(p) for p in refused.value.problems] == [
        "file.csv, row 3, column assessment_id: 5 is also the id in row 2",
        "file.csv, row 4, column corrects: assessment 5 is of R1, not R2",
        "file.csv, row 5, column corrects: an assessment corrects an earlier one; 8 is not "
        "earlier than 7",
        "file.csv, row 7, column corrects: assessment 5 is also corrected in row 6",
        "file.csv, row 8, column recommendation_id: there is no recommendation 'R9'",
    ]
    assert tracker.count_assessments() == 0


def test_a_correction_of_a_stored_assessment_corrected_otherwise_is_refused(tracker: Tracker):
    day = days_ago(6)
    assert imported(tracker, HEADER + f"1,R5,stalled,40,{day},Bo,Slow,\n") == (1, 0)
    tracker.log_assessment(ACTOR, draft("R5", as_of=day, progress=45, corrects_id=1))
    text = HEADER + f"1,R5,stalled,40,{day},Bo,Slow,\n2,R5,stalled,50,{day},Bo,Other fix,1\n"
    with pytest.raises(InvalidInput) as refused:
        imported(tracker, text)
    assert [str(p) for p in refused.value.problems] == [
        "file.csv, row 3, column corrects: assessment 1 was already corrected by 2; correct 2 "
        "instead"
    ]
    assert tracker.count_assessments() == 2


def test_an_import_takes_the_labels_the_dashboard_shows_as_well_as_keys(tracker: Tracker):
    day = days_ago(2)
    text = (
        "recommendation_id,status,progress,as_of,analyst,confidence,basis,note,"
        "evidence_1_url,evidence_1_source_type,evidence_1_reliability\n"
        f"R1,In progress,30,{day},Bo,High,Verified independently,,"
        "https://example.org/a,News,B – Usually reliable\n"
        f"R2, not PURSUED ,10,{day},Bo,low,reported by the implementing actor,Dropped,,,\n"
        f"R3,stalled,10,{day},Bo,moderate,verified,,,,\n"
    )
    assert imported(tracker, text) == (3, 0)
    r1, r2, r3 = (tracker.history(rec)[0] for rec in ("R1", "R2", "R3"))
    assert (r1.status, r1.confidence, r1.basis) == ("in_progress", "high", "verified")
    assert [(e.source_type, e.reliability) for e in r1.evidence] == [("news", "B")]
    assert (r2.status, r2.confidence, r2.basis) == ("not_pursued", "low", "reported")
    assert (r3.status, r3.confidence, r3.basis) == ("stalled", "moderate", "verified")


def test_keys_stay_exact_while_labels_take_any_case():
    text = (
        "recommendation_id,status,progress,as_of,analyst\n"
        f"R1,In_Progress,30,{days_ago(1)},Bo\n"
        f"R1,IN PROGRESS,30,{days_ago(1)},Bo\n"
    )
    with pytest.raises(InvalidInput) as refused:
        history_file.parse(text.encode(), "file.csv")
    assert [(p.row, p.column, p.params["value"]) for p in refused.value.problems] == [
        (2, "status", "In_Progress")
    ]


def test_the_reports_page_imports_another_trackers_history_with_new_ids(
    sqlite_tracker: Tracker, tmp_path: Path, monkeypatch
):
    tracker = sqlite_tracker
    monkeypatch.setenv("TRACKER_DB_URL", str(tracker.store.engine.url))
    own_history(tracker)
    source = sample_tracker(f"sqlite:///{tmp_path / 'sample.db'}")
    data = export(source).encode()
    sample = source.count_assessments()
    app = open_page("tracker/ui/pages/reports.py")
    app.file_uploader(key="import_file").set_value(("sample.csv", data, "text/csv")).run()
    assert not app.exception
    shown = app.error[0].value.replace("\\", "").replace(WORD_JOINER, "")
    assert f"if this file comes from another tracker, tick “{NEW_IDS}” and import it again" in (
        shown
    )
    assert not app.info

    app.checkbox(key="import_new_ids").check().run()
    assert not app.error
    assert [i.value for i in app.info] == [
        f"{sample} assessments will be added with new ids after the stored ones (corrections "
        "follow them); 0 are already stored and will be skipped. Nothing has been written yet."
    ]
    preview = app.dataframe[-1].value
    assert list(preview["Id in the file"][:3]) == ["1", "2", "3"]
    assert list(preview["Status"][:2]) == ["Not started", "In progress"]
    corrects = [value for value in preview["Corrects"] if value]
    assert corrects == [str(a.corrects_id) for a in every_assessment(source) if a.corrects_id]
    assert tracker.count_assessments() == 3, "the preview writes nothing"
    app.button(key="import_confirm").click().run()
    assert not app.exception
    assert app.success[0].value == (
        f"Imported {sample} assessments as #4–#{3 + sample}; skipped 0 already stored."
    )
    assert tracker.count_assessments() == 3 + sample
    assert [(r.status, r.progress) for r in tracker.statuses()] == [
        (r.status, r.progress) for r in source.statuses()
    ]
    source.close()
