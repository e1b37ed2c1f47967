"""Parse JSON lines with a trained Rasa model, inside the Rasa environment (Python 3.10).

``saathi nlu`` starts this when no Rasa server is running: it loads the model once, then for each
``{"text": ...}`` line on stdin writes Rasa's full parse (our components' output included) as one
JSON line. Logs go to stderr only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys


def _quiet() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)


async def _serve(model_path: str, out) -> None:
    from rasa.core.agent import Agent

    with contextlib.redirect_stdout(sys.stderr):  # Rasa prints while loading; stdout is ours
        agent = Agent.load(model_path)
    print(json.dumps({"ready": True}), file=out, flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            text = json.loads(line)["text"]
            with contextlib.redirect_stdout(sys.stderr):
                parsed = await agent.parse_message(text)
            print(json.dumps(parsed, ensure_ascii=False, default=str), file=out, flush=True)
        except Exception as exc:  # one bad line must not stop the stream
            print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), file=out, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    args = parser.parse_args()
    _quiet()
    asyncio.run(_serve(args.model, sys.stdout))


if __name__ == "__main__":
    main()
