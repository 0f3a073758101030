"""The one exception for bad input, carrying every problem found, each saying where it is."""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: what is wrong and where (field, or file, row and column)."""

    message: str
    field: str | None = None
    file: str | None = None
    row: int | None = None
    column: str | None = None

    def where(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        elif self.field is not None:
            parts.append(self.field)
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class InvalidInput(Exception):
    """Raised when input breaks the tracker's rules; nothing has been written."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class NotFound(InvalidInput):
    """Raised when an id names nothing that is stored."""
