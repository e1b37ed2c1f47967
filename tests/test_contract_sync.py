"""data/ keeps the project's own copy of every contract vocabulary: nothing may go missing."""

from __future__ import annotations

import csv

import pytest
import yaml
from conftest import CONTRACT, ROOT


def codes(path, column):
    with open(path, encoding="utf-8") as handle:
        return {row[column] for row in csv.DictReader(handle, delimiter="\t")}


@pytest.mark.parametrize(("name", "column"), [
    ("symptoms", "code"), ("intents", "intent"), ("urgency", "level"),
    ("specialists", "code"), ("document_types", "code"), ("syndromes", "code"),
])
def test_data_contains_every_contract_code(name, column):
    if not CONTRACT.exists():
        pytest.skip("../shared/contract is not beside this clone")
    assert codes(CONTRACT / f"{name}.tsv", column) <= codes(ROOT / "data" / f"{name}.tsv", column)


def test_domain_declares_every_intent():
    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
    assert codes(ROOT / "data" / "intents.tsv", "intent") <= set(domain["intents"])


def test_every_specialist_has_a_name_in_the_catalogue():
    from engine.i18n import catalogue

    for code in codes(ROOT / "data" / "specialists.tsv", "code"):
        assert f"core_specialist_{code}" in catalogue()
