"""What is known about one patient, normalised once so every scorer sees the same facts.

Normalisation applies the vocabulary's implications (``dry_cough`` reported means ``cough`` is
present; ``cough`` denied means ``dry_cough`` is denied too), turns the ``pregnant`` code into
context, and resolves contradictions in favour of the assertion (a symptom both denied and
reported counts as present: missing a symptom is the less safe mistake).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from engine.triage.kb import AGE_GROUPS, ONSETS, PREGNANCY_AGE, SEXES, KnowledgeBase, age_group

#: Duration buckets in days: acute (< 3), subacute (3-14), chronic (> 14).
DURATION_EDGES = (3.0, 14.0)
#: P(duration bucket | onset): a chronic illness is rarely reported after one day and vice versa.
DURATION_GIVEN_ONSET = {
    "acute": (0.70, 0.25, 0.05),
    "subacute": (0.30, 0.50, 0.20),
    "chronic": (0.10, 0.30, 0.60),
}
#: Share of women 13-49 who are pregnant when nobody said: scales pregnancy-only conditions.
UNKNOWN_PREGNANCY_PRIOR = 0.1
#: log prior of a condition that cannot apply (``feasible``): finite, so a softmax stays defined.
IMPOSSIBLE = -1.0e4
#: Red flags (``nlu.red_flags`` rule ids) that name a finding the ranking should count too: the rule
#: recognised "bleeding from below" in a pregnancy or "pulled out of the pond" where the lexicon
#: alone found nothing, and a differential that ignores it ranks anaemia above a miscarriage. Only
#: rules whose meaning is the finding itself (the rule's ``reason`` in data/red_flags.json names it,
#: and its source is the rule's); rules whose code merely names them for the explanation (drowning ->
#: unconsciousness, shock -> fainting, sepsis -> fever, an infant's danger sign -> fever) map to the
#: finding they mean or are left out. Issue #16 (rank helper): 100 of the own wide set's emergencies
#: had their condition outside the top 3 while a rule had recognised what they were (chest pain or
#: pressure, lockjaw, an electric shock, a swallowed poison, gasping, a rigid belly), so the ranking
#: scored a man with crushing chest pain and sweating on "sweating" alone.
FLAG_FINDINGS: dict[str, tuple[str, ...]] = {
    "pregnancy_bleeding": ("vaginal_bleeding",),
    "heat_stroke": ("heat_exposure",),
    "severe_burn": ("burn",),
    "burn_under_five": ("burn",),
    "drowning": ("drowning",),
    "deep_vein_thrombosis": ("calf_swelling",),
    "testicular_torsion": ("testicular_pain",),
    "snake_bite": ("snake_bite",),
    "scorpion_sting_child": ("scorpion_sting",),
    "scorpion_sting_systemic_shock": ("scorpion_sting",),
    "reduced_fetal_movement": ("reduced_fetal_movement",),
    "acute_angle_closure": ("eye_pain",),
    "penetrating_eye_injury": ("eye_injury",),
    "newborn_jaundice_first_day": ("jaundice",),
    "head_injury_danger": ("head_injury",),
    "anaphylaxis": ("allergic_reaction",),
    # swelling of the face, lips or tongue with a wheeze or a closing throat (WAO 2020)
    "face_swelling_with_breathing_difficulty": ("swelling_face", "breathlessness"),
    "pregnancy_waters_leaking": ("water_leak",),
    "thunderclap_headache": ("severe_headache",),
    "urinary_retention": ("difficulty_urinating",),
    # chest pain or pressure of cardiac character (NICE CG95)
    "cardiac_chest_pain": ("chest_pain",),
    # face, arm or speech: the weakness or droop of one side BE-FAST names (AHA/ASA 2019)
    "stroke_signs": ("one_sided_weakness",),
    # lockjaw or spasms: muscle stiffness (WHO Tetanus fact sheet 2023)
    "tetanus_signs": ("stiffness",),
    "electrical_injury": ("electric_shock",),
    "poisoning": ("poisoning",),
    "toxic_gas_exposure": ("poisoning",),
    "button_battery": ("foreign_body",),
    "suicidal_thoughts": ("suicidal_thoughts",),
    "seizure": ("seizure",),
    "pregnancy_convulsions": ("seizure",),
    "unconscious": ("unconsciousness",),
    "severe_breathing_difficulty": ("breathlessness",),
    "inhalation_injury": ("smoke_exposure",),
    "heavy_bleeding": ("bleeding",),
    "vomiting_blood": ("blood_in_vomit",),
    "pregnancy_severe_abdominal_pain": ("abdominal_pain",),
    "child_not_feeding": ("poor_feeding",),
    "child_lethargic": ("lethargy",),
    "altered_consciousness": ("confusion",),
    "dka_signs": ("high_blood_sugar",),
    "low_sugar_hypoglycaemia": ("low_blood_sugar",),
    "animal_bite_high_risk": ("animal_bite",),
    "fever_stiff_neck": ("neck_stiffness",),
    # every clause of the rule has a missed period (NICE NG126 Ectopic pregnancy 2019)
    "possible_ectopic_pregnancy": ("missed_period",),
    # a harsh noise breathing in: an obstructed upper airway (WHO IMCI 2014)
    "stridor": ("breathlessness",),
    "kidney_failure_no_urine": ("reduced_urination",),
    # a dangerous blow, load, fall or wheel to the trunk (ATLS 10th ed. 2018; ACS Field Triage 2021): an injury
    "major_trauma": ("injury",),
}
#: Readings past a threshold (``nlu.vitals.Finding.id``, thresholds of data/vitals.json and their NEWS2
#: bands) that are a finding themselves: a measured BP of 170/110 is high blood pressure, a sugar of 48 a
#: low sugar, 38.2 °C in a six-week-old a fever, 64 breaths a minute fast breathing (the thresholds' own
#: sources: WHO IMCI 2014, NICE NG133/NG136, ADA 2024, RCP NEWS2). A reading's ``code`` names it for the
#: explanation and is not always the finding (a low BP is coded "fainting", a low temperature "fever"),
#: so the findings are listed here; a low BP, a slow or fast pulse and a low SpO2 are findings of their own
#: (data/symptoms.tsv) that the conditions whose guidelines name them list.
VITAL_FINDINGS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("very_high_systolic", "pregnancy_severe_hypertension", "preeclampsia_severe_features",
                     "pregnancy_hypertension", "hypertensive_encephalopathy", "hypertensive_emergency",
                     "severe_hypertension"), ("high_blood_pressure",)),
    **dict.fromkeys(("severe_hypoglycaemia", "hypoglycaemia_altered", "hypoglycaemia"), ("low_blood_sugar",)),
    **dict.fromkeys(("hyperosmolar_risk", "dka_risk", "hyperglycaemia"), ("high_blood_sugar",)),
    **dict.fromkeys(("young_infant_fast_breathing", "child_tachypnoea_red", "infant_fast_breathing",
                     "child_fast_breathing", "news2_resp_rate_high"), ("fast_breathing",)),
    **dict.fromkeys(("young_infant_fever", "infant_fever_red", "infant_fever_amber", "child_high_fever",
                     "hyperpyrexia", "maternal_sepsis_vitals", "news2_temperature_high"), ("fever",)),
    **dict.fromkeys(("young_infant_hypothermia", "child_hypothermia", "news2_temperature_low"), ("cold_body",)),
    **dict.fromkeys(("hypotension", "newborn_hypotension", "child_hypotension", "older_child_hypotension",
                     "news2_systolic_low"), ("low_blood_pressure",)),
    # a breathing rate under 9 a minute (NEWS2 scores it 3): the slow breathing of opioid overdose (WHO Community
    # management of opioid overdose 2014)
    "news2_resp_rate_low": ("slow_breathing",),
    **dict.fromkeys(("symptomatic_bradycardia", "bradycardia_dizzy", "child_bradycardia", "news2_pulse_low"),
                    ("slow_pulse",)),
    **dict.fromkeys(("child_tachycardia_infant", "child_tachycardia_toddler", "child_tachycardia", "news2_pulse_high"),
                    ("fast_pulse",)),
    **dict.fromkeys(("hypoxaemia", "spo2_below_target", "child_spo2_amber", "news2_spo2_low"), ("low_oxygen",)),
}


#: Danger-sign parts and signals the red-flag reader finds in a message (``nlu.red_flags.text_facts``:
#: data/lexicon/danger_parts.tsv, the ``signals`` of data/red_flags.json) whose meaning is a finding
#: the symptom lexicon does not read: "diaphoretic" is sweating, "lockjaw" a mouth that will not open,
#: a bee or a wasp an insect sting, "hard to wake" lethargy, "using his neck muscles to breathe"
#: breathlessness. Issue #16 (rank helper): the reader had recognised these in the own wide set's missed
#: emergencies while the ranking never saw them. A key is the labels that must all be there: a part that
#: only means the finding beside another ("chhale" are blisters beside a burn, mouth ulcers in the mouth,
#: and "chala" is also "went") is keyed with it, or with the red-flag rule (``FLAG_FINDINGS`` ids) that judged
#: it; parts that mean nothing alone ("rigid", "cold") are left out.
PART_FINDINGS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("diaphoresis",): ("sweating",),  # ESC 2023 ACS: diaphoresis
    ("trismus",): ("limited_mouth_opening",),  # WHO Tetanus fact sheet 2023: lockjaw
    ("stinging_insect",): ("insect_sting",),  # WAO Anaphylaxis Guidance 2020: stinging insects
    ("hard_to_wake",): ("lethargy",),  # WHO IMCI 2014: lethargic or unconscious
    ("accessory_muscles",): ("breathlessness",),  # BTS/SIGN 158 asthma: accessory muscle use
    ("hypothermia_term",): ("cold_body",),  # Tintinalli's Emergency Medicine, ch. Hypothermia
    ("postpartum",): ("recent_delivery",),  # WHO PPH 2012: after delivery
    ("hooch",): ("alcohol_use",),  # illicit or country liquor: WHO Methanol poisoning note (2014)
    ("rigid_abdomen",): ("rigid_abdomen",),  # Bailey and Love: board-like rigidity
    # a belly "hard", "tight" or "guarding" only where the rule judged it an acute abdomen: "pet tight hai"
    # alone is wind or constipation
    ("acute_abdomen_surgical", "rigid"): ("rigid_abdomen", "abdominal_pain"),
    # a belly "phool gaya" is bloating (data/symptoms.tsv) unless the rule judged an acute abdomen: then it is the
    # distension of obstruction (Bailey and Love, 28th ed.; WSES 2017 adhesive small bowel obstruction)
    ("acute_abdomen_surgical", "distended"): ("abdominal_distension",),
    # the rule also fires on green vomit in a baby, who tells no pain: the pain only where a pain word is
    ("acute_abdomen_surgical", "pain_word"): ("abdominal_pain",),
    ("blister", "burn"): ("blisters",),  # NICE CKS Burns and scalds 2024: partial-thickness burns blister
    # rat poison named where the poisoning rule judged a swallowing (a packet bought for the house is no
    # finding): zinc phosphide, superwarfarins, yellow phosphorus (WHO IPCS; AIIMS NPIC: rodenticides)
    ("poisoning", "rodenticide"): ("rat_poison",),
    # grain-storage tablets named where the poisoning rule judged a swallowing: aluminium phosphide (AIIMS NPIC;
    # Bogle RG et al., Emerg Med J 2006), not the rat poison or pesticide entries that share "poisoning"
    # the belly sign the major-trauma rule found told after a blow to the belly (ATLS 10th ed. 2018, abdominal
    # trauma): distension or hardness, which "pet phool raha" alone (wind) is not
    ("major_trauma", "site_abdomen", "rigid"): ("rigid_abdomen",),
    **{("major_trauma", "site_abdomen", sign): ("abdominal_distension",) for sign in ("swollen", "distended")},
    ("poisoning", "fumigant"): ("grain_tablet",),
    # hair dye (paraphenylenediamine) and corrosives (acids, phenyl, toilet cleaners) named where the poisoning
    # rule judged a swallowing (Sampathkumar K, Yesudas S, J Emerg Trauma Shock 2009; WHO Basic Emergency Care 2018)
    ("poisoning", "hair_dye"): ("hair_dye_swallowed",),
    ("poisoning", "corrosive"): ("corrosive_swallowed",),
    # a wound, mouth ulcer or genital sore said not to heal: NICE NG12 (2015/2023) oral ulceration over 3 weeks,
    # skin lesions suggesting carcinoma, penile ulcers; "bukhar theek nahi ho raha" alone is no sore
    **{("not_healing", sore): ("non_healing_sore",) for sore in ("wound", "mouth_ulcer", "genital_sore")},
    # a "chhala" (blister) in the mouth or on the tongue that does not heal is a mouth ulcer that does not heal
    **{("not_healing", "blister", site): ("non_healing_sore", "mouth_ulcer") for site in ("site_mouth", "tongue_word")},
    # a wound of the penis, vulva or genitals is a genital sore (EAU Guidelines on penile cancer 2023: a penile
    # ulcer; IUSTI 2017 genital ulcer disease)
    ("site_genital", "wound"): ("genital_sore",),
    ("nipple_discharge",): ("nipple_discharge",),  # Endocrine Society 2011 hyperprolactinaemia: galactorrhoea
    # the urgent sign for bleeding after the menopause (NICE NG12 1.5.11), where the periods were said to have
    # stopped (or the menopause named): not its other clause, bleeding after intercourse at 50 or over
    ("postmenopausal_bleeding", "period_word", "stopped"): ("bleeding_after_menopause",),
    ("postmenopausal_bleeding", "menopause"): ("bleeding_after_menopause",),
    # the urgent sign for one red, hot, swollen or painful leg or foot (NICE CKS Cellulitis 2024, NICE NG158 DVT):
    # the leg findings cellulitis and DVT are ranked on, each only where the sign counted it ("pair laal, garam aur
    # sooja, dard" read no finding at all)
    ("inflamed_leg", "pain_word"): ("leg_pain",),
    ("inflamed_leg", "swollen"): ("swelling_legs",),
    # a dog, monkey, cat or other mammal and a bite told further apart than the symptom reader's window ("bandar ne
    # kudi de hath te vadh lya"): a rabies exposure all the same (NCDC National guidelines for rabies prophylaxis
    # 2019: any bite or scratch by a mammal; vaccine from day 0)
    ("dog", "bite"): ("animal_bite",),
    # washing powder or hand sanitiser named where the poisoning rule judged a swallowing (ICD-10 T55 and T51;
    # Valdez AL et al., Pediatrics 2014; Santos C et al., MMWR 2017), not the pesticide or kerosene entries
    ("poisoning", "detergent"): ("detergent_swallowed",),
    ("poisoning", "sanitiser"): ("sanitiser_swallowed",),
    # ... or told as drunk or eaten ("sanitizer ki botal pi li"), or a detergent pod bitten into (Valdez 2014)
    ("ingest", "detergent"): ("detergent_swallowed",),
    ("bite", "detergent"): ("detergent_swallowed",),
    ("ingest", "sanitiser"): ("sanitiser_swallowed",),
    # a hot liquid spilt or splashed on the skin is a scald, a burn by hot liquid (NICE CKS Burns and scalds 2024)
    ("hot_liquid", "spill"): ("burn",),
    ("hot_liquid", "spill", "blister"): ("burn", "blisters"),
    # a rash, itch, blisters or scaling beside a thing that touched the skin (soap, detergent, cement, hair dye,
    # phenyl, artificial jewellery, rubber chappals): the trigger that makes contact dermatitis the likely reading
    # (NICE CKS Dermatitis - contact 2023; IADVL Textbook of Dermatology 4th ed.)
    **{(substance, skin): ("contact_trigger",)
       for substance in ("contact_substance", "hair_dye", "corrosive")
       for skin in ("rash", "itching", "blisters", "scaly_skin")},
    # a sore said not to heal on the face, nose, ear or lip: basal cell carcinoma sits on the head and neck in about
    # 80 % (Rook's Textbook of Dermatology 9th ed.; NICE CKS Skin cancers 2023), a venous ulcer on the lower leg
    **{("not_healing", "wound", site): ("sore_on_face",) for site in ("site_face", "site_ear_nose", "site_lips")},
}


@dataclass
class Evidence:
    present: list[str] = field(default_factory=list)
    negated: list[str] = field(default_factory=list)
    age: float | None = None
    sex: str | None = None
    pregnant: bool | None = None
    duration_days: float | None = None
    severity: str | None = None
    #: Month (1-12, IST) and place of the consultation, for the season and region priors
    #: (``engine.triage.priors``); None when not known, and then no prior applies.
    month: int | None = None
    state: str | None = None
    district: str | None = None


def normalise(kb: KnowledgeBase, evidence: Evidence) -> Evidence:
    present = dict.fromkeys(evidence.present)
    pregnant = evidence.pregnant
    if "pregnant" in present:
        pregnant = True
    for code in list(present):
        parent = kb.implies.get(code)
        while parent:
            if parent == "pregnant":
                pregnant = True
            else:
                present.setdefault(parent)
            parent = kb.implies.get(parent)
    negated = dict.fromkeys(c for c in evidence.negated if c not in present)
    children: dict[str, list[str]] = {}
    for child, parent in kb.implies.items():
        children.setdefault(parent, []).append(child)
    for code in list(negated):
        for child in children.get(code, []):
            if child not in present:
                negated.setdefault(child)
    if "pregnant" in negated and pregnant is None:
        pregnant = False
    sex = evidence.sex if evidence.sex in ("m", "f") else None
    if sex == "m":
        pregnant = False
    keep = kb.symptom_index
    return Evidence(
        present=[c for c in present if c in keep],
        negated=[c for c in negated if c in keep],
        age=evidence.age,
        sex=sex,
        pregnant=pregnant,
        duration_days=evidence.duration_days,
        severity=evidence.severity,
        month=evidence.month,
        state=evidence.state,
        district=evidence.district,
    )


def with_flag_findings(kb: KnowledgeBase, evidence: Evidence, flag_ids: Iterable[str],
                       vital_ids: Iterable[str] = (), facts: frozenset[str] | set[str] = frozenset(),
                       codes: Iterable[str] = ()) -> Evidence:
    """``evidence`` plus the findings the red flags recognised (:data:`FLAG_FINDINGS`), the readings
    that are findings (:data:`VITAL_FINDINGS`, by ``nlu.vitals.Finding.id``) and the danger-sign parts that
    are (:data:`PART_FINDINGS`, by ``nlu.red_flags.text_facts`` label), plus finding ``codes`` read elsewhere
    (``engine.triage.text.reading_findings``), normalised; the same object when they add nothing."""
    named = [*(FLAG_FINDINGS.get(flag, ()) for flag in flag_ids), *(VITAL_FINDINGS.get(v, ()) for v in vital_ids),
             *(found for labels, found in PART_FINDINGS.items() if facts and set(labels) <= facts), tuple(codes)]
    extra = list(dict.fromkeys(code for codes in named for code in codes
                               if code in kb.symptom_index and code not in evidence.present))
    if not extra:
        return evidence
    return normalise(kb, replace(evidence, present=[*evidence.present, *extra]))


def _could_be_pregnant(evidence: Evidence) -> bool:
    if evidence.sex == "m":
        return False
    return evidence.age is None or 13 <= evidence.age < 50


def feasible(kb: KnowledgeBase, evidence: Evidence) -> np.ndarray:
    """Which conditions can apply to this person at all, one bool each: ``Condition.allows`` for
    every condition at once (tests check the two agree)."""
    ok = np.ones(len(kb), dtype=bool)
    age, sex, pregnant = evidence.age, evidence.sex, evidence.pregnant
    if sex in SEXES:
        ok &= kb.sex_factors[:, SEXES.index(sex)] > 0.0
    if age is not None:
        ok &= (kb.age_min <= age) & (age < kb.age_max)
        ok &= kb.age_factors[:, AGE_GROUPS.index(age_group(age))] > 0.0
    of_pregnancy = kb.pregnancy_kind != ""
    if sex == "m" or (age is not None and not PREGNANCY_AGE[0] <= age < PREGNANCY_AGE[1]):
        ok &= ~of_pregnancy
    if pregnant is False:
        ok &= kb.pregnancy_kind != "required"
    return ok


def restrict(probabilities: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Zero what cannot apply and renormalise; unchanged if nothing would be left (contradictory facts)."""
    if not allowed.any():
        return probabilities
    kept = np.where(allowed, probabilities, 0.0)
    total = kept.sum()
    return kept / total if total > 0 else allowed / allowed.sum()


