"""Every error code the server answers with, in one catalog: the stable machine `code` of the
JSON error shape (and of a kiosk action's refusal), the HTTP status it usually comes with (a
few come with more than one: a form field's code also as 400) and what it means, in English
for developers (people read the translated `message` of the answer, never the code).

The OpenAPI document lists the catalog in the Error schema (`enum` and `x-codes`), and the
kiosk marks the codes it has its own words for (`KIOSK_WORDED`, checked against
kiosk/messages.py by the tests). tests/core/test_error_codes.py fails when a code is raised
that is not here, or when one here is raised nowhere; under TESTING every error answer checks
its code against the catalog.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import current_app, has_app_context


class Code(NamedTuple):
    status: int
    meaning: str


CODES: dict[str, Code] = {
    "activity_cancelled": Code(400, "This activity was cancelled."),
    "activity_not_found": Code(404, "No such activity."),
    "activity_over": Code(409, "This activity is over."),
    "activity_started": Code(409, "The activity has begun; it can no longer be cancelled."),
    "already_accepted": Code(409, "Someone has already accepted this order."),
    "already_claimed": Code(409, "The project is already claimed for that month."),
    "already_completed": Code(409, "This order is already completed."),
    "already_decided": Code(409, "This nomination was already decided."),
    "already_rated": Code(409, "This order has already been rated."),
    "already_reversed": Code(409, "This entry has already been reversed."),
    "already_signed_in": Code(409, "You are already signed in here."),
    "assignee_required": Code(400, "Choose a team or a volunteer."),
    "bad_request": Code(400, "The request could not be understood."),
    "bad_size": Code(404, "No such paper size."),
    "booking_link_invalid": Code(404, "This booking link is not valid."),
    "booking_not_found": Code(404, "No such booking."),
    "booking_over": Code(409, "This booking is over."),
    "calendar_link_invalid": Code(404, "This calendar link is not valid any more."),
    "claim_dropped": Code(409, "This claim was dropped."),
    "claim_not_found": Code(404, "No such claim."),
    "claimant_required": Code(400, "Choose the unit or the volunteer group that claims it."),
    "code_expired": Code(410, "A scanned code refused: expired."),
    "code_foreign": Code(400, "A scanned code refused: foreign."),
    "code_garbage": Code(400, "A scanned code refused: garbage."),
    "code_not_yet_valid": Code(400, "A scanned code refused: not yet valid."),
    "code_retired_key": Code(410, "A scanned code refused: retired key."),
    "code_revoked": Code(410, "A scanned code refused: revoked."),
    "code_tampered": Code(400, "A scanned code refused: tampered."),
    "code_unknown_key": Code(400, "A scanned code refused: unknown key."),
    "code_unsupported_version": Code(400, "A scanned code refused: unsupported version."),
    "code_used": Code(410, "A scanned code refused: used."),
    "code_wrong_type": Code(400, "A scanned code refused: wrong type."),
    "conflict": Code(409, "The request conflicts with the record's current state."),
    "consent_required": Code(400, "The person must agree to their name, photo and story being "
                                  "shown in public."),
    "coordinate_out_of_range": Code(400, "A latitude or longitude out of range."),
    "cross_origin": Code(403, "This request came from another website and was refused."),
    "csrf_failed": Code(400, "The form expired. Please try again."),
    "cycle": Code(400, "A site cannot be moved into its own subtree."),
    "daily_limit": Code(429, "This phone has placed as many orders as a day allows."),
    "database_not_empty": Code(409, "The province is generated into an empty database."),
    "database_unavailable": Code(503, "The service is briefly unavailable. Nothing was lost; "
                                      "please try again in a moment."),
    "date_out_of_range": Code(400, "A date outside 1970 to 9998."),
    "device_not_found": Code(404, "No such kiosk."),
    "device_revoked": Code(403, "This kiosk has been revoked by an administrator."),
    "device_unknown": Code(401, "This kiosk is not enrolled. Scan an enrollment code."),
    "district_only": Code(403, "Only the district center approves the honor roll."),
    "duplicate_name": Code(409, "A name already used among its siblings."),
    "end_before_start": Code(400, "The end of the period is before its start."),
    "ends_before_start": Code(400, "The end must be after the start."),
    "enrollment_unknown": Code(404, "This enrollment code is not on record."),
    "enrollment_used": Code(410, "This enrollment code was already used. Make a new one."),
    "follow_up_done": Code(409, "This order's follow-up is already recorded."),
    "forbidden": Code(403, "You may not do this."),
    "general_fixed": Code(400, "The general team cannot be deactivated."),
    "general_membership": Code(400, "Every volunteer belongs to the general team; deactivate the "
                                    "volunteer instead."),
    "honoree_not_found": Code(404, "No such person on the honor roll."),
    "honoree_not_public": Code(400, "Only a model on the published honor roll can give a talk."),
    "http_error": Code(400, "Another HTTP refusal, with its own status."),
    "in_future": Code(400, "A shift cannot be in the future."),
    "in_past": Code(400, "That time is already past."),
    "incomplete_coordinates": Code(400, "lat and long must be sent together."),
    "insufficient_points": Code(409, "Not enough points for this redemption."),
    "invalid": Code(400, "A value a rule refused."),
    "invalid_action": Code(400, "Choose what to do with the selected volunteers."),
    "invalid_actions": Code(400, "actions must be a list of at most 500 actions."),
    "invalid_address_id": Code(400, "address_id is not a site offering this service."),
    "invalid_api_key": Code(403, "A valid api_key is required."),
    "invalid_area": Code(400, "Choose one of the five content areas."),
    "invalid_body": Code(400, "An action's body misses a field."),
    "invalid_brand": Code(400, "Choose one of the five project brands."),
    "invalid_building": Code(400, "Rooms belong to the center, an institute or a station."),
    "invalid_category": Code(400, "Choose one of the kinds of model."),
    "invalid_choice": Code(400, "A value that is not one of the allowed ones."),
    "invalid_client_time": Code(400, "An action's client_time that is not an ISO 8601 time "
                                     "with an offset."),
    "invalid_code": Code(400, "code must be the scanned enrollment code."),
    "invalid_content_area": Code(400, "Choose one of the five content areas."),
    "invalid_cursor": Code(400, "since must be a cursor from an earlier answer."),
    "invalid_date": Code(400, "Enter a date like 2026-11-29."),
    "invalid_direction": Code(400, "direction must be in or out."),
    "invalid_format": Code(400, "A value not in the expected format (an export asked in another "
                                "format)."),
    "invalid_hours": Code(400, "The room must close after it opens."),
    "invalid_json": Code(400, "The request body must be a JSON object."),
    "invalid_key": Code(400, "Each action needs a key of 1 to 64 characters."),
    "invalid_kind": Code(400, "An unknown kind (of item, site or action)."),
    "invalid_length": Code(400, "A booking lasts from 30 minutes to N minutes."),
    "invalid_minutes": Code(400, "Service minutes must be a positive whole number."),
    "invalid_month": Code(400, "A month not written like 2026-03."),
    "invalid_name": Code(400, "Give the item a name of at most 64 characters."),
    "invalid_number": Code(400, "A number that is not one, or out of its allowed range."),
    "invalid_parameter": Code(400, "A query parameter that is not valid."),
    "invalid_parent": Code(400, "A kind of site that cannot be placed under that parent."),
    "invalid_phone": Code(400, "Please enter an 11-digit mobile number starting with 1."),
    "invalid_points": Code(400, "Points must be a non-zero whole number."),
    "invalid_role": Code(400, "Choose the role."),
    "invalid_rounding": Code(400, "Rounding must be 1, 5, 10, 15 or 30 minutes."),
    "invalid_rule": Code(400, "Points per hour must be a whole number from 1 to N."),
    "invalid_stars": Code(400, "Please choose 1 to 5 stars."),
    "invalid_status": Code(400, "status must be open or closed."),
    "invalid_tags": Code(400, "Tags must be a list of words."),
    "invalid_text": Code(400, "A scanned text that cannot be a code."),
    "invalid_time": Code(400, "Please give a time like 09:00."),
    "invalid_timeout": Code(400, "The waiting time must be 1 minute to 7 days."),
    "invalid_type": Code(400, "A value of the wrong JSON type, or an unknown kind of code."),
    "invalid_username": Code(400, "A username is 3-64 letters, digits, dots, dashes or "
                                  "underscores."),
    "invalid_value": Code(400, "The action holds a value that cannot be stored."),
    "invalid_zone": Code(400, "Choose one of the five function zones."),
    "item_elsewhere": Code(409, "This item is not offered at this site."),
    "item_inactive": Code(409, "This item is no longer offered."),
    "item_not_found": Code(404, "No such item in the catalog."),
    "item_not_offered": Code(400, "This service is not offered here."),
    "item_required": Code(404, "Choose a service."),
    "key_is_current": Code(400, "The current signing key cannot be retired; rotate first."),
    "key_not_found": Code(404, "No such signing key."),
    "key_reused": Code(422, "This request key was already used for another redemption."),
    "location_required": Code(400, "A location is required: lat and long, address_string or "
                                   "address_id."),
    "login_required": Code(401, "Log in first."),
    "method_not_allowed": Code(405, "This address does not accept that kind of request."),
    "month_past": Code(400, "A month that is over cannot be claimed."),
    "no_general_team": Code(400, "Create the general team first."),
    "no_live_code": Code(404, "This site has no valid code yet."),
    "no_open_day": Code(400, "Choose at least one opening day."),
    "no_open_shift": Code(409, "You are not signed in, so you cannot sign out."),
    "no_points": Code(400, "Too few minutes to earn a point."),
    "not_a_member": Code(400, "You can only book for a team you belong to."),
    "not_accepted": Code(409, "The order has not been accepted, so it cannot be completed."),
    "not_cancellable": Code(409, "The order can no longer be cancelled."),
    "not_claimed": Code(409, "Only a claim not yet delivered can be dropped."),
    "not_completed": Code(409, "An order can be rated once it is completed."),
    "not_dispatchable": Code(409, "This order can no longer be dispatched."),
    "not_dispatched": Code(409, "This order is not waiting to be accepted."),
    "not_editable": Code(400, "Fields that cannot be changed here."),
    "not_found": Code(404, "This page or record does not exist."),
    "not_in_service": Code(409, "This order has not been accepted yet."),
    "not_in_team": Code(400, "That volunteer is not in the team."),
    "not_leader": Code(403, "Only the team leader can assign a member."),
    "not_live": Code(409, "This booking is not active."),
    "not_on_roll": Code(409, "This entry is not on the roll."),
    "not_pending": Code(409, "This shift is not waiting for review."),
    "not_rejectable": Code(409, "This order can no longer be given back."),
    "not_reopenable": Code(409, "Only a completed order can be reopened."),
    "not_requested": Code(409, "This booking is not waiting for a decision."),
    "not_team_site": Code(403, "Only the administrators of the site this team serves name its "
                               "leader."),
    "not_your_order": Code(403, "This order was not dispatched to you or your team."),
    "nothing_selected": Code(400, "Select at least one volunteer."),
    "nothing_to_print": Code(404, "No volunteer here has a valid code to print."),
    "order_cancelled": Code(409, "This order was cancelled."),
    "order_not_found": Code(404, "No such order."),
    "out_of_order": Code(409, "This sign-in is older than the open shift elsewhere."),
    "out_of_range": Code(400, "A number outside its allowed range."),
    "out_of_scope": Code(403, "A record outside the admin's subtree, or an action reserved to the "
                              "district."),
    "out_of_stock": Code(409, "Not enough of the item left."),
    "outside_jurisdiction": Code(400, "This location is outside the area we serve."),
    "outside_opening_hours": Code(400, "A booking outside the room's opening hours."),
    "over_capacity": Code(400, "The room holds N people."),
    "overlap": Code(409, "This overlaps a shift already recorded for this volunteer."),
    "own_service": Code(403, "You serve this order, so only the resident can rate, cancel or "
                             "reopen it."),
    "own_site": Code(400, "You cannot deactivate the site you manage from."),
    "parent_inactive": Code(400, "The parent site is deactivated."),
    "parent_required": Code(400, "Choose the site this one belongs to."),
    "password_mismatch": Code(400, "The two passwords differ."),
    "password_too_long": Code(400, "The password is too long."),
    "password_too_short": Code(400, "The password needs at least N characters."),
    "photo_missing": Code(400, "Please choose a photo."),
    "photo_not_found": Code(404, "No such photo."),
    "photo_refused": Code(400, "The photo cannot be used."),
    "photo_too_large": Code(400, "The photo is too large (at most N MB)."),
    "photo_too_many_pixels": Code(400, "The photo has too many pixels. Please send a smaller "
                                       "picture."),
    "photo_type": Code(400, "Only PNG, JPEG or WEBP photos can be used."),
    "photo_unreadable": Code(400, "The photo could not be read. Please send another picture."),
    "presence_invalid": Code(400, "This is not a valid kiosk code. Please scan the code on the "
                                  "kiosk screen."),
    "presence_kiosk_revoked": Code(403, "This kiosk has been taken out of service. Please tell the"
                                        " station staff."),
    "presence_reused": Code(409, "You already used this code. Please scan the screen again when it"
                                 " changes."),
    "presence_stale": Code(410, "This code on the kiosk screen has already changed. Please scan "
                                "the screen again."),
    "project_inactive": Code(409, "This project is no longer offered."),
    "project_not_found": Code(404, "No such project."),
    "rate_limited": Code(429, "Too many attempts. Please wait a minute and try again."),
    "reason_required": Code(400, "Say why."),
    "receipt_invalid": Code(404, "This receipt link is not valid. Please use the link or code on "
                                 "your receipt."),
    "reopen_expired": Code(409, "An order can be reopened within N days of completion."),
    "required": Code(400, "A required value is missing or empty."),
    "reset_invalid": Code(404, "This link is not valid any more. Ask your administrator for a new "
                               "one."),
    "reversal_of_reversal": Code(409, "A reversal cannot itself be reversed; make an adjustment "
                                      "instead."),
    "role_not_allowed": Code(403, "You may not create accounts of this role."),
    "role_site_mismatch": Code(400, "This role manages a site of another kind: an institute admin "
                                    "an institute, a station admin a station."),
    "room_closed": Code(409, "This room cannot be booked now."),
    "room_not_found": Code(404, "No such room."),
    "room_taken": Code(409, "The room is already booked at that time."),
    "second_center": Code(409, "The network already has its district center."),
    "second_general": Code(409, "There is already a general team."),
    "server_error": Code(500, "Something went wrong on our side. Please try again."),
    "service_code_required": Code(400, "service_code is required."),
    "shift_not_found": Code(404, "No such shift."),
    "shift_open": Code(409, "This shift is still open; decide after it ends."),
    "signing_key_unreadable": Code(500, "The signing key cannot be decrypted: SECRET_KEY has "
                                        "changed. Rotate the key."),
    "signup_link_invalid": Code(404, "This registration link is not valid."),
    "signup_not_found": Code(404, "You have no place in this activity."),
    "site_inactive": Code(400, "This site is deactivated."),
    "site_not_found": Code(404, "No such site."),
    "site_required": Code(400, "Choose the site."),
    "span_too_long": Code(400, "start_date and end_date may be at most 90 days apart."),
    "team_inactive": Code(400, "This team is not active."),
    "team_not_found": Code(400, "No such team."),
    "time_out_of_range": Code(400, "Please choose a time within the next 60 days."),
    "too_deep": Code(400, "The request is nested too deeply."),
    "too_far_ahead": Code(400, "Rooms can be booked up to 60 days ahead."),
    "too_large": Code(413, "The upload is too large."),
    "too_long": Code(400, "A text longer than allowed (or an activity longer than a day)."),
    "too_many": Code(400, "More items than allowed at once."),
    "too_many_bookings": Code(409, "This phone number already holds N bookings."),
    "too_many_ids": Code(400, "At most N service_request_id at once."),
    "too_many_points": Code(400, "One adjustment moves at most N points; split a larger correction"
                                 " and give each part its reason."),
    "too_many_signups": Code(409, "This phone number already holds N registrations."),
    "too_many_tags": Code(400, "At most N short tags."),
    "transfer_conflict": Code(409, "This entry conflicts with one already recorded."),
    "transfer_not_found": Code(404, "No such ledger entry."),
    "unknown_field": Code(400, "Fields the request does not take."),
    "unknown_jurisdiction": Code(404, "Unknown jurisdiction_id."),
    "unknown_kind": Code(400, "This kind of action is not known."),
    "user_not_found": Code(404, "No such account."),
    "username_taken": Code(409, "That username is taken."),
    "volunteer_inactive": Code(409, "This volunteer is not active."),
    "volunteer_login_required": Code(401, "Please log in as a volunteer on this phone."),
    "volunteer_not_found": Code(404, "No volunteer with this number."),
    "volunteers_only": Code(409, "This activity is for volunteers only."),
    "wrong_password": Code(400, "The current password is not right."),
    "wrong_site_kind": Code(400, "A site of a kind the form does not take (a service point where "
                                 "a unit is asked for)."),
}

#: Codes a kiosk action can be refused with for which the kiosk has words of its own (in both
#: languages, kiosk/messages.py): shown offline too, and spoken. Any other refusal shows the
#: server's translated message.
KIOSK_WORDED = frozenset({
    "already_completed", "already_rated", "code_expired", "code_foreign", "code_garbage",
    "code_not_yet_valid", "code_retired_key", "code_revoked", "code_tampered",
    "code_unknown_key", "code_unsupported_version", "code_wrong_type", "daily_limit",
    "device_revoked", "insufficient_points", "invalid_phone", "invalid_stars", "invalid_tags",
    "not_completed", "not_in_service", "order_cancelled", "out_of_stock", "too_long",
    "volunteer_inactive",
})


class UnknownCode(AssertionError):
    """An answer with a code the catalog lacks: a bug for the test suite to see."""


def checked(code: str) -> str:
    """The code, checked against the catalog while the app runs its tests (TESTING): a new
    code must be written here, where API clients and the OpenAPI document learn of it."""
    if code not in CODES and has_app_context() and current_app.testing:
        raise UnknownCode(f"error code {code!r} is not in server/core/error_codes.py")
    return code
