"""The medicine knowledge base: coverage, consistency and completeness of the three languages."""

from __future__ import annotations

import csv

import pytest
import yaml
from conftest import ROOT, SHARED

from engine.i18n import LANGUAGES
from engine.meds.kb import TEXT_FIELDS, load, normalise
from engine.meds.rules import table

# Primary-care medicines of NLEM 2022 that a rural patient is likely to bring on a prescription.
NLEM_PRIMARY_CARE = """Acetylsalicylic acid;Albendazole;Allopurinol;Amitriptyline;Amlodipine;Amoxicillin;Ampicillin;
Artemether;Artesunate;Ascorbic acid;Atorvastatin;Azithromycin;Benzathine benzylpenicillin;Betamethasone;
Bisacodyl;Budesonide;Calamine;Calcium carbonate;Carbamazepine;Carbimazole;Cefadroxil;Cefixime;Ceftriaxone;Cefuroxime;
Cetirizine;Chloroquine;Cholecalciferol;Ciprofloxacin;Clarithromycin;Clavulanic acid;Clobazam;Clopidogrel;
Clotrimazole;Co-trimoxazole;Dexamethasone;Diazepam;Diclofenac;Dicyclomine;Digoxin;Domperidone;Doxycycline;Enalapril;
Escitalopram;Ethambutol;Ferrous Salts;Fluconazole;Fluoxetine;Folic Acid;Furosemide;Glimepiride;Glyceryl trinitrate;
Haloperidol;Hydrochlorothiazide;Hydrocortisone;Hydroxychloroquine;Hyoscine butylbromide;Ibuprofen;Insulin;Ipratropium;
Isoniazid;Isosorbide dinitrate;Ispaghula;Ivermectin;Labetalol;Lactulose;Levothyroxine;Levetiracetam;Lithium;Loperamide;
Mebendazole;Mefenamic acid;Metformin;Metoclopramide;Metoprolol;Metronidazole;Montelukast;Mupirocin;
Nifedipine;Nitrofurantoin;Norethisterone;Omeprazole;Ondansetron;Oral rehydration salts;Pantoprazole;Paracetamol;
Permethrin;Phenobarbitone;Phenytoin;Povidone iodine;Prednisolone;Primaquine;Propranolol;Pyrazinamide;Pyridoxine;Ramipril;
Rifampicin;Salbutamol;Silver sulphadiazine;Sodium Valproate;Spironolactone;Telmisartan;Teneligliptin;Thiamine;
Tiotropium;Tramadol;Tranexamic acid;Vitamin A;Warfarin;Zinc Sulphate"""


def test_sizes():
    kb = load()
    assert len(kb.generics) >= 150
    assert len(kb.brands) >= 300
    assert len(table("interactions.tsv")) >= 100


@pytest.mark.parametrize("name", [n.strip() for n in NLEM_PRIMARY_CARE.replace("\n", "").split(";")])
def test_nlem_primary_care_is_covered(name):
    kb = load()
    if name == "Co-trimoxazole":
        assert {"sulfamethoxazole", "trimethoprim"} <= set(kb.generics)
    else:
        assert kb.generic(name), name


def test_nlem_names_in_shared_list_when_available():
    path = SHARED / "data" / "nlem2022_generics.txt"
    if not path.exists():
        pytest.skip("../shared not beside this clone")
    nlem = {normalise(line) for line in path.read_text(encoding="utf-8").splitlines() if line and line[0] != "#"}
    wanted = {normalise(n) for n in NLEM_PRIMARY_CARE.replace("\n", "").split(";")}
    assert wanted <= nlem


def test_every_generic_has_every_text_in_every_language():
    kb = load()
    missing = [(g, f, lang) for g in kb.generics for f in TEXT_FIELDS for lang in LANGUAGES if not kb.text(g, f, lang)]
    assert not missing, missing[:10]


def test_every_brand_component_is_a_known_generic():
    kb = load()
    unknown = {g for b in kb.brands for g in b.generics if g not in kb.generics}
    assert not unknown


def test_required_brands_present():
    kb = load()
    for brand in ["Dolo 650", "Crocin", "Calpol", "Combiflam", "Pan 40", "Pantocid", "Rantac", "Glycomet", "Janumet",
                  "Telma", "Amlokind", "Augmentin", "Azithral", "Taxim-O", "Allegra", "Montair LC", "Ecosprin",
                  "Thyronorm", "Shelcal", "Becosules", "Zincovit", "Electral"]:
        assert normalise(brand) in kb.brands_by_name, brand


@pytest.mark.parametrize("name", ["interactions.tsv", "side_effects.tsv"])
def test_rule_sides_exist(name):
    kb = load()
    sides = ("a", "b") if name == "interactions.tsv" else ("target",)
    for row in table(name):
        for side in sides:
            value = row[side]
            assert (value[6:] in kb.classes) if value.startswith("class:") else (value in kb.generics), value


def test_interaction_severities_and_effect_messages():
    from engine.i18n import catalogue

    for row in table("interactions.tsv"):
        assert row["severity"] in {"major", "moderate", "minor"}
        assert f"meds_advice_{row['effect']}" in catalogue()


def test_side_effect_rules_use_contract_symptoms_and_have_messages():
    from engine.i18n import catalogue

    with open(ROOT / "data" / "symptoms.tsv", encoding="utf-8") as handle:
        codes = {row["code"] for row in csv.DictReader(handle, delimiter="\t")}
    for row in table("side_effects.tsv"):
        assert row["symptom"] in codes, row["symptom"]
        assert row["urgency"] in {"urgent", "soon"}
        assert f"meds_sideeffect_{row['effect']}" in catalogue()


def test_sources_recorded():
    sources = yaml.safe_load((ROOT / "data" / "medicines" / "sources.yml").read_text(encoding="utf-8"))
    ids = {s["id"] for s in sources["sources"]}
    assert {"nlem2022", "who_mf2008", "bnf86", "cdsco_labels"} <= ids
