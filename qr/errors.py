"""The error family of the qr package: one base class, a stable machine reason on code errors."""

from __future__ import annotations

__all__ = ["QRError", "CodeError", "ImageError", "REASONS"]

#: Every reason a CodeError may carry; callers map these to messages and HTTP statuses.
REASONS = frozenset(
    {
        "garbage",  # not a token at all, or a malformed one
        "foreign",  # a URL or text that is not ours (other domain, other path, plain text)
        "tampered",  # well-formed but the signature does not match
        "wrong_type",  # valid, but not the type the caller expected
        "unknown_key",  # signed with a key id the keyring has never seen
        "retired_key",  # signed with a key the operators have retired
        "expired",
        "not_yet_valid",
        "revoked",
        "unsupported_version",  # a token format version this library does not read
    }
)


class QRError(ValueError):
    """Base class of every error this package raises on bad input."""


class CodeError(QRError):
    """A scanned or typed code was refused; ``reason`` is one of REASONS."""

    def __init__(self, reason: str, message: str | None = None) -> None:
        if reason not in REASONS:  # a typo here would leak an unmapped reason to the API
            raise AssertionError(f"unknown CodeError reason {reason!r}")
        self.reason = reason
        super().__init__(message or reason)


class ImageError(QRError):
    """An image could not be read safely (unreadable, truncated, too large, a pixel bomb)."""

