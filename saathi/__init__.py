"""Sehat Saathi's top layer: the command line (``saathi``) and the service supervisor.

Settings, paths and the time zone live in :mod:`config`, the bottom layer; ``ROOT`` is re-exported
here only for scripts written against the old spelling.
"""

from config.paths import ROOT

__all__ = ["ROOT"]
