"""iCalendar (RFC 5545) feeds: one builder for every feature's calendar (the icalendar library)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import Response

from .timeutil import as_utc, utcnow

PRODID = "-//wenming//文明服务码//ZH"
# How often a calendar client should fetch the feed again (RFC 7986 REFRESH-INTERVAL).
REFRESH_HOURS = 6


@dataclass(frozen=True)
class FeedEvent:
    """One VEVENT: `uid` stable across fetches (the client updates, not duplicates)."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    cancelled: bool = False
    tentative: bool = False
    updated_at: datetime | None = None


def calendar_bytes(name: str, events: Iterable[FeedEvent], *, description: str = "") -> bytes:
    """The calendar as RFC 5545 text (CRLF lines, folded at 75 octets by the library)."""
    from datetime import timedelta

    from icalendar import Calendar, Event, vDuration

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    if description:
        cal.add("x-wr-caldesc", description)
    cal.add("refresh-interval", vDuration(timedelta(hours=REFRESH_HOURS)),
            parameters={"VALUE": "DURATION"})
    stamp = utcnow().replace(microsecond=0)
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", as_utc(item.starts_at).replace(microsecond=0))
        event.add("dtend", as_utc(item.ends_at).replace(microsecond=0))
        event.add("summary", item.summary)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        if item.updated_at is not None:
            event.add("last-modified", as_utc(item.updated_at).replace(microsecond=0))
        event.add("status", "CANCELLED" if item.cancelled
                  else "TENTATIVE" if item.tentative else "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()


def feed_response(name: str, events: Iterable[FeedEvent], filename: str, *,
                  description: str = "", private: bool = False) -> Response:
    """A text/calendar answer. A private feed (a volunteer's own) is never stored by caches."""
    body = calendar_bytes(name, events, description=description)
    headers = {"Content-Disposition": f'inline; filename="{filename}"',
               "Cache-Control": "private, no-store" if private else "public, max-age=900"}
    if private:
        headers["Referrer-Policy"] = "no-referrer"
    return Response(body, mimetype="text/calendar", headers=headers)
