"""The bottom layer: settings, paths and the time zone. Imports nothing of ours.

Every other package (records, engine, the adapters, the CLI) reads its knobs from here, so no
library has to reach up into the command line for them. ``nlu`` is the one exception: it runs
inside Rasa's own virtual environment and stays standalone.
"""

from config.paths import ROOT
from config.settings import Settings, load
from config.timezone import IST

__all__ = ["IST", "ROOT", "Settings", "load"]
