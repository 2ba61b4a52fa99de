"""The site tree: district center → institutes (所) → stations (站) → service points (点)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from ..core.i18n import _l
    from ..features import add_nav
    from .admin import bp as admin_bp
    from .api import bp as api_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp)

    @app.context_processor
    def _site_picker():
        from ..core.auth import current_user
        from .operations import picker_order
        from .picker import UNIT_KINDS

        def picker_sites(selected=None, kinds=None):
            user = current_user()
            return picker_order(user.site, selected=selected, kinds=kinds) if user else []

        # unit_kinds: for a picker that takes units only (`site_picker(..., kinds=unit_kinds)`).
        return {"picker_sites": picker_sites, "unit_kinds": UNIT_KINDS}
    add_nav(app, "sites_admin.browse", _l("Network"), "sites_admin", 10)
