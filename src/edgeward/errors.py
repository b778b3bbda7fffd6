"""Errors a user can cause. The CLI prints each as one line and exits 2."""

from __future__ import annotations


class EdgewardError(Exception):
    """Base of every error edgeward reports to a user instead of a traceback."""


class InputError(EdgewardError):
    """Bad input: names the file (or argument) and the place inside it."""

    def __init__(self, message: str, *, file: str | None = None, place: str | None = None) -> None:
        self.file = file
        self.place = place
        self.detail = message
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = ""
        if self.file and self.place:
            where = f"{self.file}: {self.place}: "
        elif self.file:
            where = f"{self.file}: "
        elif self.place:
            where = f"{self.place}: "
        return f"{where}{self.detail}"


class ModelError(InputError):
    """A snapshot that cannot be built: dangling reference, impossible CIDR, contradictory rule."""


class UsageError(InputError):
    """A command-line argument that cannot be understood (unknown FROM/TO, bad protocol...)."""
