"""Issue, rotate, revoke and resolve service codes. They flush; the caller commits."""

from __future__ import annotations

import functools
import re
import time
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from flask import current_app
from sqlalchemy import ColumnElement, bindparam, func, select

import qr
import qr.tokens
from qr.payload import CodeType

from ..core import audit
from ..core.actors import Actor
from ..core.errors import DomainError, NotFound, ValidationError
from ..core.fields import clean_reason
from ..core.i18n import _l
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from ..sites.models import Site
from . import keys
from .models import CodeRevocation, ServiceCode, SigningKeyRecord

REASON_MAX = 200

# What a person is told when a scanned code is refused, by the qr library's reason.
REJECTION_MESSAGES = {
    "garbage": _l("This is not a readable service code."),
    "foreign": _l("This code does not belong to this platform."),
    "tampered": _l("This code failed its signature check: it may be forged or altered. "
                   "Do not enter any information on pages it leads to."),
    "unknown_key": _l("This code was signed with a key this platform does not know: "
                      "it may be forged."),
    "retired_key": _l("This code was signed with a retired key. Please scan the current code "
                      "posted on site."),
    "wrong_type": _l("This kind of code cannot be used here."),
    "unsupported_version": _l("This code was made by a newer version of the platform."),
    "expired": _l("This code has expired. Please scan it again."),
    "not_yet_valid": _l("This code is not valid yet; a clock may be wrong."),
    "revoked": _l("This code has been withdrawn and replaced. Please scan the current code "
                  "posted on site, or ask the site's staff."),
    "unknown_code": _l("This code is not on record: it may be forged."),
    "used": _l("This code was already used: it works only once."),
}

# The reason in a few words, for a person to tell the staff (never the machine code).
REJECTION_LABELS = {
    "garbage": _l("not a service code"),
    "foreign": _l("from another platform"),
    "tampered": _l("signature check failed"),
    "unknown_key": _l("unknown signing key"),
    "retired_key": _l("retired signing key"),
    "wrong_type": _l("wrong kind of code"),
    "unsupported_version": _l("newer code format"),
    "expired": _l("expired"),
    "not_yet_valid": _l("not valid yet"),
    "revoked": _l("withdrawn"),
    "unknown_code": _l("not on record"),
    "used": _l("already used"),
}

# 410 Gone: the code was real but is no longer valid; 400: it never was ours or valid.
REJECTION_STATUS = {"revoked": 410, "expired": 410, "retired_key": 410, "used": 410}
USED = "used"  # the revoke reason of a one-time code (enrollment) once it has served


class CodeRejected(DomainError):
    """A scanned code was refused; `code` is the reason (tampered, revoked, …)."""

    keeps_writes = True  # the audit entry of the refusal is committed with the error

    def __init__(self, reason: str):
        super().__init__(REJECTION_MESSAGES.get(reason, REJECTION_MESSAGES["garbage"]),
                         f"code_{reason}", status=REJECTION_STATUS.get(reason, 400),
                         details={"reason": reason})
        self.reason = reason

    @property
    def label(self):
        return REJECTION_LABELS.get(self.reason, REJECTION_LABELS["garbage"])


def _timestamp(value: datetime) -> int:
    return int(as_utc(value).timestamp())


def code_url(code: ServiceCode) -> str:
    return qr.tokens.code_url(current_app.config["BASE_URL"], code.token)


def short_code_for(site: Site, version: int) -> str:
    return f"ZH-{site.id:04d}-{version}"


def live_code(type_: str, subject: str, *, lock: bool = False) -> ServiceCode | None:
    query = select(ServiceCode).where(ServiceCode.type == type_, ServiceCode.subject == subject,
                                      ServiceCode.revoked_at.is_(None))
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query)


