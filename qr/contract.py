"""Values the kiosk and the server must agree on, in one place: both depend on qr, on nothing of
each other. The kiosk's page gets them in its HTML (`contract` JSON), so its scripts agree too.
"""

from __future__ import annotations

__all__ = ["DEBOUNCE_SECONDS", "PHONE_PATTERN", "PLACE_MAX", "NOTE_MAX", "COMMENT_MAX",
           "TAGS_MAX", "TAG_MAX", "ON_SHIFT_MAX", "as_dict"]

#: A second read of the same card at the same site within this window is no action: the server
#: answers "noop", the kiosk shows the first result again instead of signing straight back out.
DEBOUNCE_SECONDS = 60
#: A mainland mobile number, as residents type it (the whole text must match).
PHONE_PATTERN = r"1[3-9]\d{9}"
#: An order's free text and rating, in characters (the server's columns; the kiosk refuses
#: longer input before sending, so a typo never becomes a refusal the resident learns of later).
PLACE_MAX, NOTE_MAX, COMMENT_MAX = 120, 300, 300
TAGS_MAX, TAG_MAX = 5, 16
#: The kiosk's changes poll lists at most this many of who is signed in at its site; a list
#: this long may be cut short, so the kiosk then forgets nobody it does not see in it.
ON_SHIFT_MAX = 1000


def as_dict() -> dict:
    """The contract as JSON-ready names, for a page's scripts."""
    return {"debounce_seconds": DEBOUNCE_SECONDS, "phone_pattern": PHONE_PATTERN,
            "place_max": PLACE_MAX, "note_max": NOTE_MAX, "comment_max": COMMENT_MAX,
            "tags_max": TAGS_MAX, "tag_max": TAG_MAX}
