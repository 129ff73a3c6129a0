"""Input errors that name the file, the line and the column, and say what was expected."""
from __future__ import annotations

from pathlib import Path

SHOWN_ERRORS = 50          # a readable report: the first SHOWN_ERRORS problems, then the total count


class InputError(Exception):
    """A user's (or a source) file is wrong. Raised before anything is written to the warehouse."""

    def __init__(self, file, message: str, line: int | None = None, column: str | None = None,
                 expected: str | None = None):
        self.file = Path(file).name if file is not None else None
        self.line = line
        self.column = column
        self.message = message
        self.expected = expected
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [self.file or "?"]
        if self.line is not None:
            where.append(f"ligne {self.line}")
        if self.column is not None:
            where.append(f"colonne « {self.column} »")
        txt = ", ".join(where) + f" : {self.message}"
        if self.expected:
            txt += f" (attendu : {self.expected})"
        return txt

    def as_dict(self) -> dict:
        """For a page's table of errors: fichier, ligne, colonne, problème, attendu."""
        return {"fichier": self.file, "ligne": self.line, "colonne": self.column, "probleme": self.message,
                "attendu": self.expected}

    @property
    def all(self) -> list["InputError"]:
        return [self]


class InputErrors(InputError):
    """Every problem found while validating a whole file (all-or-nothing imports report them all at once):
    the first `limit` are listed, then the total count. `total` is the count when more were found than kept."""

    def __init__(self, errors: list[InputError], limit: int = SHOWN_ERRORS, total: int | None = None):
        flat: list[InputError] = []
        for e in errors:
            flat.extend(e.all)
        self.errors = flat
        self.total = max(total or 0, len(flat))
        first = flat[0]
        shown = "\n".join(f"  - {e}" for e in flat[:limit])
        more = f"\n  … et {self.total - min(limit, len(flat))} autre(s) erreur(s)" if self.total > limit else ""
        Exception.__init__(self, f"{self.total} erreur(s) dans {first.file} :\n{shown}{more}")
        self.file, self.line, self.column, self.message, self.expected = (
            first.file, first.line, first.column, first.message, first.expected)

    def __str__(self) -> str:
        return self.args[0]

    @property
    def all(self) -> list[InputError]:
        return list(self.errors)


class Collector:
    """Collects every problem of one file; `raise_if_any()` once validation is over (one report).

    Keeps the first MAX_KEPT errors and counts the others, so a file broken on every line stays cheap."""

    MAX_KEPT = 500

    def __init__(self, path):
        self.path = Path(path)
        self.items: list[InputError] = []
        self.count = 0

    def add(self, message: str, line: int | None = None, column: str | None = None,
            expected: str | None = None) -> None:
        self.count += 1
        if len(self.items) < self.MAX_KEPT:
            self.items.append(InputError(self.path, message, line=line, column=column, expected=expected))

    def extend(self, exc: InputError) -> None:
        """Add an InputError (or every error of an InputErrors) raised by a reader."""
        for e in exc.all:
            self.count += 1
            if len(self.items) < self.MAX_KEPT:
                self.items.append(e)
        if isinstance(exc, InputErrors):
            self.count += exc.total - len(exc.errors)

    def __bool__(self) -> bool:
        return self.count > 0

    def raise_if_any(self) -> None:
        if self.items:
            items = sorted(self.items, key=lambda e: (e.line is not None, e.line or 0))
            raise InputErrors(items, total=self.count)
