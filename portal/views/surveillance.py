"""Surveillance officers' and programme managers' pages: this week's syndromic counts by block with
alert marks, drill-down to villages, trend charts (server-side SVG), open alerts to acknowledge,
the S form as CSV/XLSX/PDF; the programme view of the service's use.

Thin: the numbers come from :mod:`engine.surveillance.dashboard` (already suppressed: no count under
5 leaves), alerts from :mod:`engine.surveillance.alerts`. An officer sees the districts they are
registered for; programme managers and admins see all.
"""

from __future__ import annotations

import datetime as dt
import uuid

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup

from engine.surveillance import alerts as alert_store
from engine.surveillance import dashboard, sform
from engine.surveillance.charts import trend_svg
from engine.surveillance.events import url_of
from engine.surveillance.places import blocks, districts
from engine.surveillance.privacy import SECONDARY, approx
from engine.surveillance.syndromes import syndromes
from engine.surveillance.weeks import format_week, monday_of, parse_week, week_of
from portal.security import role_required, services

bp = Blueprint("surveillance", __name__)
VIEWERS = ("surveillance", "programme", "admin")


def _url() -> str:
    """The portal's database, with the surveillance tables up to date."""
    from engine.surveillance import migrations

    url = url_of(services().records)
    migrations.upgrade(url)
    return url


def register_officer(records, district: str) -> uuid.UUID:  # type: ignore[no-untyped-def]
    """A new surveillance officer: a staff user in records, registered for ``district``'s alerts."""
    from portal.accounts import AccountError
    from records import Role

    if district not in districts():
        raise AccountError("portal_account_district", "district", districts=", ".join(districts()))
    user_id = records.register_staff(Role.SURVEILLANCE)
    alert_store.add_officer(_url(), user_id, district)
    return user_id


def my_districts(url: str) -> list[str]:
    if g.user.role == "surveillance":
        mine = [d for d in districts() if g.user.id in alert_store.officers(url, d)]
        return mine
    return list(districts())


def _week() -> str:
    raw = request.args.get("week")
    try:
        return format_week(parse_week(raw)) if raw else format_week(week_of(dt.date.today()))
    except ValueError:
        abort(400)


def _district(url: str) -> str:
    allowed = my_districts(url)
    if not allowed:
        abort(403)
    district = request.args.get("district") or allowed[0]
    if district not in allowed:
        abort(403)
    return district


def _alert_keys(open_alerts: list[dict], week: str) -> set[tuple[str, str]]:
    monday = monday_of(parse_week(week))
    return {(a["area"], a["syndrome"]) for a in open_alerts if a["first_week"] <= monday <= a["last_week"]}


@bp.get("/surveillance/")
@role_required(*VIEWERS)
def index():  # type: ignore[no-untyped-def]
    url = _url()
    district, week = _district(url), _week()
    syndrome = request.args.get("syndrome") if request.args.get("syndrome") in syndromes() else "fever_lt7"
    open_alerts = alert_store.open_alerts(url, district=district)
    for alert in open_alerts:  # counts as every other output shows them (the week's suppressed lines)
        points = dashboard.series(url, district, alert["syndrome"], format_week(week_of(alert["last_week"])),
                                  area=alert["area"], weeks=len(alert["trigger"]["weeks"]))
        alert["observed_text"], alert["last_label"] = points[-1].text, points[-1].week
        alert["weeks_text"] = " to ".join(dict.fromkeys(
            format_week(week_of(alert[k])) for k in ("first_week", "last_week")))
        alert["expected_text"], alert["threshold_text"] = approx(alert["expected"]), approx(alert["threshold"])
        if points[-1].text == SECONDARY:  # hidden in its line: its threshold would bound it from below
            alert["threshold_text"] = SECONDARY
        alert["trigger_text"] = ", ".join(f"{p.week[5:]} {p.text}" for p in points)
    table = dashboard.table(url, district, week, alert_keys=_alert_keys(open_alerts, week))
    chart = Markup(trend_svg(dashboard.series(url, district, syndrome, week),
                             f"{districts()[district]}: {syndromes()[syndrome].name}"))
    return render_template("surveillance/index.html", user=g.user, district=district, districts=districts(),
                           allowed=my_districts(url), week=week, table=table, syndromes=syndromes(),
                           syndrome=syndrome, chart=chart, alerts=open_alerts, blocks=blocks())


@bp.get("/surveillance/block/<code>")
@role_required(*VIEWERS)
def block(code: str):  # type: ignore[no-untyped-def]
    url = _url()
    if code not in blocks() or blocks()[code][1] not in my_districts(url):
        abort(404)
    name, district, _ = blocks()[code]
    week = _week()
    syndrome = request.args.get("syndrome") if request.args.get("syndrome") in syndromes() else "fever_lt7"
    table = dashboard.table(url, district, week, block=code)
    chart = Markup(trend_svg(dashboard.series(url, district, syndrome, week, area=code),
                             f"{name} block: {syndromes()[syndrome].name}"))
    return render_template("surveillance/block.html", user=g.user, code=code, name=name, district=district,
                           week=week, table=table, syndromes=syndromes(), syndrome=syndrome, chart=chart)


@bp.post("/surveillance/alerts/<int:alert_id>/ack")
@role_required("surveillance", "admin")
def acknowledge(alert_id: int):  # type: ignore[no-untyped-def]
    url = _url()
    if alert_store.acknowledge(url, alert_id, g.user.id, districts=my_districts(url)):
        flash("Alert acknowledged.", "ok")
    return redirect(url_for("surveillance.index", district=request.form.get("district") or None))


@bp.get("/surveillance/sform.<fmt>")
@role_required(*VIEWERS)
def export(fmt: str):  # type: ignore[no-untyped-def]
    if fmt not in sform.FORMATS:
        abort(404)
    url = _url()
    district, week = _district(url), _week()
    body = sform.render(dashboard.table(url, district, week), districts()[district], fmt)
    return Response(body, mimetype=sform.FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="S-form-{district}-{week}.{fmt}"'})


@bp.get("/programme/")
@role_required(*VIEWERS)
def programme():  # type: ignore[no-untyped-def]
    from engine.surveillance.programme import figures

    days = request.args.get("days", type=int) or 28
    return render_template("surveillance/programme.html", user=g.user, days=days,
                           figures=figures(_url(), dt.date.today() - dt.timedelta(days=days)))
