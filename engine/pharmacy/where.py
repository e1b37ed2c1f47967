"""Whether a message asks *where* to get something ("paracetamol kahan milegi", "ਡੋਲੋ ਕਿੱਥੇ ਮਿਲੇਗੀ").

Such a question is a pharmacy search whatever intent the model gave it: a DIET model retrained on
another machine called "paracetamol kahan milegi" ask_medicine, so the bot explained paracetamol
instead of asking where the person is. Phrases live in ``data/pharmacy/where_to_get.tsv`` and are
compared on ``nlu.text`` match keys, so spellings the keys fold together ("kahaan", "milegee") match too.
"""

from __future__ import annotations

from functools import cache

from config.paths import ROOT
from nlu.matcher import PhraseMatcher
from nlu.resources import read_tsv
from nlu.text import tokenize

PHRASES = ROOT / "data" / "pharmacy" / "where_to_get.tsv"


@cache
def _matcher() -> PhraseMatcher:
    """Exact matching on match keys (no typo correction: "milegi" and "mil gayi" differ in meaning)."""
    return PhraseMatcher((("where", form) for row in read_tsv(PHRASES)
                          for form in row["forms"].split("|") if form.strip()), fuzzy=False)


def asks_where_to_get(text: str) -> bool:
    """True when ``text`` contains one of the where-to-get phrases, in any language or script."""
    return bool(_matcher().find(tokenize(text or "")))
