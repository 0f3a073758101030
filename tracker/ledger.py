"""The assessment ledger: appending assessments, and knowing which one is in effect.

Used by the store inside its write transactions; it opens no session of its own. Logging one
assessment and importing a file go through the same plan, so the same checks apply to both:
the recommendation exists, a correction names an earlier assessment of the same recommendation
that nothing else corrects, and (for imports) rows already stored are recognised.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime

from sqlalchemy import Select, exists, func, select, text
from sqlalchemy.orm import Session, aliased

from tracker import clock, locks
from tracker.errors import Problem
from tracker.models import Assessment, CurrentStatus, Evidence, Recommendation, StatusDay
from tracker.records import (
    AssessmentDraft,
    EvidenceDraft,
    NewAssessment,
    declared_fields,
    values_of,
)
from tracker.renumbering import renumber
from tracker.rules import MAX_ID


def in_effect(
    rec_id,
    *,
    on_or_before: date | None = None,
    on_day: date | None = None,
    recorded_before: datetime | None = None,
) -> Select:
    """The id of the assessment in effect: latest as-of, then latest recorded, not corrected."""
    correction = aliased(Assessment)
    corrected = select(correction.id).where(correction.corrects_id == Assessment.id)
    query = select(Assessment.id).where(Assessment.recommendation_id == rec_id)
    if on_or_before is not None:
        query = query.where(Assessment.as_of <= on_or_before)
    if on_day is not None:
        query = query.where(Assessment.as_of == on_day)
    if recorded_before is not None:
        query = query.where(Assessment.recorded_at < recorded_before)
        corrected = corrected.where(correction.recorded_at < recorded_before)
    return (
        query.where(~exists(corrected))
        .order_by(Assessment.as_of.desc(), Assessment.recorded_at.desc(), Assessment.id.desc())
        .limit(1)
    )


def refresh_derived(session: Session, rec_id: str, days: set[date]) -> None:
    """Recalculates the recommendation's current status and its status on `days`."""
    for day in days:
        _point(
            session,
            StatusDay,
            (rec_id, day),
            session.scalar(in_effect(rec_id, on_day=day)),
            recommendation_id=rec_id,
            day=day,
        )
    _point(
        session, CurrentStatus, rec_id, session.scalar(in_effect(rec_id)), recommendation_id=rec_id
    )


def _point(session: Session, model, key, assessment_id: int | None, **identity) -> None:
    """Points a derived row at `assessment_id`, or removes it when nothing is in effect."""
    row = session.get(model, key)
    if assessment_id is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(model(assessment_id=assessment_id, **identity))
    else:
        row.assessment_id = assessment_id


