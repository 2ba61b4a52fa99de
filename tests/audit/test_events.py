"""What the audit log must hold besides each feature's own changes: refusals of permission."""

from __future__ import annotations

from sqlalchemy import select

from server.core.audit import AuditEvent


def test_a_permission_refusal_is_audited_and_the_chain_holds(client, login, create_admin,
                                                             network, db, runner):
    admin = create_admin("station_admin", network["east_station"])
    login(admin)
    # Outside its subtree is answered as missing (no probing ids) but audited as a refusal.
    assert client.get(f"/admin/sites/{network['west_station'].id}").status_code == 404
    token = client.get("/api/v1/me").get_json()["csrf_token"]
    response = client.post(f"/admin/sites/{network['west_station'].id}/edit",
                           data={"csrf_token": token, "name": "改名"})
    assert response.status_code == 404
    db.session.rollback()
    refused = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "access.refused")
                                 .order_by(AuditEvent.id)).all()
    assert [(e.actor_user_id, e.details["code"], e.details["method"]) for e in refused] == [
        (admin.id, "out_of_scope", "GET"), (admin.id, "out_of_scope", "POST")]
    assert refused[0].details["path"] == f"/admin/sites/{network['west_station'].id}"
    assert network["west_station"].name != "改名"
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
