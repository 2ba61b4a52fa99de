"""What a WSGI server serves (`make run`: gunicorn server.wsgi:app): the app, built once per
worker process and made ready to serve."""

from __future__ import annotations

from . import create_app, ready_to_serve

app = ready_to_serve(create_app())
