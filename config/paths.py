"""Where the repository is: data/, bot/ and models/ are found relative to it."""

from pathlib import Path

#: The repository root.
ROOT = Path(__file__).resolve().parent.parent
