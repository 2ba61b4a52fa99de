"""Issue, rotate, revoke and resolve service codes. They flush; the caller commits."""

from __future__ import annotations

import functools
import time
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, func, select

import qr

from ..core import audit
from ..core.errors import DomainError, NotFound, ValidationError
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
}

# 410 Gone: the code was real but is no longer valid; 400: it never was ours or valid.
REJECTION_STATUS = {"revoked": 410, "expired": 410, "retired_key": 410}


class CodeRejected(DomainError):
    """A scanned code was refused; `code` is the reason (tampered, revoked, …)."""

    keeps_writes = True  # the audit entry of the refusal is committed with the error

    def __init__(self, reason: str):
        super().__init__(REJECTION_MESSAGES.get(reason, REJECTION_MESSAGES["garbage"]),
                         f"code_{reason}", status=REJECTION_STATUS.get(reason, 400),
                         details={"reason": reason})
        self.reason = reason


def _timestamp(value: datetime) -> int:
    return int(as_utc(value).timestamp())


def code_url(code: ServiceCode) -> str:
    return qr.code_url(current_app.config["BASE_URL"], code.token)


def short_code_for(site: Site, version: int) -> str:
    return f"ZH-{site.id:04d}-{version}"


def live_code(type_: str, subject: str, *, lock: bool = False) -> ServiceCode | None:
    query = select(ServiceCode).where(ServiceCode.type == type_, ServiceCode.subject == subject,
                                      ServiceCode.revoked_at.is_(None))
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query)


def issue(type_: str, subject: str, *, site: Site | None = None,
          expires_at: datetime | None = None, actor=None) -> ServiceCode:
    """Sign and record the next version of a subject's code. The caller revoked the old one."""
    version = (db.session.scalar(
        select(func.max(ServiceCode.version)).where(ServiceCode.type == type_,
                                                    ServiceCode.subject == subject)
    ) or 0) + 1
    record = keys.current_record()
    now = utcnow().replace(microsecond=0)
    payload = qr.Payload(type=qr.CodeType(type_), subject=subject, version=version,
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


def revoke(code: ServiceCode, reason: str, *, actor=None) -> ServiceCode:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_l("Say why the code is withdrawn."), "reason_required",
                              field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationError(_l("The reason is too long (at most %(n)d characters).",
                                 n=REASON_MAX), "too_long", field="reason")
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


def ensure_point_code(site: Site, *, actor=None) -> ServiceCode:
    existing = point_code(site)
    if existing is not None:
        return existing
    if not site.is_active:
        raise ValidationError(_l("A deactivated site gets no code."), "site_inactive")
    code = issue("point", str(site.id), site=site, actor=actor)
    code.short_code = short_code_for(site, code.version)
    db.session.flush()
    return code


def rotate_point_code(site: Site, reason: str = "", *, actor=None) -> ServiceCode:
    """Withdraw the live code (if any) and issue the next version: a new poster is needed."""
    current = live_code("point", str(site.id), lock=True)
    if current is not None:
        revoke(current, reason or "rotated", actor=actor)
    return ensure_point_code(site, actor=actor)


def revoke_point_code(site: Site, reason: str, *, actor=None) -> ServiceCode:
    current = live_code("point", str(site.id), lock=True)
    if current is None:
        raise NotFound(_l("This site has no valid code to withdraw."), "no_live_code")
    return revoke(current, reason, actor=actor)


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
        reject("revoked", text, source=source, audit_refusal=audit_refusal,
               code_id=code.code_id)
    return code


# Built once: every kiosk scan runs them.
_VOUCHED = (select(ServiceCode, SigningKeyRecord.public_x)
            .join(SigningKeyRecord, SigningKeyRecord.kid == ServiceCode.key_id)
            .where(ServiceCode.type == bindparam("type"),
                   ServiceCode.subject == bindparam("subject"),
                   ServiceCode.version == bindparam("version"),
                   ServiceCode.key_id == bindparam("kid"), SigningKeyRecord.retired_at.is_(None)))
_codes, _keys = ServiceCode.__table__.c, SigningKeyRecord.__table__.c
# For a hot path that reads a code and locks what it names in one query: added to that query's
# WHERE with live_code_params(), a row comes back only if the code is on record, not revoked,
# and signed by this same key, not retired.
LIVE_CODE = (select(_codes.id)
             .select_from(ServiceCode.__table__.join(SigningKeyRecord.__table__,
                                                     _keys.kid == _codes.key_id))
             .where(_codes.type == bindparam("type"), _codes.subject == bindparam("subject"),
                    _codes.version == bindparam("version"), _codes.key_id == bindparam("kid"),
                    _codes.revoked_at.is_(None), _keys.public_x == bindparam("public_x"),
                    _keys.retired_at.is_(None))
             .exists())


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


def live_code_params(text: str, expected_type: str) -> tuple[str, dict] | None:
    """(subject, parameters for LIVE_CODE) when the code verifies with the process's cached
    keyring; None when it does not. A query using LIVE_CODE that finds nothing decides
    nothing: the caller then calls resolve(), which refuses (and audits) or finds the code."""
    cached = _cached_payload(text, expected_type)
    if cached is None:
        return None
    payload, public_x = cached
    return payload.subject, {**_lookup(payload), "public_x": public_x}


def reject(reason: str, text: str, *, source: str, audit_refusal: bool = True, **details):
    if audit_refusal:
        # Keep only a prefix of what was scanned: enough to investigate, not a dump of garbage.
        audit.record("code.rejected", actor=source, reason=reason, text=str(text)[:160],
                     **details)
    raise CodeRejected(reason)


def by_short_code(short: str) -> ServiceCode | None:
    short = (short or "").strip().upper()
    if not short:
        return None
    return db.session.scalar(select(ServiceCode).where(ServiceCode.short_code == short))


def revocations_since(cursor: int, limit: int = 1000) -> list[CodeRevocation]:
    return list(db.session.scalars(
        select(CodeRevocation).where(CodeRevocation.id > cursor)
        .order_by(CodeRevocation.id).limit(limit)
    ))
