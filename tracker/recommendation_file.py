"""Reading a paper's recommendations from CSV (the format of data/recommendations.csv)."""

from pathlib import Path

from tracker import csvfile
from tracker.errors import InvalidInput, Problem
from tracker.rules import RecommendationDraft, check_recommendation, parse_int

COLUMNS = ("id", "title", "description", "source", "section", "theme", "actors")
REQUIRED = ("id", "title", "description", "source")
DEFAULT_REVIEW_EVERY_DAYS = 90


def read_recommendations(path: Path) -> list[RecommendationDraft]:
    """Every recommendation in the file, in its order; all problems at once if any row is bad."""
    table = csvfile.parse(
        csvfile.decode(csvfile.read_file(path), path.name),
        path.name,
        required=REQUIRED,
        optional=(*COLUMNS, "review_every_days"),
    )
    problems: list[Problem] = []
    drafts: list[RecommendationDraft] = []
    first_row: dict[str, int] = {}
    for row in table.rows:
        values = row.values

        def where(column: str, number: int = row.number) -> dict:
            return {"file": table.name, "row": number, "column": column}

        review = values.get("review_every_days", "").strip()
        review_days = (
            parse_int(review, "review_every_days", where, problems)
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
            review_every_days=review_days if review_days is not None else 0,
        )
        found = check_recommendation(draft, where)
        if review_days is None:
            found = [p for p in found if p.column != "review_every_days"]
        problems.extend(found)
        if draft.id in first_row:
            problems.append(
                Problem(f"{draft.id!r} is also the id in row {first_row[draft.id]}", **where("id"))
            )
        first_row.setdefault(draft.id, row.number)
        drafts.append(draft)
    if problems:
        raise InvalidInput(problems)
    return drafts