class AppendPlan:
    """Checks rows against each other and the database, and decides which are new.

    With `skip_stored`, a row equal to a stored assessment is skipped (imports); otherwise
    every row is new (logging), except a row whose form token is stored already, which is
    always skipped (see `NewAssessment.token`). With `new_ids`, the rows' ids are another
    tracker's: the rows get new ids here and their corrections follow them (see
    tracker.renumbering). With `lock` (for a plan that will be written), locks the
    recommendations involved, and, when rows carry their own ids or get new ones, keeps every
    other writer of assessments out, so that no concurrent writer takes an id the rows need (see
    tracker.locks). Each problem names the index of its row (`record`); the caller knows where
    that row came from.
    """

    def __init__(
        self,
        session: Session,
        rows: Sequence[NewAssessment],
        *,
        skip_stored: bool,
        lock: bool = True,
        new_ids: bool = False,
    ) -> None:
        self.session = session
        self.problems: list[Problem] = []
        self.new: list[tuple[int, NewAssessment]] = []
        self.index = {id(row): n for n, row in enumerate(rows)}
        rec_ids = sorted({row.draft.recommendation_id for row in rows})
        tokens = sorted({row.token for row in rows if row.token is not None})
        if lock:
            carry_ids = new_ids or any(row.assessment_id is not None for row in rows)
            locks.assessment_ids(session, exclusive=carry_ids)
            locks.recommendations(session, rec_ids)
            locks.submissions(session, tokens)
        used_tokens = _used_tokens(session, tokens)
        numbered: Sequence[tuple[int, NewAssessment]] = list(enumerate(rows))
        if new_ids:
            last = session.scalar(select(func.max(Assessment.id))) or 0
            renumbered = renumber(rows, first_id=last + 1, stored_equal=self._stored_equal)
            self.problems += renumbered.problems
            numbered = renumbered.rows
        self.in_rows = {
            row.assessment_id: row for _, row in numbered if row.assessment_id is not None
        }
        known_query = select(Recommendation.id).where(Recommendation.id.in_(rec_ids))
        known = set(session.scalars(known_query))
        self.stored = {a.id: a for a in _load(session, list(self.in_rows))}
        self.correcting: dict[int, int] = {}
        first: dict[int, int] = {}
        for n, row in numbered:
            draft = row.draft
            if row.token in used_tokens:
                continue  # that submission was stored already: it is skipped, whatever it holds
            if draft.recommendation_id not in known:
                self._problem(
                    n, "recommendation_id", "unknown_recommendation", value=draft.recommendation_id
                )
                continue
            if row.assessment_id is not None:
                if row.assessment_id in first:
                    self._problem(
                        n,
                        "assessment_id",
                        "id_twice_in_file",
                        value=row.assessment_id,
                        other=first[row.assessment_id],
                    )
                    continue
                first[row.assessment_id] = n
                stored = self.stored.get(row.assessment_id)
                if stored is not None:
                    if not _same(stored, row, compare_all=True):
                        self._problem(
                            n, "assessment_id", "stored_with_other_content", value=row.assessment_id
                        )
                    continue
            elif skip_stored and self._already_stored(row):
                continue
            if row.recorded_at is not None and row.recorded_at > clock.utc_now():
                self._problem(
                    n, "recorded_at", "recorded_in_future", value=row.recorded_at.isoformat()
                )
            if draft.corrects_id is not None:
                self._check_correction(n, row)
            self.new.append((n, row))
        self.problems.sort(key=lambda problem: problem.record)
        # Rows with their own ids go first, in id order, so that a correction follows what it
        # corrects; rows without ids then take ids after all of them.
        self.new.sort(key=lambda pair: (pair[1].assessment_id is None, pair[1].assessment_id or 0))

    def _problem(self, record: int, field: str, code: str, **params) -> None:
        """A problem of row `record`; `other` names another row of the same batch."""
        self.problems.append(Problem(code, field, params, record=record))

    def _already_stored(self, row: NewAssessment) -> bool:
        return bool(self._stored_equal(row))

    def _stored_equal(self, row: NewAssessment) -> list[Assessment]:
        """The stored assessments equal to the row in every identifying field and in their
        evidence, oldest first."""
        draft = row.draft
        conditions = [
            column.is_(None) if value is None else column == value
            for column, value in (
                (getattr(Assessment, name), getattr(draft, name)) for name in IDENTIFYING
            )
        ]
        candidates = self.session.scalars(
            select(Assessment).where(*conditions).order_by(Assessment.id)
        )
        return [c for c in candidates if _same(c, row, compare_all=False)]

    def _check_correction(self, n: int, row: NewAssessment) -> None:
        target_id = row.draft.corrects_id
        if not 1 <= target_id <= MAX_ID:
            return  # the rules have said so already
        target = self.stored.get(target_id) or self.session.get(Assessment, target_id)
        if target is not None:
            self.stored[target_id] = target
            target_rec = target.recommendation_id
            corrected_by = self.session.scalar(
                select(Assessment.id).where(Assessment.corrects_id == target_id)
            )
        elif target_id in self.in_rows:
            target_rec = self.in_rows[target_id].draft.recommendation_id
            corrected_by = None
        else:
            self._problem(n, "corrects_id", "unknown_assessment", value=target_id)
            return
        if target_rec != row.draft.recommendation_id:
            self._problem(
                n,
                "corrects_id",
                "corrects_other_recommendation",
                value=target_id,
                of=target_rec,
                recommendation=row.draft.recommendation_id,
            )
        elif corrected_by is not None:
            self._problem(n, "corrects_id", "already_corrected", value=target_id, by=corrected_by)
        elif target_id in self.correcting:
            self._problem(
                n,
                "corrects_id",
                "corrected_twice_in_file",
                value=target_id,
                other=self.correcting[target_id],
            )
        elif row.assessment_id is not None and target_id >= row.assessment_id:
            self._problem(
                n, "corrects_id", "correction_not_earlier", value=target_id, id=row.assessment_id
            )
        self.correcting[target_id] = n

    def write(self, on_progress: Callable[[int, int], None] | None = None) -> list[int]:
        """Inserts the new rows and refreshes the derived rows; returns the new ids in order."""
        session, total = self.session, len(self.new)
        explicit = [row.assessment_id for _, row in self.new if row.assessment_id is not None]
        if explicit:
            _move_id_sequence(session, max(explicit))
        added: list[Assessment] = []
        days: dict[str, set[date]] = defaultdict(set)
        for done, (_, row) in enumerate(self.new, start=1):
            assessment = _new_assessment(row, row.recorded_at or clock.utc_now())
            session.add(assessment)
            added.append(assessment)
            draft = row.draft
            days[draft.recommendation_id].add(draft.as_of)
            if draft.corrects_id is not None:
                days[draft.recommendation_id].add(self._as_of(draft.corrects_id))
            if done % 500 == 0 or done == total:
                session.flush()
                if on_progress:
                    on_progress(done, total)
        for rec_id, rec_days in days.items():
            refresh_derived(session, rec_id, rec_days)
        return [a.id for a in added]

    def _as_of(self, assessment_id: int) -> date:
        if assessment_id in self.in_rows:
            return self.in_rows[assessment_id].draft.as_of
        return self.stored[assessment_id].as_of