def issue(type_: str, subject: str, *, site: Site | None = None,
          expires_at: datetime | None = None, actor: Actor = None) -> ServiceCode:
    """Sign and record the next version of a subject's code. The caller revoked the old one."""
    version = (db.session.scalar(
        select(func.max(ServiceCode.version)).where(ServiceCode.type == type_,
                                                    ServiceCode.subject == subject)
    ) or 0) + 1
    record = keys.current_record()
    now = utcnow().replace(microsecond=0)
    payload = qr.Payload(type=CodeType(type_), subject=subject, version=version,
                         issued_at=_timestamp(now),
                         expires_at=_timestamp(expires_at) if expires_at else None,
                         key_id=record.kid)
    code = ServiceCode(type=type_, subject=subject, version=version,
                       site_id=site.id if site else None, key_id=record.kid,
                       token=qr.sign(payload, keys.signing_key(record)),
                       issued_at=now, expires_at=expires_at)
    db.session.add(code)
    db.session.flush()
    audit.record("code.issue", code, actor=actor, code_id=code.code_id)
    return code


def revoke(code: ServiceCode, reason: str, *, actor: Actor = None) -> ServiceCode:
    reason = clean_reason(reason, _l("Say why the code is withdrawn."), limit=REASON_MAX)
    if code.revoked_at is not None:
        return code  # revoking twice is a no-op: a retried request changes nothing
    code.revoked_at = utcnow()
    code.revoke_reason = reason
    db.session.add(CodeRevocation(code_id=code.code_id, service_code_id=code.id,
                                  revoked_at=code.revoked_at, reason=reason))
    db.session.flush()
    audit.record("code.revoke", code, actor=actor, code_id=code.code_id, reason=reason)
    return code


# ---- point codes: one per site --------------------------------------------------------------


def point_code(site: Site) -> ServiceCode | None:
    return live_code("point", str(site.id))


def ensure_point_code(site: Site, *, actor: Actor = None) -> ServiceCode:
    existing = point_code(site)
    if existing is not None:
        return existing
    if not site.is_active:
        raise ValidationError(_l("A deactivated site gets no code."), "site_inactive")
    code = issue("point", str(site.id), site=site, actor=actor)
    code.short_code = short_code_for(site, code.version)
    db.session.flush()
    return code


def rotate_point_code(site: Site, reason: str = "", *, actor: Actor = None) -> ServiceCode:
    """Withdraw the live code (if any) and issue the next version: a new poster is needed."""
    current = live_code("point", str(site.id), lock=True)
    if current is not None:
        revoke(current, reason or "rotated", actor=actor)
    return ensure_point_code(site, actor=actor)


def revoke_point_code(site: Site, reason: str, *, actor: Actor = None) -> ServiceCode:
    current = live_code("point", str(site.id), lock=True)
    if current is None:
        raise NotFound(_l("This site has no valid code to withdraw."), "no_live_code")
    return revoke(current, reason, actor=actor)


def withdrawn_without_replacement(site: Site) -> bool:
    """The site's newest point code was revoked and none replaced it: a deliberate decision
    ("作废（不更换）") that printing must respect, not undo with a new version."""
    newest = db.session.scalar(
        select(ServiceCode).where(ServiceCode.type == "point", ServiceCode.subject == str(site.id))
        .order_by(ServiceCode.version.desc()).limit(1))
    return newest is not None and newest.revoked_at is not None


def codes_to_print(sites: Iterable[Site], *,
                   actor: Actor = None) -> tuple[list[ServiceCode], list[Site]]:
    """(codes, skipped) for a batch print of `sites`: each active site's live code, issued
    first where it never had one; a site whose code was withdrawn without replacement is
    skipped (and listed) rather than given a new version."""
    codes, skipped = [], []
    for site in sites:
        if not site.is_active:
            continue
        code = point_code(site)
        if code is None and withdrawn_without_replacement(site):
            skipped.append(site)
            continue
        codes.append(code or ensure_point_code(site, actor=actor))
    return codes, skipped


def point_history(site: Site) -> list[ServiceCode]:
    return list(db.session.scalars(
        select(ServiceCode).where(ServiceCode.type == "point",
                                  ServiceCode.subject == str(site.id))
        .order_by(ServiceCode.version.desc())
    ))


# ---- resolving what a phone or kiosk scanned -------------------------------------------------


