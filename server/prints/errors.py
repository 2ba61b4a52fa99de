"""The print shop's errors: bad input to a layout, or no font that can print it."""

from __future__ import annotations

__all__ = ["PrintError", "FontError"]


class PrintError(ValueError):
    """A poster, card or certificate cannot be laid out from what was given."""


class FontError(PrintError):
    """No CJK TrueType font was found, or the one found cannot print the text asked for."""
