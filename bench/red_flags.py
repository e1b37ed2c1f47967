"""The red-flag reader alone: CPU and instructions of ``nlu.red_flags.detect_red_flags`` a message.

    PYTHONPATH=. .venv/bin/python bench/red_flags.py                        # this checkout, CPU
    PYTHONPATH=. .venv/bin/python bench/red_flags.py --callgrind            # + instructions (valgrind)
    PYTHONPATH=. .venv/bin/python bench/red_flags.py --checkout /tmp/old    # another checkout's nlu/

Every process that reads a patient's text runs this reader (the gateway's check-in hook and offline
answer, Rasa's ``RedFlagDetector``, the actions, the triage engine). The machine is shared by several
sessions, so CPU seconds move with the load (frequency, caches, other processes); callgrind's count of
instructions does not, and gives the same figure run after run: ``--callgrind`` runs the same reading
under ``valgrind --tool=callgrind`` and counts only the measured loop (collection is switched on inside
``sys.call_tracing``, which nothing else calls), so start-up and the tables' building stay out.

The messages are the own test texts of *this* checkout's phrase tables (``tests/data/phrases``: every
cell with a space), the first ``--count`` of them in file order, so two checkouts read the same texts.
Only the standard library and ``nlu.red_flags.detect_red_flags``, so any checkout can be measured.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHRASES = ROOT / "tests" / "data" / "phrases"
WARM = ("I have a headache", "मुझे बुखार है", "ਮੈਨੂੰ ਬੁਖਾਰ ਹੈ")  # what channels.conversation.load_readers reads
_SUMMARY = re.compile(r"^summary:\s*(\d+)", re.MULTILINE)


def own_texts(count: int) -> list[str]:
    """The first ``count`` distinct messages of the phrase tables (cells with a space; no JSON cells)."""
    texts: dict[str, None] = {}
    for path in sorted(PHRASES.glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith(("#", "[")):
                texts.update(dict.fromkeys(c for c in line.split("\t") if " " in c.strip() and not c.startswith("=")))
    return list(texts)[:count]


def read_all(texts: list[str]) -> None:
    from nlu.red_flags import detect_red_flags

    for text in texts:
        detect_red_flags(text)


def measure(count: int) -> None:
    """Reads the texts once (CPU from the process clock) inside ``sys.call_tracing``: under callgrind with
    ``--toggle-collect=sys_call_tracing`` only that call is counted."""
    from nlu.red_flags import detect_red_flags

    texts = own_texts(count)
    for text in WARM:
        detect_red_flags(text)
    started = time.process_time()
    sys.call_tracing(read_all, (texts,))
    print(f"texts {len(texts)} cpu_ms {1000 * (time.process_time() - started):.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the nlu/ to measure")
    parser.add_argument("--count", type=int, default=400, help="messages read")
    parser.add_argument("--callgrind", action="store_true", help="count instructions under valgrind too")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # the child's side
    args = parser.parse_args()
    if args.measure:
        measure(args.count)
        return 0
    env = {**os.environ, "PYTHONPATH": str(args.checkout), "PYTHONHASHSEED": "0"}
    child = [sys.executable, __file__, "--measure", "--count", str(args.count)]
    done = subprocess.run(child, env=env, cwd=args.checkout, capture_output=True, text=True, check=True)
    texts, cpu_ms = (float(v) for v in done.stdout.split()[1::2])
    line = f"red-flag reader {args.checkout}: {cpu_ms / texts:.3f} ms CPU a text over {texts:.0f}"
    if args.callgrind:
        with tempfile.TemporaryDirectory() as out:
            dump = Path(out) / "callgrind.out"
            subprocess.run(["valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=sys_call_tracing",
                            f"--callgrind-out-file={dump}", *child], env=env, cwd=args.checkout, check=True,
                           capture_output=True)
            instructions = int(_SUMMARY.search(dump.read_text())[1])
        line += f", {instructions / texts / 1e6:.3f} M instructions a text (callgrind)"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
