"""Small forms every feature's pages use: a reason box, and a bare CSRF-protected button."""

from flask_wtf import FlaskForm
from wtforms import StringField

from .i18n import _l


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"))


class ActionForm(FlaskForm):
    """Only the CSRF token: for buttons that change something (deactivate, confirm, …)."""
