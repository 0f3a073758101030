"""New ids for a history file from another tracker, with its corrections following them.

Another tracker numbers its assessments on its own, so its ids collide with this database's.
Renumbered, a file's ids only name its rows: each row that is not already stored takes the
next free id here, in the order of its ids in the file (rows without one last), and a
correction that names a row of the file names that row's id here. A row equal to a stored
assessment is skipped, and a correction of it corrects the stored one, so importing the same
file twice adds nothing the second time. Used by the append plan inside the store's
transaction, once the ids are locked.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from tracker.errors import Problem
from tracker.models import Assessment
from tracker.records import NewAssessment


@dataclass
class Renumbered:
    """The rows to append, each with its new id and the index of its row in the file, and
    the problems found (each naming its row's index as `record`)."""

    rows: list[tuple[int, NewAssessment]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def renumber(
    rows: Sequence[NewAssessment],
    *,
    first_id: int,
    stored_equal: Callable[[NewAssessment], list[Assessment]],
) -> Renumbered:
    """Gives the rows that are not stored yet ids from `first_id` on.

    `stored_equal(row)` lists the stored assessments equal to a row (in every identifying
    field and in its evidence, corrections included), oldest first. Of several, a row takes the
    one recorded at its own recorded time, else the oldest; each stored assessment stands for
    one row only, so that two equal rows of a file both arrive. A correction must name a row of
    the same file that is earlier (by id), of the same recommendation, and corrected by no
    other row; a problem leaves the correction out, so that the row's other problems are
    still found.
    """
    found = Renumbered()
    file_ids: dict[int, int] = {}
    for n, row in enumerate(rows):
        if row.assessment_id is None:
            continue
        if row.assessment_id in file_ids:
            found.problems.append(
                Problem(
                    "id_twice_in_file",
                    "assessment_id",
                    {"value": row.assessment_id, "other": file_ids[row.assessment_id]},
                    record=n,
                )
            )
        else:
            file_ids[row.assessment_id] = n
    here: dict[int, int] = {}  # row index -> its id in this database, new or stored
    new: set[int] = set()  # indexes of the rows that will be added
    claimed: set[int] = set()  # stored ids that stand for a row already
    corrected: dict[int, int] = {}  # row index -> index of the row correcting it
    next_id = first_id
    for n in sorted(range(len(rows)), key=lambda i: _file_order(rows, i)):
        row = rows[n]
        if row.assessment_id is not None and file_ids[row.assessment_id] != n:
            continue  # a repeated id: reported above
        target = _target(rows, n, file_ids, corrected, found.problems)
        draft = replace(row.draft, corrects_id=None if target is None else here[target])
        renumbered = NewAssessment(draft, None, row.recorded_at)
        if target not in new:  # a correction of a row not stored yet cannot be stored either
            match = _pick(stored_equal(renumbered), row, claimed)
            if match is not None:
                claimed.add(match)
                here[n] = match
                continue
        here[n] = next_id
        new.add(n)
        found.rows.append((n, replace(renumbered, assessment_id=next_id)))
        next_id += 1
    return found


def _file_order(rows: Sequence[NewAssessment], n: int) -> tuple[bool, int, int]:
    """Rows with ids first, by id; then the others, in file order."""
    file_id = rows[n].assessment_id
    return (file_id is None, file_id or 0, n)


def _target(
    rows: Sequence[NewAssessment],
    n: int,
    file_ids: dict[int, int],
    corrected: dict[int, int],
    problems: list[Problem],
) -> int | None:
    """The index of the row that row `n` corrects; None when it corrects none, or cannot."""
    row = rows[n]
    target_id = row.draft.corrects_id
    if target_id is None:
        return None
    target = file_ids.get(target_id)

    def problem(code: str, **params) -> None:
        problems.append(Problem(code, "corrects_id", {"value": target_id, **params}, record=n))

    if target is None:
        problem("corrects_not_in_file")
    elif row.assessment_id is not None and target_id >= row.assessment_id:
        problem("correction_not_earlier", id=row.assessment_id)
    elif rows[target].draft.recommendation_id != row.draft.recommendation_id:
        problem(
            "corrects_other_recommendation",
            of=rows[target].draft.recommendation_id,
            recommendation=row.draft.recommendation_id,
        )
    elif target in corrected:
        problem("corrected_twice_in_file", other=corrected[target])
    else:
        corrected[target] = n
        return target
    return None


def _pick(equal: list[Assessment], row: NewAssessment, claimed: set[int]) -> int | None:
    """The id of the stored assessment that stands for the row, if one is left."""
    free = [a for a in equal if a.id not in claimed]
    same_time = [a for a in free if a.recorded_at == row.recorded_at]
    chosen = (same_time or free)[:1]
    return chosen[0].id if chosen else None
