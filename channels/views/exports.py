"""The patient's FHIR export behind its one-time link (engine/exports.py); thin view.

``GET`` only shows a page with a download button: link previews (WhatsApp, SMS apps, mail
scanners) fetch links by GET and must not use up the one download. ``POST`` hands the file over
and deletes it. Unknown, used and expired links look the same (410), so a guess learns nothing.
"""

from __future__ import annotations

from html import escape

from flask import Blueprint, Response, abort

from channels.views.common import gateway
from engine import exports
from engine.i18n import LANGUAGES, t

bp = Blueprint("exports", __name__, url_prefix="/exports")
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
             "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"}


def _page(language: str, body: str, status: int = 200) -> Response:
    html = (f'<!doctype html><html lang="{language}"><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(t('records_export_page_title', language))}</title>"
            '<body style="font-family: sans-serif; max-width: 36em; margin: 2em auto; padding: 0 1em">'
            f"{body}</body></html>")
    return Response(html, status=status, mimetype="text/html", headers=_NO_STORE)


def _check(language: str, token: str) -> None:
    if language not in LANGUAGES or not exports.TOKEN.match(token):
        abort(404)


@bp.get("/<language>/<token>")
def offer(language: str, token: str) -> Response:
    _check(language, token)
    return _page(language, f"<h1>{escape(t('records_export_page_title', language))}</h1>"
                           f"<p>{escape(t('records_export_page_once', language))}</p>"
                           '<form method="post"><button type="submit" style="font-size: 1.2em; padding: .5em 1em">'
                           f"{escape(t('records_export_page_button', language))}</button></form>")


@bp.post("/<language>/<token>")
def download(language: str, token: str) -> Response:
    _check(language, token)
    settings = gateway().settings
    data = exports.take(settings.var_dir, token, hours=settings.export_link_hours)
    if data is None:
        return _page(language, f"<p>{escape(t('records_export_gone', language))}</p>", status=410)
    return Response(data, mimetype="application/fhir+json",
                    headers={**_NO_STORE, "Content-Disposition": 'attachment; filename="health-record.json"'})
