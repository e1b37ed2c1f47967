"""The weekly S form of a district as CSV, XLSX (openpyxl) or PDF (ReportLab): one row per block,
one column per IDSP S-form syndrome, the district total last — the same suppressed cells as the
portal's table (:func:`engine.surveillance.dashboard.table`), never a count under 5."""

from __future__ import annotations

import csv
import io
from html import escape

from engine.surveillance.dashboard import Table
from engine.surveillance.privacy import PRIMARY, SECONDARY
from engine.surveillance.syndromes import syndromes

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "pdf": "application/pdf"}
NOTE = (f'Syndromic counts of Sehat Saathi (bot and ASHA reports). "{PRIMARY}": 1 to 4 cases; '
        f'"{SECONDARY}": hidden so that a small count cannot be worked out from the total.')


def grid(table: Table, district_name: str) -> list[list[str]]:
    """Header, a row per area, the total row: all strings."""
    names = syndromes()
    header = ["Block"] + [names[code].name for code in names]
    rows = [[name] + [table.cells[(code, s)] for s in names] for code, name in table.rows]
    return [header, *rows, [f"{district_name} total"] + [table.totals[s] for s in names]]


def render(table: Table, district_name: str, fmt: str) -> bytes:
    rows = grid(table, district_name)
    title = f"IDSP S form (syndromic), {district_name}, week {table.week}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([title])
        writer.writerows(rows)
        writer.writerow([NOTE])
        return out.getvalue().encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = table.week
        sheet.append([title])
        for row in rows:
            sheet.append(row)  # every cell a string: "< 5" stays text, as shown
        sheet.append([NOTE])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    if fmt == "pdf":
        from reportlab.lib import colors
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.lib.styles import getSampleStyleSheet
        from reportlab.platypus import Paragraph, SimpleDocTemplate, TableStyle
        from reportlab.platypus import Table as PdfTable

        styles = getSampleStyleSheet()
        small = styles["BodyText"].clone("small", fontSize=7, leading=8)
        data = [[Paragraph(escape(cell), small) for cell in row] for row in rows]
        grid_table = PdfTable(data, repeatRows=1)
        grid_table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]))
        out = io.BytesIO()
        SimpleDocTemplate(out, pagesize=landscape(A4), title=title).build(
            [Paragraph(escape(title), styles["Heading2"]), grid_table, Paragraph(escape(NOTE), small)])
        return out.getvalue()
    raise ValueError(f"unknown format {fmt!r}")
