"""The 志愿服务记录证明 (service record certificate) PDF, per 《志愿服务记录与证明出具办法》."""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

from flask import current_app, url_for
from flask_babel import force_locale
from sqlalchemy import select

from ..core.i18n import _
from ..core.timeutil import LOCAL_TZ, utcnow
from ..core.web import hours as _hours
from ..extensions import db
from ..sites.models import Site
from ..volunteers.models import Volunteer
from .statement import certificate_number, statement

_RED = (0.72, 0.07, 0.09)
RECORDS_MAX = 400  # a certificate lists at most this many records; the totals cover all


def _font() -> str:
    from ..prints import find_cjk_font, register_font

    name, _covered = register_font(find_cjk_font())  # once per process, shared with posters
    return name


def evaluations(volunteer: Volunteer) -> list[dict]:
    """Ratings residents gave this volunteer's services, when the orders feature offers them."""
    try:
        from ..orders import operations as orders
    except ImportError:
        return []
    provider = getattr(orders, "evaluations_for", None)
    return list(provider(volunteer)) if provider is not None else []


def _url_lines(url: str, font: str, size: float, width: float) -> list[str]:
    """The URL in lines no wider than `width`, broken only after a "/": never inside the host or
    the certificate number, which a reader types or compares as one token."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    parts = re.findall(r"[^/]*/+|[^/]+$", url)
    if len(parts) > 1 and parts[0].endswith("//"):  # the scheme stays with the host
        parts[:2] = [parts[0] + parts[1]]
    lines = [""]
    for part in parts:
        if lines[-1] and stringWidth(lines[-1] + part, font, size) > width:
            lines.append("")
        lines[-1] += part
    return lines


def certificate_pdf(volunteer: Volunteer) -> tuple[bytes, str]:
    """The PDF and its certificate number. Always in Chinese: it is an official record."""
    with force_locale("zh_Hans_CN"):
        return _build(volunteer)


def _build(volunteer: Volunteer) -> tuple[bytes, str]:
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=11.5, leading=18, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=9.5, leading=13)
    title = ParagraphStyle("title", parent=body, fontSize=24, leading=32, alignment=1,
                           textColor=colors.Color(*_RED), spaceAfter=6)
    heading = ParagraphStyle("heading", parent=body, fontSize=13.5, leading=20, spaceBefore=10,
                             spaceAfter=4, textColor=colors.Color(*_RED))

    book = statement(volunteer)
    services = book.services
    minutes = sum(e.minutes for e in services)
    today = utcnow().astimezone(LOCAL_TZ).date()
    number = certificate_number(volunteer, minutes, today)
    center = db.session.scalar(select(Site).where(Site.kind == "center"))
    organisation = center.name if center else _("the civilization practice center")
    first = min((e.at for e in services), default=None)
    last = max((e.at for e in services), default=None)
    period = (f"{first.astimezone(LOCAL_TZ):%Y-%m-%d} — {last.astimezone(LOCAL_TZ):%Y-%m-%d}"
              if first else "—")

    def table(rows, widths, *, header=True):
        t = Table([[Paragraph(str(c), small if header else body) for c in row] for row in rows],
                  colWidths=widths, repeatRows=1 if header else 0)
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.Color(0.4, 0.4, 0.4)),
                 ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.95, 0.9, 0.9)))
        t.setStyle(TableStyle(style))
        return t

    total = f"{minutes / 60:.1f}"
    story = [Paragraph(_("Volunteer Service Record Certificate"), title),
             Paragraph(_("Certificate number: %(n)s", n=number), ParagraphStyle(
                 "num", parent=small, alignment=1)),
             Spacer(1, 8),
             Paragraph(_("This certifies that %(name)s (volunteer number %(number)s) took part "
                         "in volunteer service organised by %(org)s, with %(hours)s hours of "
                         "recorded service in %(count)d records from %(period)s.",
                         name=volunteer.name, number=volunteer.number, org=organisation,
                         hours=total, count=len(services), period=period), body),
             Spacer(1, 6),
             table([[_("Name"), volunteer.name, _("Volunteer number"), volunteer.number],
                    [_("Home site"), volunteer.home_site.name, _("Total service hours"),
                     _hours(minutes)]], [28 * mm, 57 * mm, 32 * mm, 53 * mm], header=False)]

    story.append(Paragraph(_("Service hours by period"), heading))
    # Periods from the records that count, so a reversal made later never shifts a month.
    years: dict[str, int] = {}
    months: dict[str, int] = {}
    for e in services:
        key = f"{e.at.astimezone(LOCAL_TZ):%Y-%m}"
        years[key[:4]] = years.get(key[:4], 0) + e.minutes
        months[key] = months.get(key, 0) + e.minutes
    # A table per period, each with its own header, side by side: years, then months.
    by_year = table([[_("Year"), _("Service hours")]]
                    + [[y, _hours(m)] for y, m in sorted(years.items())], [34 * mm, 46 * mm])
    by_month = table([[_("Month"), _("Service hours")]]
                     + [[k, _hours(m)] for k, m in sorted(months.items())], [34 * mm, 46 * mm])
    story.append(Table([[by_year, "", by_month]], colWidths=[80 * mm, 10 * mm, 80 * mm],
                       style=[("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))

    story.append(Paragraph(_("Service records"), heading))
    rows = [[_("Date"), _("Service"), _("Place"), _("Service hours")]]
    for e in services[-RECORDS_MAX:]:
        what = f"{e.label}：{e.service}" if e.service else str(e.label)
        rows.append([f"{e.at.astimezone(LOCAL_TZ):%Y-%m-%d}", what, e.place or "—",
                     _hours(e.minutes)])
    if len(rows) == 1:
        rows.append(["—", _("No service recorded yet."), "", ""])
    story.append(table(rows, [28 * mm, 50 * mm, 67 * mm, 25 * mm]))

    story.append(Paragraph(_("Evaluations received"), heading))
    rated = evaluations(volunteer)
    if rated:
        rows = [[_("Date"), _("Service"), _("Stars"), _("Comment")]]
        rows += [[str(r.get("date", "")), r.get("service", ""), "★" * int(r.get("stars") or 0),
                  r.get("comment", "")] for r in rated]
        story.append(table(rows, [28 * mm, 45 * mm, 25 * mm, 72 * mm]))
    else:
        story.append(Paragraph(_("No evaluations recorded."), body))

    verify_url = current_app.config["BASE_URL"].rstrip("/") + url_for(
        "ledger_mobile.verify_certificate", number=number)
    widget = QrCodeWidget(verify_url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    size = 30 * mm
    code = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    code.add(widget)
    # Not wrapped as CJK text (which breaks anywhere): whole lines, each broken after a "/".
    link = ParagraphStyle("link", parent=small, wordWrap=None)
    lines = "<br/>".join(map(escape, _url_lines(verify_url, font, link.fontSize, 135 * mm - 12)))
    href = escape(verify_url, {'"': "&quot;"})
    closing = [Paragraph(_("Issued by: %(org)s (seal)", org=organisation), body),
               Paragraph(_("Date of issue: %(d)s", d=today.isoformat()), body),
               Paragraph(_("Check this certificate by scanning the code or at this address:"),
                         small),
               Paragraph(f'<link href="{href}">{lines}</link>', link)]
    story += [Spacer(1, 14), Table([[closing, code]], colWidths=[135 * mm, 35 * mm],
                                   style=[("VALIGN", (0, 0), (-1, -1), "TOP")])]

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm,
                            title=_("Volunteer Service Record Certificate"), author=organisation)
    doc.build(story)
    return out.getvalue(), number
