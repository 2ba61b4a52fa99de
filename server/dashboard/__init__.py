"""The dashboard's home page: where an admin lands after logging in."""

from flask import Blueprint, redirect, render_template, url_for
from sqlalchemy import func, select

from ..core.auth import current_user, login_required
from ..extensions import db
from ..sites.models import Site

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.get("/")
def index():
    return redirect(url_for("dashboard.home"))


@bp.get("/admin/")
@login_required
def home():
    root = current_user().site
    counts = dict(
        db.session.execute(
            select(Site.kind, func.count())
            .where(Site.path.startswith(root.path, autoescape=True), Site.is_active.is_(True))
            .group_by(Site.kind)
        ).all()
    )
    from ..devices.health import health
    from .stats import overview

    return render_template("dashboard/home.html", root=root, counts=counts,
                           stats=overview(root), kiosk_health=health(root))
