"""Pharmacy engine: where the patient is, what they want, ranking, holds that expire, notifications."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from engine.pharmacy import OutOfStock, Status, locate
from engine.pharmacy.geo import haversine_km
from engine.pharmacy.notify import notification_text
from engine.pharmacy.wanted import from_medications, from_text
from tests.support.pharmacy import add_shop

pytest_plugins = ["tests.pharmacy_fixtures"]


@pytest.mark.parametrize("text", ["dawai dhuri mein chahiye", "ਮੈਂ ਧੂਰੀ ਤੋਂ ਹਾਂ", "मैं धूरी में हूँ", "pin 148024"])
def test_a_place_is_read_in_any_script_or_by_pin(text):
    where = locate(text)
    assert where is not None and where.label == "Dhuri"
    assert where.source == ("pin" if "148024" in text else "place")


def test_a_shared_whatsapp_location_wins_over_text():
    where = locate("dhuri", {"Latitude": "30.90", "Longitude": "75.85"})
    assert (where.source, where.lat, where.lon) == ("shared", 30.90, 75.85)
    assert locate("hello") is None


def test_haversine_ludhiana_to_sangrur_is_about_73_km():
    assert 70 < haversine_km(30.9010, 75.8573, 30.2458, 75.8421) < 76


def test_medicines_from_a_message_and_from_a_prescription():
    wanted = from_text("dolo 650 aur cetirizine, paracetamol 500")
    assert [(w.generic, w.strength) for w in wanted] == [("paracetamol", "650 mg"), ("cetirizine", ""),
                                                          ("paracetamol", "500 mg")]
    assert wanted[0].brand == "Dolo 650"
    rx = from_medications([{"name": "Pan 40", "generic": "pantoprazole", "strength": "40 mg", "form": "tablet"}])
    assert (rx[0].generic, rx[0].strength) == ("pantoprazole", "40 mg")


def _three_shops(pharmacy):
    with pharmacy.sessions() as s:
        near_partial = add_shop(s, "Near Partial", 1, [("paracetamol", "650 mg", "Dolo 650", 30, 5)])
        far_full = add_shop(s, "Far Full", 8, [("paracetamol", "650 mg", "generic", 12, 5),
                                              ("cetirizine", "10 mg", "Okacet", 20, 5)])
        closed_full = add_shop(s, "Closed Full", 2, [("paracetamol", "650 mg", "Dolo 650", 30, 5),
                                                    ("cetirizine", "10 mg", "Okacet", 20, 5)], hours="20:00-22:00")
        add_shop(s, "Too Far", 200, [("paracetamol", "650 mg", "Dolo 650", 1, 5), ("cetirizine", "10 mg", "x", 1, 5)])
        s.commit()
    return near_partial, far_full, closed_full


def test_ranking_coverage_then_open_now_then_distance_and_price(pharmacy):
    near_partial, far_full, closed_full = _three_shops(pharmacy)
    offers = pharmacy.search(from_text("dolo 650, cetirizine"), locate("dhuri"))
    assert [o.pharmacy_id for o in offers] == [far_full, closed_full, near_partial]
    best = offers[0]
    assert best.covered == 2 and best.open_now and not offers[1].open_now and offers[1].opens_at == "20:00"
    assert best.picks[0].substitute and best.picks[0].brand == "generic"  # Dolo 650 → same generic, cheaper
    assert offers[2].missing[0].generic == "cetirizine"
    assert 7.5 < best.distance_km < 8.5


def test_the_cheaper_shop_wins_between_equal_ones(pharmacy):
    with pharmacy.sessions() as s:
        add_shop(s, "Dear", 1, [("paracetamol", "650 mg", "Dolo 650", 200, 5)])
        cheap = add_shop(s, "Cheap", 2, [("paracetamol", "650 mg", "generic", 10, 5)], jan=True)
        s.commit()
    offers = pharmacy.search(from_text("dolo 650"), locate("dhuri"))
    assert offers[0].pharmacy_id == cheap and offers[0].jan_aushadhi


def test_out_of_stock_products_are_not_offered(pharmacy):
    with pharmacy.sessions() as s:
        add_shop(s, "Empty", 1, [("paracetamol", "650 mg", "Dolo 650", 30, 0)])
        s.commit()
    assert pharmacy.search(from_text("dolo 650"), locate("dhuri")) == []


def _stock_of(pharmacy, stock_id):
    from engine.pharmacy.models import StockItem

    with pharmacy.sessions() as s:
        return s.get(StockItem, stock_id).quantity


def test_a_hold_takes_stock_and_expiry_gives_it_back_exactly_once(pharmacy, clock):
    _three_shops(pharmacy)
    offer = pharmacy.search(from_text("dolo 650, cetirizine"), locate("dhuri"))[0]
    stock_ids = [p.stock_id for p in offer.picks]
    view = pharmacy.reserve(offer.pharmacy_id, uuid.uuid4(), [(sid, 2) for sid in stock_ids], "en")
    assert view.status == "reserved" and len(view.code) == 6 and view.total_paise == (12 + 20) * 2 * 100
    assert [_stock_of(pharmacy, sid) for sid in stock_ids] == [3, 3]
    clock.advance(hours=3, minutes=59)
    assert pharmacy.sweep() == 0
    clock.advance(minutes=2)
    assert pharmacy.sweep() == 1
    assert pharmacy.get(view.id).status == "expired"
    assert [_stock_of(pharmacy, sid) for sid in stock_ids] == [5, 5]
    assert not pharmacy.expire(view.id) and pharmacy.sweep() == 0  # an RQ job arriving late changes nothing
    assert [_stock_of(pharmacy, sid) for sid in stock_ids] == [5, 5]


def test_status_flow_and_a_message_at_each_step(pharmacy):
    _three_shops(pharmacy)
    offer = pharmacy.search(from_text("dolo 650"), locate("dhuri"))[0]
    sent = []
    pharmacy.notifier = lambda v: sent.append((v.status, notification_text(v, "pa")))
    view = pharmacy.reserve(offer.pharmacy_id, uuid.uuid4(), [(offer.picks[0].stock_id, 1)], "pa")
    assert pharmacy.change(view.id, Status.PICKED_UP) is not None
    assert pharmacy.change(view.id, Status.CANCELLED) is None  # picked up is final
    view2 = pharmacy.reserve(offer.pharmacy_id, uuid.uuid4(), [(offer.picks[0].stock_id, 1)], "pa")
    assert pharmacy.change(view2.id, Status.READY).status == "ready"
    assert pharmacy.change(view2.id, Status.CANCELLED).status == "cancelled"
    assert [s for s, _ in sent] == ["reserved", "picked_up", "reserved", "ready", "cancelled"]
    assert view.code in sent[0][1] and "ਰਿਜ਼ਰਵ" in sent[0][1] and "ਰੱਦ" in sent[-1][1]


def test_reserving_more_than_the_shelf_fails_and_holds_nothing(pharmacy):
    _three_shops(pharmacy)
    offer = pharmacy.search(from_text("dolo 650, cetirizine"), locate("dhuri"))[0]
    first, second = (p.stock_id for p in offer.picks)
    with pytest.raises(OutOfStock):
        pharmacy.reserve(offer.pharmacy_id, uuid.uuid4(), [(first, 1), (second, 6)])
    assert _stock_of(pharmacy, first) == 5  # the first line was rolled back too


@pytest.mark.redis
def test_with_redis_each_hold_gets_a_scheduled_expiry_job(pharmacy, clock):
    from redis import Redis
    from rq import Queue
    from rq.registry import ScheduledJobRegistry

    from engine.pharmacy.service import rq_scheduler

    try:
        Redis.from_url("redis://127.0.0.1:6379/0").ping()
    except Exception:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    name = f"test-pharmacy-{uuid.uuid4().hex[:8]}"
    pharmacy.scheduler = rq_scheduler("redis://127.0.0.1:6379/0", queue=name)
    _three_shops(pharmacy)
    offer = pharmacy.search(from_text("dolo 650"), locate("dhuri"))[0]
    view = pharmacy.reserve(offer.pharmacy_id, uuid.uuid4(), [(offer.picks[0].stock_id, 1)])
    queue = Queue(name, connection=Redis.from_url("redis://127.0.0.1:6379/0"))
    registry = ScheduledJobRegistry(queue=queue)
    [job_id] = registry.get_job_ids()
    job = queue.fetch_job(job_id)
    try:
        assert job.func_name == "engine.pharmacy.jobs.expire_reservation" and job.args == (str(view.id),)
        run_at = registry.get_scheduled_time(job_id).replace(tzinfo=dt.timezone.utc)
        assert dt.timedelta(hours=3, minutes=59) < run_at - dt.datetime.now(dt.timezone.utc) < dt.timedelta(hours=4, minutes=1)
    finally:
        registry.remove(job, delete_job=True)
