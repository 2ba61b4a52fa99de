"""The signed content of a code (type, subject, serial, validity, key id) and its bytes."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from enum import StrEnum

from .errors import CodeError, QRError

__all__ = ["CodeType", "Payload", "FORMAT_VERSION", "pack", "unpack"]

#: First byte of every token; bump it when the layout below changes.
FORMAT_VERSION = 1

# Short ASCII ids keep the QR small; the charset excludes ":" so code_id stays unambiguous.
_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,32}\Z")
_KID_RE = re.compile(r"[A-Za-z0-9._-]{1,16}\Z")
_U32 = struct.Struct(">I")


class CodeType(StrEnum):
    """The five kinds of civilization service code."""

    POINT = "point"
    VOLUNTEER = "volunteer"
    ORDER = "order"
    PRESENCE = "presence"
    ENROLLMENT = "enrollment"


# Wire numbers are fixed forever: never renumber, only append.
_TYPE_TO_BYTE = {
    CodeType.POINT: 1,
    CodeType.VOLUNTEER: 2,
    CodeType.ORDER: 3,
    CodeType.PRESENCE: 4,
    CodeType.ENROLLMENT: 5,
}
_BYTE_TO_TYPE = {v: k for k, v in _TYPE_TO_BYTE.items()}


@dataclass(frozen=True)
class Payload:
    """What a code says; the server signs it, kiosks verify it offline."""

    type: CodeType
    subject: str
    version: int
    issued_at: int
    expires_at: int | None
    key_id: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", CodeType(self.type))
        if not _ID_RE.match(self.subject):
            raise QRError(f"subject must be 1-32 chars of A-Z a-z 0-9 . _ - (got {self.subject!r})")
        if not _KID_RE.match(self.key_id):
            raise QRError(f"key_id must be 1-16 chars of A-Z a-z 0-9 . _ - (got {self.key_id!r})")
        if not 0 <= self.version < 2**32:
            raise QRError(f"version out of range: {self.version}")
        if not 0 <= self.issued_at < 2**32:
            raise QRError(f"issued_at out of range: {self.issued_at}")
        if self.expires_at is not None and not self.issued_at < self.expires_at < 2**32:
            raise QRError("expires_at must be after issued_at")

    @property
    def code_id(self) -> str:
        """The name revocation lists use: ``type:subject:version``."""
        return f"{self.type}:{self.subject}:{self.version}"


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def pack(p: Payload) -> bytes:
    """Serialise a payload; layout: fmt, type, kid, subject, version, issued_at, lifetime."""
    kid, subject = p.key_id.encode(), p.subject.encode()
    # Lifetime 0 means "never expires"; small deltas keep short-lived codes one byte long.
    lifetime = 0 if p.expires_at is None else p.expires_at - p.issued_at
    return b"".join(
        [
            bytes([FORMAT_VERSION, _TYPE_TO_BYTE[p.type], len(kid)]),
            kid,
            bytes([len(subject)]),
            subject,
            _varint(p.version),
            _U32.pack(p.issued_at),
            _varint(lifetime),
        ]
    )


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise CodeError("garbage", "token is truncated")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def varint(self) -> int:
        value = shift = 0
        for i in range(5):
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                # Reject padded encodings so one value has exactly one byte form.
                if byte == 0 and i > 0:
                    raise CodeError("garbage", "non-minimal number")
                return value
        raise CodeError("garbage", "number too long")

    def ident(self, pattern: re.Pattern[str]) -> str:
        raw = self.take(self.take(1)[0])
        text = raw.decode("ascii", "replace")
        if not pattern.match(text):
            raise CodeError("garbage", "bad identifier")
        return text


def unpack(data: bytes) -> Payload:
    """Parse bytes made by pack(); anything else raises CodeError."""
    r = _Reader(data)
    if r.take(1)[0] != FORMAT_VERSION:
        raise CodeError("unsupported_version", f"token format {data[0]} is not supported")
    type_ = _BYTE_TO_TYPE.get(r.take(1)[0])
    if type_ is None:
        raise CodeError("garbage", "unknown code type")
    kid = r.ident(_KID_RE)
    subject = r.ident(_ID_RE)
    version = r.varint()
    (issued_at,) = _U32.unpack(r.take(4))
    lifetime = r.varint()
    if r.pos != len(data):
        raise CodeError("garbage", "trailing bytes")
    try:
        return Payload(
            type_, subject, version, issued_at, issued_at + lifetime if lifetime else None, kid
        )
    except QRError as exc:
        raise CodeError("garbage", str(exc)) from None
