"""Readable names of audit actions (the stored action is a stable machine code)."""

from __future__ import annotations

from ..core.i18n import _l

ACTIONS = {
    "access.refused": _l("Access refused"),
    "activity.cancel": _l("Activity cancelled"), "activity.create": _l("Activity created"),
    "activity.friday": _l("Friday activities planned"), "activity.promote":
        _l("Moved up from the waiting list"), "activity.signup": _l("Signed up for an activity"),
    "activity.signup_cancel": _l("Activity place given up"),
    "activity.theme": _l("Monthly theme set"), "activity.update": _l("Activity changed"),
    "code.issue": _l("Code issued"), "code.rejected": _l("Code refused"),
    "code.revoke": _l("Code revoked"),
    "device.enroll": _l("Kiosk paired"), "device.enrollment": _l("Kiosk pairing code made"),
    "device.revoke": _l("Kiosk revoked"),
    "honoree.approve": _l("Model approved"), "honoree.nominate": _l("Model nominated"),
    "honoree.photo": _l("Model's portrait changed"), "honoree.withdraw": _l("Model withdrawn"),
    "hours_policy.set": _l("Hours policy changed"),
    "key.create": _l("Signing key made"), "key.retire": _l("Signing key retired"),
    "key.rotate": _l("Signing key rotated"),
    "kiosk.action_refused": _l("Kiosk action refused"),
    "ledger.item": _l("Reward changed"), "ledger.post": _l("Points posted"),
    "ledger.redeem": _l("Points redeemed"), "ledger.rule": _l("Points rule changed"),
    "order.placed": _l("Order placed"), "order.dispatched": _l("Order dispatched"),
    "order.accepted": _l("Order accepted"), "order.in_service": _l("Order in service"),
    "order.completed": _l("Order completed"), "order.rated": _l("Order rated"),
    "order.reopened": _l("Order reopened"), "order.cancelled": _l("Order cancelled"),
    "order.escalate": _l("Order escalated"), "order_item.create": _l("Service item added"),
    "order_item.update": _l("Service item changed"),
    "order_item.retire": _l("Service item retired"),
    "order_item.activate": _l("Service item offered again"),
    "order_policy.set": _l("Order policy changed"),
    "project.activate": _l("Project switched on or off"), "project.claim": _l("Project claimed"),
    "project.create": _l("Project created"), "project.deliver": _l("Project delivered"),
    "project.drop": _l("Project claim dropped"),
    "room.approve": _l("Room booking decided"), "room.book": _l("Room booked"),
    "room.cancel": _l("Room booking cancelled"), "room.create": _l("Room created"),
    "shift.admin_entry": _l("Shift entered by an admin"), "shift.approve": _l("Shift reviewed"),
    "shift.auto_close": _l("Shift closed by rule"),
    "site.activate": _l("Site switched on or off"), "site.create": _l("Site created"),
    "site.move": _l("Site moved"), "site.update": _l("Site changed"),
    "team.create": _l("Team created"), "team.join": _l("Joined a team"),
    "team.leader": _l("Team leader named"), "team.leader_removed": _l("Team leader removed"),
    "team.leave": _l("Left a team"), "team.update": _l("Team changed"),
    "team.deactivate": _l("Team deactivated"), "team.activate": _l("Team reactivated"),
    "user.create": _l("Admin account created"), "user.disable": _l("Admin account deactivated"),
    "user.enable": _l("Admin account reactivated"), "user.login": _l("Admin logged in"),
    "user.login_failed": _l("Failed admin login"), "user.logout": _l("Admin logged out"),
    "user.password": _l("Admin password changed"),
    "volunteer.activate": _l("Volunteer switched on or off"),
    "volunteer.create": _l("Volunteer registered"), "volunteer.login": _l("Volunteer logged in"),
    "volunteer.login_link": _l("Volunteer login link made"),
    "volunteer.password": _l("Volunteer password set"),
    "volunteer.update": _l("Volunteer changed"),
}
EXPORTS = {
    "audit": _l("audit log"), "volunteers": _l("volunteers"), "shifts": _l("shifts"),
    "hours": _l("hours by volunteer and month"), "orders": _l("orders with ratings"),
    "ledger": _l("ledger"), "redemptions": _l("redemptions"), "kiosks": _l("kiosks"),
}


def action_label(action: str) -> str:
    if action in ACTIONS:
        return str(ACTIONS[action])
    noun, _, what = action.partition(".")
    if noun == "export":
        return str(_l("Exported: %(what)s", what=EXPORTS.get(what, what)))
    return str(_l("Other change"))


def action_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in ACTIONS.items()), key=lambda c: c[1])

TARGETS = {
    "activity": _l("activity"), "activity_signup": _l("activity place"),
    "admin_user": _l("admin account"), "device": _l("kiosk"),
    "device_enrollment": _l("kiosk pairing code"), "featured_project": _l("featured project"),
    "honoree": _l("model"), "hours_policy": _l("hours policy"), "ledger_item": _l("reward"),
    "ledger_redemption": _l("redemption"), "ledger_transfer": _l("ledger entry"),
    "monthly_theme": _l("monthly theme"), "order_policy": _l("order policy"),
    "project_claim": _l("project claim"), "room": _l("function room"),
    "room_booking": _l("room booking"), "service_code": _l("code"),
    "service_item": _l("service item"), "service_order": _l("order"), "shift": _l("shift"),
    "signing_key": _l("signing key"), "site": _l("site"), "team": _l("team"),
    "volunteer": _l("volunteer"),
}


def target_label(target_type: str | None, target_id: str | None) -> str:
    if not target_id:
        return "—"
    kind = TARGETS.get(target_type or "")
    return f"{kind if kind is not None else _l('record')} #{target_id}"
