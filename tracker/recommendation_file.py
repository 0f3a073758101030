"""Reading a paper's recommendations from CSV (the format of data/recommendations.csv)."""

from dataclasses import dataclass
from pathlib import Path

from tracker import clock, csvfile
from tracker.errors import InvalidInput, Problem
from tracker.records import RecommendationDraft
from tracker.rules import check_recommendation, read_number

COLUMNS = ("id", "title", "description", "source", "section", "theme", "actors")
REQUIRED = ("id", "title", "description", "source")
DEFAULT_REVIEW_EVERY_DAYS = 90


@dataclass(frozen=True)
class RecommendationFile:
    """The recommendations of a file, in its order, and the row each came from."""

    name: str
    drafts: list[RecommendationDraft]
    row_numbers: list[int]

    def locate(self, problem: Problem) -> Problem:
        """A problem of draft `problem.record` placed at its file, row and column."""
        params = dict(problem.params)
        if "other" in params:
            params["other_row"] = self.row_numbers[params.pop("other")]
        return problem.placed(
            file=self.name,
            row=self.row_numbers[problem.record],
            column=problem.field,
            params=params,
        )


def read(path: Path) -> RecommendationFile:
    """Every recommendation in the file; all problems at once if any row is bad."""
    table = csvfile.parse(
        csvfile.decode(csvfile.read_file(path), path.name),
        path.name,
        required=REQUIRED,
        optional=(*COLUMNS, "review_every_days"),
    )
    found = RecommendationFile(table.name, [], [])
    problems: list[Problem] = []
    first_row: dict[str, int] = {}
    today = clock.today()
    for record, row in enumerate(table.rows):
        values = row.values
        found.row_numbers.append(row.number)
        row_problems: list[Problem] = []
        review = values.get("review_every_days", "").strip()
        review_days = (
            read_number(review, "review_every_days", row_problems)
            if review
            else DEFAULT_REVIEW_EVERY_DAYS
        )
        draft = RecommendationDraft(
            id=values["id"].strip(),
            title=values["title"].strip(),
            description=values["description"].strip(),
            source=values["source"].strip(),
            section=values.get("section", "").strip(),
            theme=values.get("theme", "").strip(),
            actors=tuple(a.strip() for a in values.get("actors", "").split(";") if a.strip()),
            review_every_days=review_days,
        )
        row_problems += check_recommendation(draft, today=today)
        # Ids are compared exactly, but two that differ only by case (N1, n1) are refused: a
        # person reading a report or typing an id could not tell them apart.
        other = first_row.get(draft.id.lower())
        if other is not None:
            first_id = found.drafts[other].id
            params = {"value": draft.id, "other": other, "other_value": first_id}
            code = (
                "recommendation_id_twice"
                if first_id == draft.id
                else "recommendation_id_case_twice"
            )
            row_problems.append(Problem(code, "id", params))
        first_row.setdefault(draft.id.lower(), record)
        found.drafts.append(draft)
        problems += [found.locate(p.placed(record=record)) for p in row_problems]
    if problems:
        raise InvalidInput(problems)
    return found
