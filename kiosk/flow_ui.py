"""The touchscreen questions' endpoints on the local page: menu, catalog, and the actions."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

import qr

from . import speech
from .flows import FlowError


def flow_blueprint(kiosk) -> Blueprint:
    bp = Blueprint("flow", __name__, url_prefix="/flow")
    flows = kiosk.flows

    def body() -> dict:
        # JSON only: a form posted by some other page cannot reach these without a preflight.
        data = request.get_json(silent=True) if request.is_json else None
        if not isinstance(data, dict):
            raise FlowError("bad_request", kiosk.words["unknown"])
        return data

    @bp.errorhandler(FlowError)
    def refused(exc: FlowError):
        return jsonify({"error": {"code": exc.code, "message": exc.message}}), 400

    @bp.get("/menu.json")
    def menu():
        return jsonify({"items": kiosk.store.get("menu") or []})

    @bp.get("/catalog.json")
    def catalog():
        # Each cost also as the parts the voice says it with.
        items = [{**item, "say_cost": speech.number_parts(item.get("cost_points") or 0)}
                 for item in kiosk.store.get("catalog") or [] if isinstance(item, dict)]
        return jsonify({"items": items})

    @bp.post("/order")
    def order():
        return jsonify(flows.place_order(body()))

    @bp.post("/redeem-mode")
    def redeem_mode():
        flows.set_redeem_mode(bool(body().get("on")))
        return jsonify({"ok": True})

    @bp.get("/order/<int:prompt_id>.json")
    def lookup(prompt_id: int):
        return jsonify(flows.lookup(prompt_id))

    @bp.get("/balance/<int:prompt_id>.json")
    def balance(prompt_id: int):
        return jsonify(flows.balance(prompt_id))

    @bp.post("/complete")
    def complete():
        return jsonify(flows.complete(body().get("prompt")))

    @bp.post("/rate")
    def rate():
        data = body()
        return jsonify(flows.rate(data.get("prompt"), data))

    @bp.post("/redeem")
    def redeem():
        data = body()
        return jsonify(flows.redeem(data.get("prompt"), data))

    @bp.get("/action/<key>.json")
    def action(key: str):
        state = flows.action_state(key)
        return (jsonify(state), 200) if state else (jsonify({}), 404)

    @bp.get("/action/<key>.svg")
    def action_code(key: str):
        """The order code from the server's answer, as a QR the resident photographs."""
        state = flows.action_state(key) or {}
        url = (state.get("result") or {}).get("code_url")
        if not url:
            return Response(status=404)
        return Response(qr.to_svg(url, border=2), mimetype="image/svg+xml")

    return bp