def log_prior(kb: KnowledgeBase, evidence: Evidence) -> np.ndarray:
    """log P(condition | age, sex, pregnancy, duration) up to a constant, one value per condition;
    ``IMPOSSIBLE`` for a condition that cannot apply (``feasible``)."""
    factor = np.ones(len(kb))
    group = age_group(evidence.age)
    if group is not None:
        factor *= kb.age_factors[:, AGE_GROUPS.index(group)]
    if evidence.sex in SEXES:
        factor *= kb.sex_factors[:, SEXES.index(evidence.sex)]
    else:
        factor *= kb.sex_factors.mean(axis=1)
    factor *= _pregnancy_factors(kb, evidence)
    if evidence.duration_days is not None:
        bucket = duration_bucket(evidence.duration_days)
        factor *= np.array([DURATION_GIVEN_ONSET[o][bucket] * 3 for o in ONSETS])[kb.onset_index]
    out = np.log(kb.prevalence) + np.log(np.maximum(factor, 1e-6))
    out[~feasible(kb, evidence)] = IMPOSSIBLE
    return out


def _pregnancy_factors(kb: KnowledgeBase, evidence: Evidence) -> np.ndarray:
    """The pregnancy multiplier per condition (pregnancy-only conditions scaled by how likely a
    pregnancy is; ``pregnant: {yes: x}`` boosts for a known pregnancy)."""
    kind = kb.pregnancy_kind
    required, possible = kind == "required", kind == "possible"
    if evidence.pregnant is True:
        return kb.pregnant_factors * np.where(required | possible, 2.0, 1.0)
    if not _could_be_pregnant(evidence):
        return np.where(required | possible, 0.0, 1.0)
    if evidence.pregnant is False:
        return np.where(required, 0.0, np.where(possible, 0.1, 1.0))
    return np.where(required, UNKNOWN_PREGNANCY_PRIOR, np.where(possible, 0.3, 1.0))


def duration_bucket(days: float) -> int:
    if days < DURATION_EDGES[0]:
        return 0
    return 1 if days <= DURATION_EDGES[1] else 2
