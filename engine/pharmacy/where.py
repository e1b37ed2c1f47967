"""Whether a message asks *where* to get something ("paracetamol kahan milegi", "ਡੋਲੋ ਕਿੱਥੇ ਮਿਲੇਗੀ").

Such a question is a pharmacy search whatever intent the model gave it: a DIET model retrained on
another machine called "paracetamol kahan milegi" ask_medicine, so the bot explained paracetamol
instead of asking where the person is. Phrases live in ``data/pharmacy/where_to_get.tsv`` and are
compared on ``nlu.text`` match keys, so spellings the keys fold together ("kahaan", "milegee") match too.
"""

from __future__ import annotations

from functools import cache

from config.paths import ROOT
from nlu.resources import read_tsv
from nlu.text import phrase_key

PHRASES = ROOT / "data" / "pharmacy" / "where_to_get.tsv"


@cache
def _phrases() -> frozenset[tuple[str, ...]]:
    return frozenset(phrase_key(form) for row in read_tsv(PHRASES)
                     for form in row["forms"].split("|") if form.strip())


def asks_where_to_get(text: str) -> bool:
    """True when ``text`` contains one of the where-to-get phrases, in any language or script."""
    keys = phrase_key(text or "")
    lengths = {len(phrase) for phrase in _phrases()}
    return any(keys[i:i + n] in _phrases() for n in lengths for i in range(len(keys) - n + 1))