def resolve(text: str, *, expected_type: str | None = None, source: str = "web",
            audit_refusal: bool = True) -> ServiceCode:
    """Verify a scanned code and find its record; a refusal is audited (unless the caller
    records it itself: `audit_refusal=False`) and raised."""
    code = _vouched_code(text, expected_type)
    if code is None:
        # Decided as if nothing were cached: every refusal comes from a fresh keyring.
        try:
            payload = qr.verify(text, keys.fresh_keyring(), expected_type=expected_type,
                                base_url=current_app.config["BASE_URL"])
        except qr.CodeError as error:
            reject(error.reason, text, source=source, audit_refusal=audit_refusal)
        code = db.session.scalar(select(ServiceCode).where(
            ServiceCode.type == str(payload.type), ServiceCode.subject == payload.subject,
            ServiceCode.version == payload.version))
        if code is None:
            reject("unknown_code", text, source=source, audit_refusal=audit_refusal)
    if code.revoked_at is not None:
        # A one-time code that served is "used", not "withdrawn and replaced".
        reject(USED if code.revoke_reason == USED else "revoked", text, source=source,
               audit_refusal=audit_refusal, code_id=code.code_id)
    return code


# Built once: every kiosk scan runs them.
_VOUCHED = (select(ServiceCode, SigningKeyRecord.public_x)
            .join(SigningKeyRecord, SigningKeyRecord.kid == ServiceCode.key_id)
            .where(ServiceCode.type == bindparam("type"),
                   ServiceCode.subject == bindparam("subject"),
                   ServiceCode.version == bindparam("version"),
                   ServiceCode.key_id == bindparam("kid"), SigningKeyRecord.retired_at.is_(None)))


def _cached_payload(text: str, expected_type: str | None) -> tuple[qr.Payload, str] | None:
    """The payload if the code verifies with the process's cached keyring, with the public key
    that verified it (x of its JWK); None when it does not."""
    found = _verified(text, expected_type, keys.cached_keyring(),
                      current_app.config["BASE_URL"])
    if found is not None and found[0].expires_at is not None \
            and time.time() >= found[0].expires_at:
        return None  # expired since it was first checked: the slow path refuses it
    return found


@functools.lru_cache(maxsize=8192)
def _verified(text: str, expected_type: str | None, ring: qr.Keyring,
              base_url: str) -> tuple[qr.Payload, str] | None:
    """_cached_payload's pure part, remembered: kiosks scan the same cards all day. Keyed by
    the keyring object, so a refreshed keyring checks afresh. Only a hint, like the cached
    keyring: a None sends the caller to resolve(), which decides with a fresh keyring and the
    database, and a payload still has to match a live record in the database."""
    try:
        payload = qr.verify(text, ring, expected_type=expected_type, base_url=base_url)
    except qr.CodeError:
        return None
    return payload, ring.get(payload.key_id).to_jwk()["x"]


def _lookup(payload: qr.Payload) -> dict:
    return {"type": str(payload.type), "subject": payload.subject, "version": payload.version,
            "kid": payload.key_id}


def _vouched_code(text: str, expected_type: str | None) -> ServiceCode | None:
    """The common case in one query: the code verifies with the process's cached keyring, and
    its record names the same public key, not retired (a retirement counts at once in every
    process). None when anything differs: the caller then decides with a fresh keyring."""
    cached = _cached_payload(text, expected_type)
    if cached is None:
        return None
    row = db.session.execute(_VOUCHED, _lookup(cached[0])).first()
    if row is None or row.public_x != cached[1]:
        return None
    return row[0]


class CheckedCode(NamedTuple):
    """A scanned code whose signature the process's cached keyring verified: what a query
    needs to find it live in the database (live_code_exists) without a query of its own."""

    type: str
    subject: str
    version: int
    kid: str
    public_x: str  # the public key that verified it (x of its JWK)

    @property
    def params(self) -> dict:
        """The bound values of live_code_exists(): bind them with the query that uses it."""
        return {"live_code_type": self.type, "live_code_version": self.version,
                "live_code_kid": self.kid, "live_code_public_x": self.public_x}


