"""Write ``data/speech/closed_priors.json``: each scored closed-answer form's log-probability given
a second of silence, for the installed Whisper model.

Usage (in ``.venv``)::

    python scripts/closed_priors.py           # recompute for the installed model (commit the file)
    python scripts/closed_priors.py --check   # fail unless the file has every form, from this model

The priors do not depend on the caller's clip (``engine.speech.closed.priors``), but the media
worker's work horses (RQ forks one per voice note) start with an empty cache, so each refused
closed answer paid for them again (symptom menu: 1.2-1.3 s of CPU). A form missing from the file,
or a different model or kind of CPU (``engine.speech.models.cpu_kernels``), falls back to computing
them, so a stale file costs time, never a wrong answer.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from channels.closed_questions import choices  # noqa: E402
from engine.speech import closed, stt  # noqa: E402
from engine.speech.models import cpu_kernels  # noqa: E402


def scored() -> dict[str, list[str]]:
    """Every form :data:`engine.speech.closed.HOW` can score, per decoding language."""
    out: dict[str, list[str]] = {}
    for (language, kind), (how, _margin) in sorted(closed.HOW.items()):
        if how in ("score", "both"):
            decode = stt.DECODE_AS[language]
            out.setdefault(decode, []).extend(form for _, form in closed.scored_forms(choices(kind), language, decode))
    return {decode: sorted(set(forms)) for decode, forms in out.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the committed file; write nothing")
    args = parser.parse_args()
    engine = stt.backend()
    if args.check:
        stored = closed.stored_priors()
        fresh = stored.get("model") == engine.fingerprint and stored.get("cpu") == cpu_kernels() and all(
            set(forms) <= set(stored["priors"].get(decode, {})) for decode, forms in scored().items())
        print("closed_priors.json is up to date" if fresh else "closed_priors.json is stale: run scripts/closed_priors.py")
        return 0 if fresh else 1
    table = {decode: dict(zip(forms, closed.priors(engine, decode, forms), strict=True))
             for decode, forms in scored().items()}
    closed.PRIORS_JSON.parent.mkdir(parents=True, exist_ok=True)
    closed.PRIORS_JSON.write_text(json.dumps({"model": engine.fingerprint, "cpu": cpu_kernels(), "priors": table}, ensure_ascii=False,
                                             indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{sum(map(len, table.values()))} priors written to {closed.PRIORS_JSON}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