# What makes a stored assessment the same as a row, besides its evidence.
IDENTIFYING = tuple(name for name, spec in declared_fields(AssessmentDraft) if spec.identifying)
_CONTENT = tuple(name for name, _ in declared_fields(AssessmentDraft))


def _evidence_key(item: Evidence | EvidenceDraft) -> tuple:
    return tuple(values_of(EvidenceDraft, item).values())


def _same(stored: Assessment, row: NewAssessment, *, compare_all: bool) -> bool:
    """Whether a row describes the stored assessment (everything, or the identifying fields)."""
    draft = row.draft
    names = _CONTENT if compare_all else IDENTIFYING
    if any(getattr(stored, name) != getattr(draft, name) for name in names):
        return False
    if [_evidence_key(e) for e in stored.evidence] != [_evidence_key(e) for e in draft.evidence]:
        return False
    return not compare_all or row.recorded_at is None or stored.recorded_at == row.recorded_at


def _used_tokens(session: Session, tokens: Sequence[str]) -> set[str]:
    if not tokens:
        return set()
    query = select(Assessment.submission_token).where(Assessment.submission_token.in_(tokens))
    return set(session.scalars(query))


def _load(session: Session, ids: Sequence[int]) -> list[Assessment]:
    found: list[Assessment] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.extend(session.scalars(select(Assessment).where(Assessment.id.in_(chunk))))
    return found


def _move_id_sequence(session: Session, at_least: int) -> None:
    """Before rows with their own ids are inserted, PostgreSQL's id sequence must pass them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        text(
            "SELECT setval(pg_get_serial_sequence('assessment', 'id'), "
            "GREATEST((SELECT COALESCE(MAX(id), 0) FROM assessment), :at_least))"
        ),
        {"at_least": at_least},
    )


def _new_assessment(row: NewAssessment, recorded_at: datetime) -> Assessment:
    draft = row.draft
    return Assessment(
        id=row.assessment_id,
        recorded_at=recorded_at,
        submission_token=row.token,
        **values_of(AssessmentDraft, draft),
        evidence=[
            Evidence(position=position, **values_of(EvidenceDraft, item))
            for position, item in enumerate(draft.evidence, start=1)
        ],
    )
