"""Featured volunteer projects (特色志愿服务项目) and the monthly claim board (一月一助)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from .admin import bp as admin_bp

    # No top navigation entry of its own (the bar is full): the activities pages link the
    # board, as they link the honor roll and the rooms.
    app.register_blueprint(admin_bp)
