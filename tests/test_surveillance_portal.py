"""The surveillance and programme pages on real PostgreSQL: roles, the blocks table with alert
marks, drill-down to villages, trend charts, S-form exports, acknowledging alerts — and that no output
shows a count of 1-4 or lets one be worked out by subtraction from a total."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import itertools
import random
import re

import pytest
from openpyxl import load_workbook

from engine.surveillance import alerts, events, privacy
from engine.surveillance import migrations as surveillance_migrations
from engine.surveillance.places import blocks, resolve
from records import Role
from tests.support import portal as testing

pytestmark = pytest.mark.postgres
world = testing.world  # the module's fixture (portal/testing.py)
WEEK, WEEK_DAY = "2026-W10", dt.date(2026, 3, 4)
# Sangrur district that week: fever with rash 3 in Dhuri (a small cell), 12 in Sangrur, 7 in Sunam
FEVER_RASH = {"Dhuri": 3, "Sangrur": 12, "Sunam": 7}


# -- the suppression rule itself --------------------------------------------------------------------
def test_no_line_reveals_a_small_count_directly_or_by_subtraction():
    rng = random.Random(22)
    for _ in range(3000):
        counts = {f"c{i}": rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 15, 40]) for i in range(rng.randint(1, 7))}
        line = privacy.suppress_line(counts)
        for key, text in line.cells.items():
            assert text in (privacy.PRIMARY, privacy.SECONDARY) or int(text) == counts[key]
            assert not (0 < counts[key] < 5) or text == privacy.PRIMARY
        hidden = {k: t for k, t in line.cells.items() if t in (privacy.PRIMARY, privacy.SECONDARY)}
        if line.total is not None:
            assert int(line.total) == sum(counts.values())
            rest = sum(counts[k] for k in hidden)
            assert not privacy.recoverable(hidden, rest), (counts, line)
            # brute force: more than one assignment of the hidden cells fits everything shown
            options = [range(1, 5) if t == privacy.PRIMARY else range(5, rest + 1) for t in hidden.values()]
            for index in range(len(hidden)):
                values = {combo[index] for combo in itertools.product(*options) if sum(combo) == rest}
                assert len(values) != 1, (counts, line)


# -- pages ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def data(world):
    url = events.url_of(world.records)
    surveillance_migrations.upgrade(url)
    rows = []
    for village, count in FEVER_RASH.items():
        for _ in range(count):
            rows += events.rows_for(events.Case(("fever", "rash"), duration_days=2, age=7), resolve(village=village),
                                    "sms", "bot", WEEK_DAY)
    # a quiet baseline of watery diarrhoea in Dhuri and then a cluster in WEEK
    for weeks_before in range(1, 12):
        rows += events.rows_for(events.Case(("diarrhoea",), duration_days=1), resolve(village="Dhuri"), "sms",
                                "asha", WEEK_DAY - dt.timedelta(weeks=weeks_before))
    for _ in range(16):
        rows += events.rows_for(events.Case(("diarrhoea",), duration_days=1), resolve(village="Dhuri"), "sms",
                                "bot", WEEK_DAY)
    events.append(url, rows)
    officer, _, _ = world.staff(Role.SURVEILLANCE)
    alerts.add_officer(url, officer, "SGR")
    programme, _, _ = world.staff(Role.PROGRAMME)
    doctor, _, _ = world.doctor("Not A Surveillance Doctor")
    raised = alerts.raise_alerts(url, None, until=WEEK)
    return url, officer, programme, doctor, raised


def cells_of(page: str) -> list[list[str]]:
    body = page.split('<table class="counts">', 1)[1].split("</table>", 1)[0]
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).replace("▲", "").strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_roles(world, data):
    url, officer, programme, doctor, _ = data
    assert world.client(doctor).get("/surveillance/").status_code == 403
    assert world.client(officer).get("/surveillance/?district=LDH").status_code == 403  # not their district
    assert world.client(officer).get("/surveillance/block/LDH-KHANNA").status_code == 404
    assert world.client(programme).get("/surveillance/?district=LDH").status_code == 200
    assert world.client(programme).get("/programme/").status_code == 200
    assert world.client().get("/surveillance/").status_code == 302  # sign in first


def test_blocks_table_suppresses_and_marks_alerts(world, data):
    url, officer, *_ = data
    page = world.client(officer).get(f"/surveillance/?week={WEEK}&syndrome=fever_rash").get_data(as_text=True)
    rows = cells_of(page)
    header, body, total = rows[0], rows[1:-1], rows[-1]
    column = header.index("Fever with rash")
    shown = {r[0]: r[column] for r in body}
    assert shown["Dhuri"] == "< 5" and shown["Sangrur"] == "12" and shown["Sunam"] == "–"
    assert total[column] == "22"
    assert "<svg" in page and 'class="alert"' not in page.split("Blocks this week")[0].split("<svg")[0]
    diarrhoea = header.index("Loose watery stools")
    assert {r[0]: r[diarrhoea] for r in body}["Dhuri"] == "16"
    assert 'class="alert">16 ▲' in page and "Loose watery stools" in page.split('id="alerts"')[1].split("</section>")[0]
    # the open alerts show counts as the table does: Sunam's 7 (hidden there) is not given away
    # beside them, or Dhuri's 3 would follow from the total
    alert_box = page.split('id="alerts"')[1].split("</section>")[0]
    sunam = next(r for r in alert_box.split('class="row alert-row"') if "Sunam" in r)
    assert "– cases" in html.unescape(sunam) and " 7 " not in html.unescape(re.sub(r"<[^>]+>", " ", sunam))
    lehragaga_free = "usual 1.0" not in alert_box and "usual 0.0" not in alert_box
    assert lehragaga_free
    # every line of the page: no 1-4 in the clear, nothing recoverable from the total
    for index in range(1, len(header)):
        line = {r[0]: r[index] for r in body}
        assert not any(t in {"1", "2", "3", "4"} for t in line.values())


def test_drill_down_to_villages_and_charts(world, data):
    url, officer, *_ = data
    page = world.client(officer).get(f"/surveillance/block/SGR-DHURI?week={WEEK}&syndrome=fever_rash").get_data(as_text=True)
    assert "Villages this week" in page and "<svg" in page
    rows = cells_of(page)
    column = rows[0].index("Fever with rash")
    assert rows[1][0] == "Dhuri" and rows[1][column] == "< 5"
    assert rows[-1][column] == "–"  # the block total would give the only village away: hidden
    chart = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert f"{WEEK}: &lt; 5" in chart  # the week's 3 cases: a grey tick over 1-4, no point, no number
    assert f"{WEEK}: 3" not in chart


def test_s_form_exports(world, data):
    url, officer, *_ = data
    client = world.client(officer)
    text = client.get(f"/surveillance/sform.csv?week={WEEK}").get_data(as_text=True)
    table = list(csv.reader(io.StringIO(text)))
    header = table[1]
    column = header.index("Fever with rash")
    by_block = {row[0]: row[column] for row in table[2:-2]}
    assert by_block["Dhuri"] == "< 5" and by_block["Sunam"] == "–" and table[-2][column] == "22"
    assert len(table[2:-2]) == sum(1 for _, d, _ in blocks().values() if d == "SGR")
    xlsx = client.get(f"/surveillance/sform.xlsx?week={WEEK}")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "< 5" in {v for row in values for v in row}
    assert not {1, 2, 3, 4} & {v for row in values for v in row}
    pdf = client.get(f"/surveillance/sform.pdf?week={WEEK}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"/surveillance/sform.doc?week={WEEK}").status_code == 404


def test_acknowledge_an_alert(world, data):
    url, officer, programme, _, raised = data
    assert raised.opened
    client = world.client(officer)
    page = client.get(f"/surveillance/?week={WEEK}").get_data(as_text=True)
    token = testing.csrf_from(page)
    before = alerts.open_alerts(url, district="SGR")
    alert_id = next(a["id"] for a in before if a["syndrome"] == "diarrhoea_watery")
    assert client.post(f"/surveillance/alerts/{alert_id}/ack", data={"csrf_token": token}).status_code == 302
    assert [a["id"] for a in alerts.open_alerts(url, district="SGR")] == [a["id"] for a in before if a["id"] != alert_id]
    assert world.client(programme).post(f"/surveillance/alerts/{alert_id}/ack",
                                        data={"csrf_token": token}).status_code in (400, 403)


def test_roles_migration_keeps_existing_users_on_sqlite(tmp_path):
    import sqlalchemy as sa

    from engine import schema

    url = f"sqlite:///{tmp_path / 'old.db'}"
    schema.upgrade(url, target="0001")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO users (id, role, language, created_at) VALUES "
                             "('00000000000000000000000000000001', 'doctor', 'hi', '2026-01-01 00:00:00')"))
    schema.upgrade(url, target="records@head")
    with engine.begin() as conn:
        assert conn.execute(sa.text("SELECT role FROM users")).scalars().all() == ["doctor"]
        conn.execute(sa.text("INSERT INTO users (id, role, language, created_at) VALUES "
                             "('00000000000000000000000000000002', 'surveillance', 'en', '2026-01-01 00:00:00')"))
        with pytest.raises(sa.exc.IntegrityError):
            conn.execute(sa.text("INSERT INTO users (id, role, language, created_at) VALUES "
                                 "('00000000000000000000000000000003', 'emperor', 'en', '2026-01-01 00:00:00')"))
    engine.dispose()
