"""Inventory adapters (CSV, Excel, a chain's JSON API on a local stand-in server) and SMS commands."""

from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from openpyxl import Workbook

from engine.pharmacy.inventory import CsvAdapter, ExcelAdapter, HttpJsonAdapter, import_stock
from engine.pharmacy.models import StockItem
from engine.pharmacy.sms import handle_stock_command
from tests.support.pharmacy import add_shop

pytest_plugins = ["tests.pharmacy_fixtures"]


def _stock(pharmacy, shop):
    with pharmacy.sessions() as s:
        return {(x.generic, x.strength, x.brand): (x.quantity, x.price_paise)
                for x in s.query(StockItem).filter_by(pharmacy_id=shop)}


def _shop(pharmacy, **kw):
    with pharmacy.sessions() as s:
        shop = add_shop(s, "Upload", 1, [("aspirin", "75 mg", "Ecosprin", 5, 9)], **kw)
        s.commit()
    return shop


def _load(pharmacy, shop, adapter, replace=False):
    with pharmacy.sessions() as s:
        report = import_stock(s, shop, adapter, replace=replace)
        s.commit()
    return report


def test_csv_upload_resolves_brands_and_generics_and_reports_bad_rows(pharmacy):
    shop = _shop(pharmacy)
    csv_text = ("medicine,strength,form,brand,price,quantity\n"
                "Dolo 650,,tablet,,32.5,40\nparacetamol,500,tablet,,18,100\nnotamedicine,5,tablet,,1,1\n")
    report = _load(pharmacy, shop, CsvAdapter(csv_text.encode()), replace=True)
    assert report.stored == 2 and report.rejected == ["row 3: unknown medicine 'notamedicine'"]
    assert _stock(pharmacy, shop) == {("paracetamol", "650 mg", "Dolo 650"): (40, 3250),
                                      ("paracetamol", "500 mg", "generic"): (100, 1800),
                                      ("aspirin", "75 mg", "Ecosprin"): (0, 500)}  # replaced: not listed


def test_excel_upload(pharmacy):
    shop = _shop(pharmacy)
    book = Workbook()
    sheet = book.active
    sheet.append(["Medicine", "Strength", "Form", "Brand", "Price", "Quantity"])
    sheet.append(["Pan 40", "40 mg", "tablet", "Pan 40", 95, 12])
    buffer = io.BytesIO()
    book.save(buffer)
    assert _load(pharmacy, shop, ExcelAdapter(buffer.getvalue())).stored == 1
    assert _stock(pharmacy, shop)[("pantoprazole", "40 mg", "Pan 40")] == (12, 9500)


@pytest.fixture
def chain_api():
    """A stand-in for a chain's stock API: bearer token required, its own field names."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            if self.headers.get("Authorization") != "Bearer s3cret":
                self.send_response(401)
                self.end_headers()
                return
            body = json.dumps({"items": [{"sku_name": "Azithral 500", "mrp": 120, "stock": 7, "strength": "500mg"},
                                         {"sku_name": "cetirizine", "mrp": 15, "stock": 30, "strength": "10"}]})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/stock"
    server.shutdown()


def test_chain_json_api_adapter(pharmacy, chain_api):
    shop = _shop(pharmacy)
    mapping = {"sku_name": "medicine", "mrp": "price", "stock": "quantity"}
    assert _load(pharmacy, shop, HttpJsonAdapter(chain_api, "s3cret", mapping)).stored == 2
    stock = _stock(pharmacy, shop)
    assert stock[("azithromycin", "500 mg", "Azithral 500")] == (7, 12000)
    assert stock[("cetirizine", "10 mg", "generic")] == (30, 1500)
    with pytest.raises(Exception, match="401"):
        _load(pharmacy, shop, HttpJsonAdapter(chain_api, "wrong", mapping))


def test_sms_stock_and_status_commands(pharmacy):
    import uuid

    shop = _shop(pharmacy, phone_hash="h" * 64)
    assert "500 mg, 120" in handle_stock_command("h" * 64, "STOCK PARACETAMOL 500 120 2.5", pharmacy)
    assert _stock(pharmacy, shop)[("paracetamol", "500 mg", "generic")] == (120, 250)
    assert "650 mg, 50" in handle_stock_command("h" * 64, "stock dolo 650 50", pharmacy)
    assert "STOCK <" in handle_stock_command("h" * 64, "STOCK PARACETAMOL", pharmacy)
    assert "not registered" in handle_stock_command("x" * 64, "STOCK PARACETAMOL 500 1", pharmacy)
    with pharmacy.sessions() as s:
        sid = s.query(StockItem).filter_by(pharmacy_id=shop, brand="Dolo 650").one().id
    view = pharmacy.reserve(shop, uuid.uuid4(), [(sid, 1)])
    assert "ready" in handle_stock_command("h" * 64, f"READY {view.code}", pharmacy)
    assert pharmacy.get(view.id).status == "ready"
    assert "picked up" in handle_stock_command("h" * 64, f"DONE {view.code}", pharmacy)
    assert "cannot be changed" in handle_stock_command("h" * 64, f"CANCEL {view.code}", pharmacy)
    assert "No reservation" in handle_stock_command("h" * 64, "READY 000000", pharmacy)
    assert "Commands" in handle_stock_command("h" * 64, "hello", pharmacy)
