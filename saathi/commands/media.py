"""``saathi media prune`` — delete uploads, synthesised speech and FHIR exports past their retention now.

The gateway does this by itself at start and every few hours (:mod:`channels.retention`); the
command is for a machine whose gateway is down, or to check what the settings keep.
"""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    media = sub.add_parser("media", help="stored media: delete files past SAATHI_MEDIA_DAYS / SAATHI_TTS_CACHE_DAYS")
    media_sub = media.add_subparsers(dest="media_command", required=True)
    media_sub.add_parser("prune", help="delete old uploads, synthesised speech and expired exports under the var dir")
    media.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from channels.retention import prune
    from config.settings import load

    print(json.dumps({"deleted": prune(load())}))
    return 0
