"""Problems as data, and the one exception for bad input that carries every problem found.

A problem says what is wrong with a code and its parameters, and which field it concerns; the
English sentence a person reads is made from the code in one place (`tracker.messages`). Who
raises a problem does not know where the field came from: the face that read it (an option,
a form label, a file's row and column) says so with `at`, or with `file`, `row` and `column`.
"""

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input."""

    code: str
    field: str | None = None
    """The record field it concerns (`progress`, `evidence`), or for an evidence item's field
    (`url`), the field within item number `item`."""
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    item: int | None = None
    """The number (from 1) of the evidence item concerned."""
    record: int | None = None
    """The index (from 0) of the record concerned among several written at once."""
    at: str | None = None
    """Where the field came from, as the face that read it names it: "--progress", "Note"."""
    file: str | None = None
    row: int | None = None
    column: str | None = None

    def where(self) -> str:
        from tracker.messages import where

        return where(self)

    @property
    def message(self) -> str:
        from tracker.messages import message

        return message(self)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message

    def placed(self, **where: Any) -> "Problem":
        """The same problem, located: `at=`, or `file=`, `row=`, `column=`."""
        return replace(self, **where)


class InvalidInput(Exception):
    """Raised when input breaks the tracker's rules; nothing has been written.

    `problems` are those kept in full; `more` counts those found beyond them (a badly broken
    file has more problems than anyone reads), so `count` is the exact number found.
    """

    def __init__(self, problems: Iterable[Problem], *, more: int = 0) -> None:
        self.problems: list[Problem] = list(problems)
        self.more = more
        super().__init__(self.problems)

    @property
    def count(self) -> int:
        return len(self.problems) + self.more

    def __str__(self) -> str:
        return "; ".join(str(p) for p in self.problems)


class Problems:
    """Problems found so far: the first `keep` in full, the rest only counted, so that memory
    stays bounded however broken the input and the count stays exact."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.kept: list[Problem] = []
        self.more = 0

    def append(self, problem: Problem) -> None:
        if len(self.kept) < self.keep:
            self.kept.append(problem)
        else:
            self.more += 1

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)

    def __len__(self) -> int:
        return len(self.kept) + self.more

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.kept)

    def error(self) -> InvalidInput:
        """The exception that reports them all: the kept ones listed, the rest counted."""
        return InvalidInput(self.kept, more=self.more)


def refuse(code: str, params: Mapping[str, Any] | None = None, **where: Any) -> InvalidInput:
    """An InvalidInput with one problem: `refuse("no_such_file", file=name)`."""
    return InvalidInput([Problem(code, params=params or {}, **where)])
