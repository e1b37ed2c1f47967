"""Findings the own wide set said and the reader missed (issue #16 item 1), in every script: each phrase
must give its code, and the words that used to be misread must not give the wrong one. Rows in
tests/data/phrases/nlu_reader_wide.tsv."""

from __future__ import annotations

from nlu.symptoms import symptom_codes
from tests.support.phrases import phrases


@phrases("text", "code")
def test_the_finding_said_is_read(text, code):
    assert code in symptom_codes(text), symptom_codes(text)


@phrases("text", "code")
def test_the_old_misreading_is_gone(text, code):
    assert code not in symptom_codes(text), symptom_codes(text)
