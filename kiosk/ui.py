"""The touchscreen page on localhost: one HTML page that polls a small JSON state."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, jsonify, render_template, request, send_file

import qr
from qr import contract

from . import speech
from .core import Kiosk
from .flow_ui import flow_blueprint
from .flows import flow_table
from .idle import idle_blueprint

HERE = Path(__file__).resolve().parent
#: The kiosk's part of the shared assets (stylesheets, sounds), served as /assets/… from there.
ASSETS = HERE.parent / "assets" / "kiosk"
PREVIEW_WIDTH = 320


def create_ui(kiosk: Kiosk, scanner=None) -> Flask:
    app = Flask(__name__, template_folder=str(HERE / "templates"),
                static_folder=str(HERE / "static"))
    app.config["JSON_AS_ASCII"] = False
    app.register_blueprint(Blueprint("assets", __name__, static_folder=str(ASSETS),
                                     static_url_path="/assets"))
    app.register_blueprint(flow_blueprint(kiosk))
    app.register_blueprint(idle_blueprint(kiosk))
    presence_cache: dict[str, str] = {}
    lock = threading.Lock()

    @app.get("/")
    def index():
        return render_template("kiosk.html", words=kiosk.words, contract=contract.as_dict(),
                               flow=flow_table(),
                               lang="en" if kiosk.lang.startswith("en") else "zh-Hans")

    @app.get("/state.json")
    def state():
        # ?since=N waits (up to 10 s) for a change: the page learns of a scan at once.
        since = request.args.get("since", type=int)
        if since is not None:
            kiosk.screen.wait_for(since, min(request.args.get("wait", 10.0, type=float), 25.0))
        if kiosk.screen.closing:
            return Response(status=503)
        body = kiosk.status()
        body["words"] = {"offline": kiosk.words["offline"], "pending": kiosk.words["pending"]}
        return jsonify(body)

    @app.get("/sounds/<key>.wav")
    def sound(key: str):
        # Only the table's keys: never a path taken from the request.
        if not speech.has_prompt(key):
            abort(404)
        return send_file(speech.SOUNDS / f"{key}.wav", mimetype="audio/wav", max_age=86400)

    @app.get("/presence.svg")
    def presence():
        url = kiosk.presence_url()
        if url is None:
            return Response(status=404)
        with lock:  # one SVG per 15 s step, shared by every request in that step
            svg = presence_cache.get(url)
            if svg is None:
                presence_cache.clear()
                svg = presence_cache[url] = qr.to_svg(url, border=2)
        return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})

    @app.get("/preview.jpg")
    def preview():
        import cv2
        import numpy as np

        frame = getattr(scanner, "latest", None)
        if frame is None:  # no camera yet: a dark picture, never a broken-image icon
            frame = np.full((180, 320, 3), 34, np.uint8)
        scale = PREVIEW_WIDTH / frame.shape[1]
        small = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        ok, jpg = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 70])
        return Response(jpg.tobytes() if ok else b"", mimetype="image/jpeg",
                        headers={"Cache-Control": "no-store"})

    return app