def checked_code(text: str, expected_type: str) -> CheckedCode | None:
    """The code when it verifies with the process's cached keyring; None when it does not. A
    query using live_code_exists() that finds nothing decides nothing: the caller then calls
    resolve(), which refuses (and audits) or finds the code."""
    cached = _cached_payload(text, expected_type)
    if cached is None:
        return None
    payload, public_x = cached
    return CheckedCode(str(payload.type), payload.subject, payload.version, payload.key_id,
                       public_x)


@functools.cache
def live_code_exists(subject) -> ColumnElement[bool]:
    """An SQL condition, for a query that reads what a code names and locks it in one
    statement: true when a code whose subject is `subject` (a column of the caller's query,
    e.g. Volunteer.number) is on record with the type, version and key of a CheckedCode, not
    revoked, and signed by that same public key, not retired. Bind CheckedCode.params with
    the query. Built once per subject column, so the statement using it is cached as one."""
    return (select(ServiceCode.id)
            .join(SigningKeyRecord, SigningKeyRecord.kid == ServiceCode.key_id)
            .where(ServiceCode.type == bindparam("live_code_type"),
                   ServiceCode.subject == subject,
                   ServiceCode.version == bindparam("live_code_version"),
                   ServiceCode.key_id == bindparam("live_code_kid"),
                   ServiceCode.revoked_at.is_(None),
                   SigningKeyRecord.public_x == bindparam("live_code_public_x"),
                   SigningKeyRecord.retired_at.is_(None))
            .exists())


def reject(reason: str, text: str, *, source: str, audit_refusal: bool = True, **details):
    if audit_refusal:
        # Keep only a prefix of what was scanned: enough to investigate, not a dump of garbage.
        audit.record("code.rejected", actor=source, reason=reason, text=str(text)[:160],
                     **details)
    raise CodeRejected(reason)


# Typed in place of the code's hyphen: besides every Unicode dash (category Pd), the minus sign,
# the prolonged sound mark and 一, which Chinese input methods offer for the "-" key.
_DASH_LIKE = frozenset("\u2212\u30fc\u4e00")
_SEPARATED = re.compile(r"(?:ZH)?-?([0-9]{1,9})-([0-9]{1,9})")
_RUN = re.compile(r"(?:ZH)?-?([0-9]{5,18})")


def short_code_candidates(text: str) -> list[str]:
    """The printed short codes (ZH-0165-1) that what someone typed can mean: NFKC first (an
    input method's full-width ＺＨ－０１６５－１), then without spaces, any dash for "-", any
    case. Without hyphens the site part is the printed one of at least four digits followed by a
    version (no leading zero): ZH01651 is ZH-0165-1; a longer run can mean several."""
    if not isinstance(text, str) or len(text) > 64:
        return []
    text = unicodedata.normalize("NFKC", text).upper()
    text = "".join("-" if unicodedata.category(ch) == "Pd" or ch in _DASH_LIKE else ch
                   for ch in text if not ch.isspace())
    found = _SEPARATED.fullmatch(text)
    if found:
        return [f"ZH-{int(found[1]):04d}-{int(found[2])}"]
    found = _RUN.fullmatch(text)
    if not found:
        return []
    digits = found[1]
    return [f"ZH-{digits[:cut]}-{digits[cut:]}" for cut in range(4, len(digits))
            if digits[cut] != "0" and (cut == 4 or digits[0] != "0")]


def by_short_code(short: str) -> ServiceCode | None:
    """The code whose printed short code was typed (see short_code_candidates); None when none
    or, for a run of digits that could mean two codes, more than one matches."""
    candidates = short_code_candidates(short)
    if not candidates:
        return None
    found = list(db.session.scalars(select(ServiceCode).where(
        ServiceCode.short_code.in_(candidates)).limit(2)))
    return found[0] if len(found) == 1 else None


def revocation_cursor() -> int:
    """The newest revocation's cursor (0 when none): a kiosk compares it with its own."""
    return db.session.scalar(select(func.max(CodeRevocation.id))) or 0


def revocations_since(cursor: int, limit: int = 1000) -> list[CodeRevocation]:
    return list(db.session.scalars(
        select(CodeRevocation).where(CodeRevocation.id > cursor)
        .order_by(CodeRevocation.id).limit(limit)
    ))
