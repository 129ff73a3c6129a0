"""Input errors that name the file, the line and the column, and say what was expected."""
from __future__ import annotations

from pathlib import Path


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


class InputErrors(InputError):
    """Several errors found while validating a whole file (all-or-nothing imports report them all)."""

    def __init__(self, errors: list[InputError], limit: int = 50):
        self.errors = errors
        first = errors[0]
        shown = "\n".join(f"  - {e}" for e in errors[:limit])
        more = f"\n  … et {len(errors) - limit} autres erreurs" if len(errors) > limit else ""
        Exception.__init__(self, f"{len(errors)} erreur(s) dans {first.file} :\n{shown}{more}")
        self.file, self.line, self.column, self.message, self.expected = (
            first.file, first.line, first.column, first.message, first.expected)

    def __str__(self) -> str:
        return self.args[0]
