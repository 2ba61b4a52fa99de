"""One reading of an operation's `actor=`: its label for text columns, the admin's id for
`*_by_user_id` columns and the audit log, whatever kind of actor it is."""

from __future__ import annotations

from sqlalchemy import select

from server.core import actors


def test_each_kind_of_actor_has_its_label_and_only_an_admin_an_id(db, network, create_admin,
                                                                  make_volunteers,
                                                                  enroll_kiosk):
    from server.devices.models import Device
    from server.volunteers.models import Volunteer

    admin = create_admin("district_admin", network["center"], username="zhang")
    (number, _, _), = make_volunteers(1)
    volunteer = db.session.scalars(select(Volunteer).where(Volunteer.number == number)).one()
    enroll_kiosk()
    device = db.session.scalars(select(Device)).first()
    cases = {admin: ("zhang", admin.id, "zhang", admin),
             device: (f"kiosk {device.id}", None, "", f"kiosk {device.id}"),
             volunteer: (f"volunteer {number}", None, "", f"volunteer {number}"),
             "rule": ("rule", None, "rule", "rule"),
             None: ("", None, "", None)}
    for actor, (label, admin_id, admin_label, audited) in cases.items():
        assert actors.label(actor) == label, actor
        assert actors.admin_id(actor) == admin_id, actor
        assert actors.admin_label(actor) == admin_label, actor
        assert actors.for_audit(actor) == audited, actor
    assert actors.label(None, default="system") == "system"
    assert actors.label("x" * 500) == "x" * actors.LABEL_MAX


def test_a_kiosk_recorded_in_the_audit_log_is_not_taken_for_an_admin(db, network,
                                                                    enroll_kiosk):
    """Before the Actor functions, audit.record stored any actor's id as actor_user_id: a
    kiosk's device id read as an admin user's."""
    from server.core import audit
    from server.devices.models import Device

    enroll_kiosk()
    device = db.session.scalars(select(Device)).first()
    audit.record("test.kiosk", device, actor=device)
    db.session.flush()
    row = db.session.scalars(select(audit.AuditEvent).where(
        audit.AuditEvent.action == "test.kiosk")).one()
    assert row.actor_user_id is None
