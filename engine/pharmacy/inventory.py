"""Inventory adapters behind one interface: each yields :class:`StockRow` s; :func:`apply` stores them.

- :class:`CsvAdapter` / :class:`ExcelAdapter`: the pharmacist's upload (portal page), columns
  ``medicine, strength, form, brand, price, quantity`` (``medicine`` may be a brand or a generic;
  ``generic`` is accepted as a column name too).
- :class:`HttpJsonAdapter`: a chain's API returning JSON ``{"items": [...]}`` (or a bare list)
  with the same fields; field names can be mapped.
- SMS ("STOCK PARACETAMOL 500 120"): :mod:`engine.pharmacy.sms` builds one row and calls :func:`apply`.

Every row is resolved through the medicine knowledge base to a composition key, so stock is kept
by generic + strength + form whatever the shop calls it.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.pharmacy.models import StockItem, utcnow
from engine.pharmacy.wanted import composition, normalise_strength, resolve_name

#: bounds of one stock row, inside what the stock table holds (Integer columns, strength String(40)):
#: beyond them a row is refused with ValueError instead of failing in the database
MAX_QUANTITY = 10_000_000
MAX_PRICE_PAISE = 100_000_000  # ₹10 lakh per unit
MAX_STRENGTH_CHARS = 40


@dataclass(frozen=True)
class StockRow:
    generic: str
    strength: str
    form: str
    brand: str
    price_paise: int
    quantity: int


@dataclass
class ImportReport:
    stored: int = 0
    #: "row 3: unknown medicine 'x'" (English, for the CLI and logs)
    rejected: list[str] = field(default_factory=list)
    #: the same, for people: (row number, catalogue key, its fields) — pages say them in plain words
    problems: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    #: rows read from the file (0: nothing looked like stock rows, whatever the file was)
    read: int = 0


class RowError(ValueError):
    """Why one stock row was refused: an English text (``str``) and a catalogue key with fields."""

    def __init__(self, text: str, key: str, **fields: Any) -> None:
        super().__init__(text)
        self.key, self.fields = key, fields


def _number(value: Any, column: str) -> float:
    text = str(value if value is not None else "").replace("₹", "").replace(",", "").strip() or "0"
    try:
        return float(text)
    except ValueError as exc:
        raise RowError(f"{column} {text!r} is not a number", "portal_stock_row_number", column=column,
                       value=text) from exc


class InventoryAdapter(Protocol):
    def rows(self, report: ImportReport) -> Iterator[StockRow]: ...


def row_from_fields(fields: dict[str, Any]) -> StockRow:
    """One stock row from loose fields; raises ValueError for an unknown medicine or bad numbers."""
    f = {str(k).strip().lower(): v for k, v in fields.items() if k is not None}
    name = str(f.get("medicine") or f.get("generic") or f.get("name") or "").strip()
    if not name:
        raise RowError("no medicine named", "portal_stock_row_no_medicine")
    resolved = resolve_name(name)
    if resolved is None and "+" in name:
        parts = [resolve_name(p) for p in name.split("+")]
        resolved = (name, composition(p[1] for p in parts if p), "", "") if all(parts) else None
    if resolved is None:
        raise RowError(f"unknown medicine {name!r}", "portal_stock_row_unknown", medicine=name)
    _display, generic, brand_strength, brand = resolved
    strength = normalise_strength(str(f.get("strength") or "")) or brand_strength
    try:  # "1e999" or 400 digits are infinite as floats: OverflowError, not a stored row
        quantity = int(_number(f.get("quantity") or f.get("qty"), "quantity"))
        price_paise = round(_number(f.get("price") or f.get("mrp"), "price") * 100)
    except OverflowError as exc:
        raise RowError("number out of range", "portal_stock_row_range") from exc
    if quantity < 0 or price_paise < 0:
        raise RowError("negative quantity or price", "portal_stock_row_negative")
    if quantity > MAX_QUANTITY or price_paise > MAX_PRICE_PAISE or len(strength) > MAX_STRENGTH_CHARS:
        raise RowError("quantity, price or strength out of range", "portal_stock_row_range")
    return StockRow(generic, strength, str(f.get("form") or "").strip().lower(),
                    str(f.get("brand") or brand or "").strip() or "generic", price_paise, quantity)


def _rows_of(records: Iterable[dict[str, Any]], report: ImportReport) -> Iterator[StockRow]:
    for number, record in enumerate(records, start=1):
        report.read += 1
        try:
            yield row_from_fields(record)
        except (ValueError, TypeError) as exc:
            report.rejected.append(f"row {number}: {exc}")
            key, fields = (exc.key, exc.fields) if isinstance(exc, RowError) else ("portal_stock_row_unreadable", {})
            report.problems.append((number, key, fields))


@dataclass
class CsvAdapter:
    content: bytes | str

    def rows(self, report: ImportReport) -> Iterator[StockRow]:
        text = self.content.decode("utf-8-sig") if isinstance(self.content, bytes) else self.content
        return _rows_of(csv.DictReader(io.StringIO(text)), report)


@dataclass
class ExcelAdapter:
    content: bytes

    def rows(self, report: ImportReport) -> Iterator[StockRow]:
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(self.content), read_only=True, data_only=True).active
        values = list(sheet.iter_rows(values_only=True))
        if not values:
            return iter(())
        header = [str(h or "").strip() for h in values[0]]
        return _rows_of((dict(zip(header, row, strict=False)) for row in values[1:] if any(row)), report)


@dataclass
class HttpJsonAdapter:
    """A chain's stock API: GET ``url`` (bearer ``token``), fields renamed by ``mapping``."""

    url: str
    token: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    timeout: float = 10.0

    def rows(self, report: ImportReport) -> Iterator[StockRow]:
        import requests

        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = requests.get(self.url, headers=headers, timeout=self.timeout)
        response.raise_for_status()
        body = response.json()
        items = body.get("items", []) if isinstance(body, dict) else body
        renamed = ({self.mapping.get(k, k): v for k, v in item.items()} for item in items if isinstance(item, dict))
        return _rows_of(renamed, report)


def apply(session: Session, pharmacy_id: uuid.UUID, rows: Iterable[StockRow], *, replace: bool = False) -> int:
    """Upsert rows for one pharmacy (quantity and price set, not added); ``replace`` zeroes what the
    upload does not mention (a full stock list). Held units are already out of ``quantity``."""
    existing = {(s.generic, s.strength, s.form, s.brand): s
                for s in session.scalars(select(StockItem).where(StockItem.pharmacy_id == pharmacy_id))}
    seen = set()
    stored = 0
    for row in rows:
        key = (row.generic, row.strength, row.form, row.brand)
        item = existing.get(key)
        if item is None:
            item = StockItem(pharmacy_id=pharmacy_id, generic=row.generic, strength=row.strength, form=row.form,
                             brand=row.brand)
            session.add(item)
            existing[key] = item
        item.quantity, item.price_paise, item.updated_at = row.quantity, row.price_paise, utcnow()
        seen.add(key)
        stored += 1
    if replace:
        for key, item in existing.items():
            if key not in seen:
                item.quantity = 0
    session.flush()
    return stored


def import_stock(session: Session, pharmacy_id: uuid.UUID, adapter: InventoryAdapter, *,
                 replace: bool = False) -> ImportReport:
    report = ImportReport()
    report.stored = apply(session, pharmacy_id, list(adapter.rows(report)), replace=replace)
    return report
