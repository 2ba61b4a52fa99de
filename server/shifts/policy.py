"""Hours policy: the nearest site up the tree with a policy decides, else the defaults."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from ..core import audit
from ..core.actors import Actor
from ..core.errors import ValidationError
from ..core.i18n import _l
from ..extensions import db
from ..sites.models import Site
from .models import HoursPolicy

ROUNDINGS = (1, 5, 10, 15, 30)


@dataclass(frozen=True)
class Policy:
    rounding_minutes: int = 5
    daily_cap_minutes: int = 8 * 60
    max_shift_minutes: int = 10 * 60
    forgotten_credit_minutes: int = 0
    site_id: int | None = None  # where it was set; None for the defaults


FIELDS = ("rounding_minutes", "daily_cap_minutes", "max_shift_minutes",
          "forgotten_credit_minutes")
# A query of this feature that reads the policies of a site's chain (its own and its
# ancestors') selects these columns where site_id is in chain_ids(site), and hands its rows
# to nearest(), which reads them by name. Plain columns: no policy object is needed.
POLICY_TABLE = HoursPolicy.__table__
POLICY_COLUMNS = (POLICY_TABLE.c.site_id.label("policy_site_id"),
                  *(POLICY_TABLE.c[f] for f in FIELDS))
_POLICIES = select(*POLICY_COLUMNS).where(POLICY_TABLE.c.site_id.in_(bindparam("ids",
                                                                             expanding=True)))


def chain_ids(site: Site) -> list[int]:
    return site.ancestor_ids + [site.id]


def nearest(site: Site, rows) -> Policy:
    """The policy that decides for `site`, from rows with POLICY_COLUMNS (rows without a
    policy, as an outer join gives them, are skipped)."""
    found = {row.policy_site_id: row for row in rows if row.policy_site_id is not None}
    for site_id in reversed(chain_ids(site)):
        if site_id in found:
            row = found[site_id]
            return Policy(*(getattr(row, f) for f in FIELDS), site_id=site_id)
    return Policy()


def policy_for(site: Site) -> Policy:
    db.session.flush()  # a policy set earlier in this transaction counts
    return nearest(site, db.session.execute(_POLICIES, {"ids": chain_ids(site)}))


def _minutes(value, field: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_l("Enter a whole number of minutes."), "invalid_number",
                              field=field) from None
    if not low <= number <= high:
        raise ValidationError(_l("Enter a number from %(low)d to %(high)d.", low=low, high=high),
                              "out_of_range", field=field)
    return number


def set_policy(site: Site, *, actor: Actor = None, **values) -> HoursPolicy:
    """Set the policy for `site` and its subtree (until a deeper site sets its own)."""
    rounding = _minutes(values.get("rounding_minutes"), "rounding_minutes", 1, 30)
    if rounding not in ROUNDINGS:
        raise ValidationError(_l("Rounding must be 1, 5, 10, 15 or 30 minutes."),
                              "invalid_rounding", field="rounding_minutes")
    clean = {
        "rounding_minutes": rounding,
        "daily_cap_minutes": _minutes(values.get("daily_cap_minutes"), "daily_cap_minutes",
                                      1, 24 * 60),
        "max_shift_minutes": _minutes(values.get("max_shift_minutes"), "max_shift_minutes",
                                      1, 24 * 60),
        "forgotten_credit_minutes": _minutes(values.get("forgotten_credit_minutes"),
                                             "forgotten_credit_minutes", 0, 24 * 60),
    }
    record = db.session.scalar(
        select(HoursPolicy).where(HoursPolicy.site_id == site.id).with_for_update())
    if record is None:
        record = HoursPolicy(site_id=site.id)
        db.session.add(record)
    for name, value in clean.items():
        setattr(record, name, value)
    db.session.flush()
    audit.record("hours_policy.set", site, actor=actor, **clean)
    return record
