"""Write ``bot/data/nlu/variants.yml``: spelling variants of the hand-written NLU examples.

Usage (in ``.venv``)::

    python scripts/noise_nlu.py           # regenerate the file (commit it: the model hash covers it)
    python scripts/noise_nlu.py --check   # fail unless the committed file is what the rules give now

See ``saathi/nlu_noise.py`` for the rules and why.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from saathi import nlu_noise  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the committed file; write nothing")
    args = parser.parse_args()
    generated = nlu_noise.variants()
    text = nlu_noise.render(generated)
    if args.check:
        same = nlu_noise.OUTPUT.exists() and nlu_noise.OUTPUT.read_text(encoding="utf-8") == text
        print("variants.yml is up to date" if same else "variants.yml is stale: run scripts/noise_nlu.py")
        return 0 if same else 1
    nlu_noise.OUTPUT.write_text(text, encoding="utf-8")
    print(f"{sum(map(len, generated.values()))} variants in {nlu_noise.OUTPUT.relative_to(nlu_noise.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
