"""Server CPU per turn, read from /proc: what a bench's turns cost the servers, whatever the load.

Wall-clock figures (turns/s, p95) on this shared 2-core machine move with what everyone else runs;
the CPU time a server process spends on a turn hardly does. This wraps a bench command, and each
time the command prints a line it reads utime + stime of every process in the watched trees (the
``--pid`` roots, e.g. ``saathi up``'s supervisor, plus the command itself and what it starts, such
as bench/channels.py's own gateway). A line that says how many turns it stands for closes a
segment (any other line only moves the baseline); the CPU each process used in it, divided by
those turns, is printed per process role. A process first seen inside a segment counts from zero,
so bench/channels.py's gateway carries its own start-up in the text segment.

    PYTHONPATH=. .venv/bin/python bench/proc_cpu.py --pid "$(cat var/up.pid)" -- \\
        .venv/bin/python bench/conversation.py --url http://127.0.0.1:16200
    PYTHONPATH=. .venv/bin/python bench/proc_cpu.py --pid SUPERVISOR -- .venv/bin/python bench/channels.py --media 0

Turns are read from the lines bench/conversation.py and bench/channels.py print: a level's row
(``users turns err ...``; the warm-up before the header is its own segment, not counted), ``N
senders x T text turns`` (N x T + the one warm-up message, gateway and Rasa) and ``same turns,
Rasa directly`` (N x T turns, Rasa only). The command runs with PYTHONUNBUFFERED=1 so each line
arrives when it is printed. Standard library only, so it measures a checkout of any age.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
#: (role, pattern in the command line), first match wins; a process matching none takes its parent's role.
ROLES = [("rasa", re.compile(r"rasa_ext\.run|bin/rasa\b")), ("actions", re.compile(r"actions\.server|rasa_sdk")),
         ("gateway", re.compile(r"-m channels serve")), ("portal", re.compile(r"-m portal serve")),
         ("bench", re.compile(r"bench/"))]
CONVERSATION_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s+\d+\s+[\d.]+\s*$")
CHANNELS_TEXT = re.compile(r"^(\d+) senders x (\d+) text turns")
CHANNELS_DIRECT = re.compile(r"same turns, Rasa directly")


def stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds used so far) of a live process, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # after the command name, which may hold spaces
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class Tree:
    """The processes under some root pids, each named by its role (rasa, actions, gateway …) and,
    where a role has several processes, by a parent/child rank (a Sanic manager and its worker)."""

    def __init__(self, roots: list[int]) -> None:
        self.roots = roots
        self.labels: dict[int, str] = {}

    def snapshot(self) -> dict[int, float]:
        """CPU seconds of every live process under the roots (labelled the first time it is seen)."""
        parents: dict[int, int] = {}
        cpu: dict[int, float] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit() and (found := stat(int(entry))):
                parents[int(entry)], cpu[int(entry)] = found
        inside = set(self.roots)
        changed = True
        while changed:
            grown = {pid for pid, parent in parents.items() if parent in inside} - inside
            changed = bool(grown)
            inside |= grown
        for pid in sorted(inside):
            if pid in cpu and pid not in self.labels:
                self.labels[pid] = self._label(pid, parents)
        return {pid: cpu[pid] for pid in inside if pid in cpu}

    def _label(self, pid: int, parents: dict[int, int]) -> str:
        line = cmdline(pid)
        role = next((name for name, pattern in ROLES if pattern.search(line)), None)
        parent = parents.get(pid, 0)
        parent_label = self.labels.get(parent, "")
        if role is None:
            return f"{parent_label.split('/')[0]}/child" if parent_label else "other"
        if parent_label.split("/")[0] == role:  # e.g. a Sanic worker forked by its manager
            return f"{role}/worker"
        return role


def turns_of(line: str) -> tuple[str, int] | None:
    """The segment a bench output line closes, and the turns it stands for."""
    if match := CONVERSATION_ROW.match(line):
        return f"conversation {match.group(1)} users", int(match.group(2)) + int(match.group(3))
    if match := CHANNELS_TEXT.match(line):
        return "channels text (via gateway)", int(match.group(1)) * int(match.group(2)) + 1
    if CHANNELS_DIRECT.search(line):
        return "channels same turns, Rasa directly", -1  # N x T of the text segment, filled in below
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pid", type=int, action="append", default=[], help="root of a server tree (repeatable)")
    parser.add_argument("--json", help="also write the segments here (one JSON object)")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the bench command after --")

    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    tree = Tree([*args.pid, child.pid])
    before, started = tree.snapshot(), time.monotonic()
    segments: list[dict] = []
    last_text_turns = 0
    assert child.stdout is not None
    for line in child.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        closed = turns_of(line)
        now = tree.snapshot()
        if closed is None:  # e.g. the header after the warm-up: the warm-up stays out of every segment
            before, started = now, time.monotonic()
            continue
        name, turns = closed
        if turns < 0:
            turns = last_text_turns - 1
        elif name.startswith("channels text"):
            last_text_turns = turns
        used: dict[str, float] = {}
        for pid, seconds in now.items():
            label = tree.labels.get(pid, "other")
            used[label] = used.get(label, 0.0) + seconds - before.get(pid, 0.0)
        segments.append({"segment": name, "turns": turns, "seconds": round(time.monotonic() - started, 1),
                         "cpu_ms_per_turn": {k: round(1000 * v / max(turns, 1), 2) for k, v in sorted(used.items())}})
        before, started = now, time.monotonic()
    code = child.wait()
    print("\nserver CPU ms per turn (from /proc; 'bench' is the load generator itself):")
    roles = sorted({k for s in segments for k in s["cpu_ms_per_turn"]})
    print(f"{'segment':<38} {'turns':>6} " + " ".join(f"{r:>15}" for r in roles) + f" {'rasa+actions':>13}")
    for s in segments:
        per = s["cpu_ms_per_turn"]
        server = sum(v for k, v in per.items() if k.split("/")[0] in ("rasa", "actions"))
        print(f"{s['segment']:<38} {s['turns']:>6} " + " ".join(f"{per.get(r, 0.0):>15.2f}" for r in roles)
              + f" {server:>13.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"command": command, "segments": segments}, indent=1))
    return code


if __name__ == "__main__":
    sys.exit(main())
