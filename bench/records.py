"""Benchmark of the health-records service on PostgreSQL.

Measures, through the real service (access check, AES-GCM sealing, audit-chain append, commit):

* writes/s of encrypted symptom reports with N concurrent workers (default 20),
* reads/s of single symptom reports (decrypt + audit entry) with the same workers,
* time to export one patient with 100 records as a validated FHIR R4 Bundle.

Workers are threads by default; ``--processes`` runs them as processes (no GIL between them).
Creates and drops its own database unless ``--url`` is given.

    .venv/bin/python bench/records.py [--workers 20] [--seconds 10] [--processes]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import schema  # noqa: E402
from records import Actor, Purpose, RecordsService  # noqa: E402
from records.crypto import FileKeyProvider  # noqa: E402
from records.db import make_engine, make_session_factory  # noqa: E402
from records.storage import LocalFileStore  # noqa: E402
from tests.support.records import fresh_pg_database  # noqa: E402

REPORT = {"text": "teen din se tez bukhar aur sir dard, ulti bhi", "symptoms": ["fever", "headache", "vomiting"],
          "age": 34, "sex": "f", "duration_days": 3, "language": "hi"}


def make_service(url: str, workdir: Path, workers: int) -> RecordsService:
    engine = make_engine(url, pool_size=workers)
    return RecordsService(make_session_factory(engine), FileKeyProvider(workdir / "master.json"),
                          LocalFileStore(workdir / "files"))


def _write_loop(svc: RecordsService, patients: list[uuid.UUID], deadline: float, out: list) -> None:
    rng = random.Random()
    done, ids, lat = 0, [], []
    while time.perf_counter() < deadline:
        pid = rng.choice(patients)
        t0 = time.perf_counter()
        rid = svc.save_symptom_report(Actor.patient(pid), pid, REPORT, purpose=Purpose.TRIAGE)
        lat.append(time.perf_counter() - t0)
        ids.append((pid, rid))
        done += 1
    out.append((done, ids, lat))


def _read_loop(svc: RecordsService, ids: list, deadline: float, out: list) -> None:
    rng = random.Random()
    done, lat = 0, []
    while time.perf_counter() < deadline:
        pid, rid = rng.choice(ids)
        t0 = time.perf_counter()
        svc.symptom_report(Actor.patient(pid), pid, rid, purpose=Purpose.SELF_CARE)
        lat.append(time.perf_counter() - t0)
        done += 1
    out.append((done, [], lat))


def _process_worker(kind: str, url: str, workdir: str, items: list, deadline_in: float, q: mp.Queue) -> None:
    svc = make_service(url, Path(workdir), 2)
    out: list = []
    deadline = time.perf_counter() + deadline_in
    if kind == "write":
        _write_loop(svc, items, deadline, out)
    else:
        _read_loop(svc, items, deadline, out)
    done, ids, lat = out[0]
    q.put((done, ids, lat))


def run_phase(kind: str, svc: RecordsService, url: str, workdir: Path, items: list, workers: int,
              seconds: float, processes: bool) -> tuple[int, float, list, list[float]]:
    start = time.perf_counter()
    results: list = []
    if processes:
        ctx = mp.get_context("fork")
        q: mp.Queue = ctx.Queue()
        procs = [ctx.Process(target=_process_worker, args=(kind, url, str(workdir), items, seconds, q))
                 for _ in range(workers)]
        for p in procs:
            p.start()
        results = [q.get() for _ in procs]
        for p in procs:
            p.join()
    else:
        deadline = start + seconds
        loop = _write_loop if kind == "write" else _read_loop
        threads = [threading.Thread(target=loop, args=(svc, items, deadline, results)) for _ in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    elapsed = time.perf_counter() - start
    total = sum(r[0] for r in results)
    ids = [i for r in results for i in r[1]]
    lat = sorted(x for r in results for x in r[2])
    return total, elapsed, ids, lat


def _pct(lat: list[float], p: float) -> float:
    return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")


def export_time(svc: RecordsService, repeats: int = 5) -> tuple[int, float, float]:
    """Build a patient with 100 records, export repeatedly; returns (entries, median s, first s)."""
    pid = svc.get_or_create_patient("whatsapp", f"+9199{random.randint(10**7, 10**8 - 1)}", "hi")
    me = Actor.patient(pid)
    svc.update_patient_profile(me, pid, purpose=Purpose.SELF_CARE, name="Bench Patient", birth_year=1980,
                               sex="m")
    triage = {"urgency": "urgent", "conditions": [{"name": "Dengue fever", "icd10": "A97", "probability": 0.4},
                                                  {"name": "Malaria", "icd10": "B54", "probability": 0.2}]}
    ocr = {"doc_type": "lab_report", "text": "Haemoglobin 9.8 g/dL",
           "lab_results": [{"test": "Haemoglobin", "value": 9.8, "unit": "g/dL", "ref_low": 12, "ref_high": 15.5}]}
    records = 0
    enc = svc.start_encounter(me, pid, purpose=Purpose.TRIAGE, channel="whatsapp")
    records += 1
    while records < 89:  # 44 symptom reports, each with its triage result
        rid = svc.save_symptom_report(me, pid, REPORT, purpose=Purpose.TRIAGE, encounter_id=enc)
        svc.save_triage(me, pid, triage, model_version="bench", purpose=Purpose.TRIAGE, symptom_report_id=rid)
        records += 2
    svc.save_symptom_report(me, pid, REPORT, purpose=Purpose.TRIAGE, encounter_id=enc)
    records += 1
    for _ in range(5):  # 5 documents, each with one lab result: 10 records, 20 KB files
        svc.save_document(me, pid, os.urandom(20_000), filename="lab.jpg", mime="image/jpeg", ocr=ocr,
                          purpose=Purpose.SELF_CARE)
        records += 2
    times = []
    entries = 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        bundle = svc.export_fhir(me, pid)
        times.append(time.perf_counter() - t0)
        entries = len(bundle["entry"])
    assert records == 100
    return entries, statistics.median(times), times[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--patients", type=int, default=200)
    ap.add_argument("--processes", action="store_true", help="workers are processes instead of threads")
    ap.add_argument("--url", help="use this (migrated) database instead of a throw-away one")
    args = ap.parse_args()

    def bench(url: str) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            svc = make_service(url, workdir, args.workers)
            patients = [svc.get_or_create_patient("whatsapp", f"+91980{n:07d}", "hi") for n in range(args.patients)]
            mode = "processes" if args.processes else "threads"
            print(f"records bench: PostgreSQL, {args.workers} {mode}, {os.cpu_count()} cores, "
                  f"{args.seconds:.0f} s per phase, {len(patients)} patients")
            n, el, ids, lat = run_phase("write", svc, url, workdir, patients, args.workers, args.seconds,
                                        args.processes)
            print(f"writes: {n} encrypted symptom reports in {el:.2f} s = {n / el:.0f} writes/s "
                  f"(latency p50 {_pct(lat, .5):.1f} ms, p95 {_pct(lat, .95):.1f} ms)")
            n, el, _, lat = run_phase("read", svc, url, workdir, ids, args.workers, args.seconds, args.processes)
            print(f"reads:  {n} symptom reports in {el:.2f} s = {n / el:.0f} reads/s "
                  f"(latency p50 {_pct(lat, .5):.1f} ms, p95 {_pct(lat, .95):.1f} ms)")
            entries, med, first = export_time(svc)
            print(f"export: patient with 100 records -> FHIR bundle of {entries} entries in {med * 1000:.0f} ms "
                  f"(median of 5; first call {first * 1000:.0f} ms incl. loading fhir.resources)")
            ok = svc.verify_audit()
            print(f"audit chain after bench: ok={ok.ok}, {ok.checked} entries")

    if args.url:
        schema.upgrade(args.url, target="records@head")
        bench(args.url)
    else:
        with fresh_pg_database("saathi_bench") as url:
            schema.upgrade(url, target="records@head")
            bench(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
