"""Sehat Saathi: shared settings, command line and service supervisor."""

from pathlib import Path

#: The repository root: data/, bot/ and models/ are found relative to it.
ROOT = Path(__file__).resolve().parent.parent
