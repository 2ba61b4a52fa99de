"""Bulk work from the volunteer list: deactivate the selected, print their cards, add them to
a team or take them out of one (`team_id`, a team the admin's unit may name). Without
JavaScript one post does the whole selection (asked first, then a summary page); the page's
script (`js/bulk.js`) sends it in chunks and shows the progress, then the same summary."""

from __future__ import annotations

import json

from flask import render_template, request, url_for

from ..core.auth import current_user, login_required
from ..core.db import mark_failed
from ..core.errors import DomainError, ValidationError
from ..core.i18n import _, _l
from ..core.web import confirm_first, download
from . import bulk, cards, teams
from .admin import bp

ACTIONS = ("deactivate", "print", "join", "leave")


def _summary(action: str, result: bulk.BulkResult, status: int = 200, *, numbers=(),
             team=None):
    if request.form.get("reply") == "json":
        return {"done": [v.number for v in result.done],
                "skipped": [{"number": s.number, "reason": s.reason, "text": s.text}
                            for s in result.skipped]}, status
    return render_template("volunteers/bulk_result.html", action=action, result=result,
                           numbers=numbers, team=team), status


def _refused(error: DomainError):
    mark_failed()
    if request.form.get("reply") == "json":
        return {"error": {"code": error.code, "message": str(error.message)}}, error.status
    return render_template("volunteers/bulk_result.html", action=None, error=error,
                           result=bulk.BulkResult()), error.status


@bp.post("/bulk")
@login_required
def bulk_action():
    """`action` deactivate|print|join|leave (join and leave with `team_id`) and `number` once
    per volunteer chosen (at most
    bulk.BULK_MAX); `confirmed=1` after the question, `skipped_ok=1` to print without
    those left out, `reply=json` for the page's script."""
    from ..core.forms import ActionForm

    if not ActionForm().validate_on_submit():
        return _refused(ValidationError(_l("The form expired. Please try again."),
                                        "csrf_failed"))
    action = request.form.get("action")
    try:
        if action not in ACTIONS:
            raise ValidationError(_l("Choose what to do with the selected volunteers."),
                                  "invalid_action", field="action")
        numbers = bulk.clean_numbers(request.form.getlist("number"))
        team = None
        if action in ("join", "leave"):
            team = teams.require_usable(request.form.get("team_id"), current_user().site)
            if action == "leave" and team.is_general:
                raise ValidationError(_l("Every volunteer belongs to the general team; "
                                         "deactivate the volunteer instead."),
                                      "general_membership", field="team_id")
    except DomainError as error:
        return _refused(error)
    root = current_user().site
    if team is not None:
        run = bulk.join_team if action == "join" else bulk.leave_team
        return _summary(action, run(root, numbers, team, actor=current_user()), team=team)
    if action == "deactivate":
        ask = confirm_first(
            _("Deactivate %(n)d volunteers?", n=len(numbers)),
            _("Each is logged out everywhere and the card's code is withdrawn: kiosks refuse "
              "the cards at once. They can be reactivated one by one."),
            confirm_label=_("Yes, deactivate them"), back_url=url_for(".index"))
        if ask is not None:
            return ask
        return _summary(action, bulk.deactivate(root, numbers, actor=current_user()))
    result = bulk.printable(root, numbers)
    if not result.done or (result.skipped and request.form.get("skipped_ok") != "1"
                           and request.form.get("reply") != "json"):
        # Nothing printed yet: first what is left out, and why.
        return _summary(action, result, numbers=[v.number for v in result.done])
    response = download(cards.cards_pdf(result.done), "application/pdf",
                        f"cards-{len(result.done)}.pdf")
    # The script shows what was left out of this chunk beside its PDF.
    response.headers["X-Bulk-Done"] = str(len(result.done))
    response.headers["X-Bulk-Skipped"] = json.dumps(
        [{"number": s.number, "reason": s.reason} for s in result.skipped])
    return response
