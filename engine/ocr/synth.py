"""Synthetic medical documents with ground truth, for training the classifier and evaluating OCR.

Renders prescriptions, lab reports, imaging reports, discharge summaries and other papers (receipts,
certificates, vaccination cards, pharmacy bills) in the styles seen in Indian clinics: brand names,
``1-0-1`` schedules, Hindi/Punjabi instruction lines, lab tables. ``generate(seed)`` is deterministic;
the training set and the held-out set use disjoint seed prefixes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from engine.meds.frequency import parse_duration, parse_frequency, parse_instructions
from engine.meds.kb import load as load_kb
from engine.ocr import degrade
from engine.ocr.labs import compute_flag, load_ranges
from engine.ocr.render import Cell, render_page

DOC_TYPES = ("prescription", "lab_report", "imaging", "discharge_summary", "other")
TRAIN_PREFIX, HELDOUT_PREFIX = "train", "heldout"

CLINICS = ["Shree Sai Clinic", "Guru Nanak Charitable Hospital", "Jeevan Jyoti Nursing Home", "City Care Clinic",
           "Arogya Health Centre", "Community Health Centre, Nabha", "Primary Health Centre, Sitapur",
           "Sanjivani Hospital", "Family Health Clinic", "Civil Hospital, Bathinda", "Shanti Multispeciality Hospital",
           "Lifeline Clinic", "Sehat Polyclinic", "Mata Kaushalya Hospital"]
DOCTORS = ["Dr. R. K. Sharma, MBBS, MD (Medicine)", "Dr. Harpreet Kaur, MBBS, DGO", "Dr. Anil Gupta, MBBS",
           "Dr. Simran Gill, MD (Paediatrics)", "Dr. S. Verma, MBBS, MS", "Dr. Meena Yadav, MBBS",
           "Dr. Gurpreet Singh Sandhu, MD", "Dr. A. K. Mishra, MBBS, DNB", "Dr. Neha Bansal, MBBS, MD"]
PATIENTS = ["Ramesh Kumar", "Sunita Devi", "Gurmeet Singh", "Parveen Kaur", "Mohd. Salim", "Anita Sharma",
            "Baldev Raj", "Kamla Devi", "Jaswinder Kaur", "Rajesh Yadav", "Pooja Verma", "Harjit Singh",
            "Geeta Rani", "Suresh Pal", "Manpreet Kaur", "Rakesh Gupta"]
DIAGNOSES = {
    "Viral fever": ["Dolo 650", "Calpol 650", "Crocin", "Cetzine", "Pan 40", "Levocet", "Paracetamol"],
    "URTI": ["Azithral 500", "Augmentin 625", "Montair LC", "Ascoril LS", "Dolo 650", "Allegra", "Cefixime"],
    "Acute gastroenteritis": ["Electral", "Zinconia", "Ondem", "Oflox OZ", "Pantocid", "Redotil", "Metrogyl",
                              "Vizylac"],
    "Hypertension": ["Telma 40", "Amlokind", "Telma H", "Met XL 50", "Ecosprin", "Atorva 20", "Losar"],
    "Type 2 Diabetes Mellitus": ["Glycomet 500", "Janumet", "Glimestar M", "Amaryl 2", "Galvus Met", "Ecosprin",
                                 "Rosuvas", "Metformin"],
    "UTI": ["Ciplox 500", "Norflox TZ", "Martifur", "Taxim-O", "Cyclopam", "K-Cit"],
    "Allergic rhinitis": ["Allegra 180", "Montair LC", "Flomist", "Levocet", "Otrivin"],
    "Acid peptic disease": ["Pan D", "Rantac", "Digene", "Nexpro RD", "Razo D", "Sucrafil"],
    "Hypothyroidism": ["Thyronorm 50", "Shelcal", "Eltroxin"],
    "Anaemia": ["Orofer XT", "Livogen", "Folvite", "Becosules", "Zincovit"],
    "Osteoarthritis knee": ["Zerodol P", "Shelcal 500", "Calcirol", "Ultracet", "Volini", "Pan 40"],
    "Bronchial asthma": ["Asthalin", "Foracort", "Montair", "Budecort", "Wysolone"],
    "Skin infection": ["Augmentin 625", "T-Bact", "Cetzine", "Candid", "Fluconazole"],
}
FORM_WORD = {"tablet": ["Tab", "Tab.", "TAB"], "capsule": ["Cap", "Cap.", "CAP"], "syrup": ["Syp", "Syp."],
             "injection": ["Inj", "Inj."], "inhaler": ["Inhaler"], "sachet": ["Sachet"], "cream": ["Oint", "Cream"],
             "gel": ["Gel"], "ointment": ["Oint"], "nasal spray": ["Nasal spray"], "eye drops": ["Eye drops"]}
FREQ_NOTATIONS = {
    1: ["1-0-0", "0-0-1", "OD", "once daily", "once a day", "din me ek baar", "दिन में एक बार", "ਦਿਨ ਵਿੱਚ ਇੱਕ ਵਾਰ",
        "HS", "1-0-0", "0-1-0"],
    2: ["1-0-1", "1-0-1", "BD", "twice daily", "twice a day", "din me do baar", "दिन में दो बार", "ਦਿਨ ਵਿੱਚ ਦੋ ਵਾਰ",
        "B.D.", "1 - 0 - 1"],
    3: ["1-1-1", "1-1-1", "TDS", "thrice daily", "three times a day", "din me teen baar", "दिन में तीन बार",
        "ਦਿਨ ਵਿੱਚ ਤਿੰਨ ਵਾਰ"],
    4: ["QID", "1-1-1-1", "four times a day"],
    0: ["SOS", "SOS", "when required"],
}
DURATIONS = ["x {n} days", "{n} days", "for {n} days", "{n} din", "{n} दिन", "x {n}d", "{n}/7", "({n} days)",
             "{n} ਦਿਨ"]
INSTRUCTIONS = ["after food", "before food", "khane ke baad", "खाने के बाद", "खाने से पहले", "ਖਾਣੇ ਤੋਂ ਬਾਅਦ",
                "empty stomach", "", "", "after food"]
ADVICE_LINES = ["सलाह: खूब पानी पिएं और आराम करें", "ਸਲਾਹ: ਪਾਣੀ ਵੱਧ ਪੀਓ ਅਤੇ ਆਰਾਮ ਕਰੋ", "Advice: plenty of oral fluids, rest",
                "Avoid oily and spicy food", "तला हुआ खाना न खाएं", "Review after 5 days or SOS",
                "Check BP and sugar regularly", "ਦਵਾਈ ਸਮੇਂ ਸਿਰ ਲਓ", "दवा समय पर लें"]
LAB_PANELS = {
    "COMPLETE BLOOD COUNT (CBC)": ["haemoglobin", "tlc", "platelets", "esr"],
    "LIVER FUNCTION TEST (LFT)": ["bilirubin_total", "sgpt", "sgot", "alkaline_phosphatase", "albumin"],
    "KIDNEY FUNCTION TEST (KFT)": ["urea", "creatinine", "uric_acid", "sodium", "potassium"],
    "LIPID PROFILE": ["total_cholesterol", "triglycerides", "hdl", "ldl"],
    "BLOOD SUGAR": ["fasting_glucose", "pp_glucose", "hba1c"],
    "THYROID & VITAMINS": ["tsh", "vitamin_d", "vitamin_b12", "calcium"],
}
LAB_LABELS = {"haemoglobin": ["Haemoglobin", "Hemoglobin (Hb)", "HAEMOGLOBIN"], "tlc": ["Total Leucocyte Count",
              "TLC", "WBC Count"], "platelets": ["Platelet Count", "Platelets"], "esr": ["ESR"],
              "bilirubin_total": ["Total Bilirubin", "Bilirubin Total"], "sgpt": ["SGPT", "SGPT (ALT)"],
              "sgot": ["SGOT", "SGOT (AST)"], "alkaline_phosphatase": ["Alkaline Phosphatase"],
              "albumin": ["Albumin", "Serum Albumin"], "urea": ["Blood Urea", "Urea"],
              "creatinine": ["Serum Creatinine", "Creatinine"], "uric_acid": ["Uric Acid", "Serum Uric Acid"],
              "sodium": ["Sodium", "Serum Sodium"], "potassium": ["Potassium", "Serum Potassium"],
              "total_cholesterol": ["Total Cholesterol", "Serum Cholesterol"], "triglycerides": ["Triglycerides"],
              "hdl": ["HDL Cholesterol"], "ldl": ["LDL Cholesterol"], "fasting_glucose": ["Fasting Blood Sugar",
              "Glucose Fasting", "FBS"], "pp_glucose": ["Post Prandial Blood Sugar", "PPBS"],
              "hba1c": ["HbA1c", "Glycated Haemoglobin"], "tsh": ["TSH"], "vitamin_d": ["Vitamin D"],
              "vitamin_b12": ["Vitamin B12"], "calcium": ["Serum Calcium", "Calcium"]}
IMAGING = {
    "X-RAY CHEST PA VIEW": ["Both lung fields are clear.", "Cardiac shadow is within normal limits.",
                            "Costophrenic angles are clear.", "Mild haziness in right lower zone."],
    "USG WHOLE ABDOMEN": ["Liver is normal in size with increased echotexture.", "Gall bladder is well distended.",
                          "Both kidneys are normal in size and echotexture.", "No free fluid in abdomen."],
    "CT SCAN HEAD (PLAIN)": ["No intracranial haemorrhage.", "Ventricles are normal in size.",
                             "No midline shift.", "Grey-white matter differentiation is maintained."],
    "MRI LUMBAR SPINE": ["Disc bulge at L4-L5 level.", "Mild narrowing of spinal canal.",
                         "Vertebral bodies show normal height.", "No cord compression."],
    "USG OBSTETRIC": ["Single live intrauterine foetus.", "Cardiac activity present.", "Placenta is posterior.",
                      "Liquor is adequate."],
}
IMPRESSIONS = ["Grade I fatty liver.", "No significant abnormality detected.", "Right lower zone pneumonitis.",
               "Lumbar spondylosis.", "Normal study.", "Single live foetus of 24 weeks."]


@dataclass
class SynthDoc:
    """A generated document: clean page lines, ground truth and the seed that made it."""

    seed: str
    doc_type: str
    lines: list[list[Cell]]
    face: str
    size: int
    truth: dict[str, Any] = field(default_factory=dict)

    def page(self):
        return render_page(self.lines, self.face, self.size)

    def photo(self, level: float = 1.0, long_side: int = 1600) -> bytes:
        return degrade.photograph(self.page(), random.Random(f"{self.seed}/photo"), level, long_side)


def _header(rng: random.Random, title: str | None = None) -> list[list[Cell]]:
    age, sex = rng.randint(3, 82), rng.choice(["M", "F"])
    lines = [[Cell(rng.choice(CLINICS), x=rng.randint(70, 300), bold=True)],
             [Cell(f"Ph: 98{rng.randint(10000000, 99999999)}   Reg. No. PMC/{rng.randint(1000, 99999)}")]]
    if title:
        lines += [[], [Cell(title, x=rng.randint(250, 420), bold=True)]]
    lines += [[],
              [Cell(f"Name: {rng.choice(PATIENTS)}"), Cell(f"Age/Sex: {age}/{sex}", x=780)],
              [Cell(f"Date: {rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/202{rng.randint(3, 6)}")], []]
    return lines


def _brand_or_generic(rng: random.Random, pool: list[str]):
    kb = load_kb()
    choice = rng.choice(pool) if rng.random() < 0.75 else rng.choice(kb.brands).name
    brand = kb.brands_by_name.get(choice.lower())
    if brand is None:
        for b in kb.brands:
            if b.name.lower() == choice.lower():
                brand = b
                break
    if brand is not None:
        return brand.name, list(brand.generics), brand.form, ""
    generic = kb.generic(choice) or choice.lower()
    return choice, [generic], "tablet", rng.choice(["500 mg", "250 mg", "200 mg", "40 mg"])


def _med_lines(rng: random.Random, pool: list[str], count: int) -> tuple[list[list[Cell]], list[dict]]:
    lines: list[list[Cell]] = []
    truth: list[dict] = []
    layout = rng.choice(["one", "two", "table"])
    if layout == "table":
        lines.append([Cell("Medicine", x=70, bold=True), Cell("Dose", x=560, bold=True),
                      Cell("Duration", x=800, bold=True), Cell("Remarks", x=1000, bold=True)])
    used: set[str] = set()
    for n in range(1, count + 1):
        name, generics, form, strength = _brand_or_generic(rng, pool)
        if name in used:
            continue
        used.add(name)
        times = rng.choice([1, 2, 2, 3, 1, 2, 3, 0, 4]) if form in ("tablet", "capsule", "syrup") else rng.choice([1, 2])
        freq_text = rng.choice(FREQ_NOTATIONS[times])
        days = rng.choice([3, 5, 5, 7, 10, 14, 15, 30])
        dur_text = rng.choice(DURATIONS).format(n=days) if rng.random() < 0.85 else ""
        instr_text = rng.choice(INSTRUCTIONS)
        form_word = rng.choice(FORM_WORD.get(form, [""]))
        drug = f"{form_word} {name} {strength}".strip()
        if layout == "one":
            lines.append([Cell(f"{n}. {drug}"), Cell(freq_text, x=620), Cell(dur_text, x=820),
                          Cell(instr_text, x=990)])
        elif layout == "two":
            lines.append([Cell(f"{n}. {drug}", bold=rng.random() < 0.4)])
            lines.append([Cell(" — ".join(t for t in (freq_text, dur_text, instr_text) if t), x=130)])
        else:
            lines.append([Cell(drug, x=70), Cell(freq_text, x=560), Cell(dur_text, x=800),
                          Cell(instr_text, x=1000)])
        freq = parse_frequency(freq_text)
        truth.append({"name": name, "generic": "+".join(generics),
                      "frequency": freq.canonical if freq else None,
                      "times_per_day": freq.times_per_day if freq else None,
                      "duration_days": parse_duration(dur_text) if dur_text else None,
                      "instructions": parse_instructions(instr_text) if instr_text else None})
    return lines, truth


def _prescription(rng: random.Random) -> tuple[list[list[Cell]], dict]:
    diagnosis = rng.choice(list(DIAGNOSES))
    lines = [[Cell(rng.choice(DOCTORS), bold=True)]] + _header(rng)
    lines += [[Cell(f"C/O: {rng.choice(['fever', 'cough', 'body ache', 'burning urine', 'loose motions', 'weakness'])}"
                    f" since {rng.randint(2, 10)} days")],
              [Cell(f"Diagnosis: {diagnosis}")], [Cell("Rx", bold=True)]]
    med_lines, meds = _med_lines(rng, DIAGNOSES[diagnosis], rng.randint(2, 5))
    lines += med_lines + [[]]
    lines += [[Cell(a)] for a in rng.sample(ADVICE_LINES, rng.randint(1, 3))]
    lines += [[], [Cell("Signature", x=900)]]
    return lines, {"medications": meds, "lab_results": []}


def _lab_value(rng: random.Random, spec: dict, sex: str, age: int) -> tuple[float, float, float]:
    low, high = _range_for(spec, sex, age)
    span = (high - low) or high or 1.0
    roll = rng.random()
    floor = max(low, spec["plausible"][0] * 1.5)  # "0 - 200" ranges: keep normal values physiological
    if roll < 0.55:
        value = rng.uniform(floor + 0.05 * span, high - 0.05 * span)
    elif roll < 0.8:
        value = rng.uniform(high + 0.05 * span, high + 0.8 * span)
    else:
        value = rng.uniform(max(low * 0.4, spec["plausible"][0]), low - 0.05 * span) if low > 0 else high * 0.5
    return value, low, high


def _range_for(spec: dict, sex: str, age: int) -> tuple[float, float]:
    for r in spec["ranges"]:
        if r["sex"] in (sex, "any") and age <= r.get("max_age", 200) and age >= r.get("min_age", 0):
            return float(r["low"]), float(r["high"])
    r = spec["ranges"][-1]
    return float(r["low"]), float(r["high"])


def _fmt(value: float, ref: float) -> str:
    if ref >= 1000:
        return f"{round(value, -2):.0f}"
    if ref >= 20:
        return f"{value:.0f}"
    return f"{value:.1f}" if ref >= 2 else f"{value:.2f}"


def _lab_report(rng: random.Random) -> tuple[list[list[Cell]], dict]:
    ranges = load_ranges()
    sex, age = rng.choice(["m", "f"]), rng.randint(18, 80)
    lines = _header(rng, rng.choice(["DEPARTMENT OF PATHOLOGY", "LABORATORY REPORT", "TEST REPORT"]))
    show_flag = rng.random() < 0.5
    lines.append([Cell("Test", x=70, bold=True), Cell("Result", x=540, bold=True), Cell("Unit", x=720, bold=True),
                  Cell("Reference Range", x=900, bold=True)])
    results = []
    for panel in rng.sample(list(LAB_PANELS), rng.randint(1, 2)):
        lines += [[], [Cell(panel, bold=True)]]
        for key in LAB_PANELS[panel]:
            spec = ranges[key]
            value, low, high = _lab_value(rng, spec, sex, age)
            shown = _fmt(value, high)
            value = float(shown)
            flag = compute_flag(key, value, low, high)
            mark = {"low": " L", "high": " H", "critical": " *"}.get(flag, "") if show_flag else ""
            unit = spec["unit"]
            lines.append([Cell(rng.choice(LAB_LABELS[key]), x=70), Cell(f"{shown}{mark}", x=540),
                          Cell(unit, x=720), Cell(f"{_fmt(low, high)} - {_fmt(high, high)}", x=900)])
            results.append({"test": key, "value": value, "unit": unit, "ref_low": float(_fmt(low, high)),
                            "ref_high": float(_fmt(high, high)), "flag": flag})
    lines += [[], [Cell("*** End of Report ***", x=450)], [Cell("Pathologist", x=900)]]
    return lines, {"medications": [], "lab_results": results}


def _imaging(rng: random.Random) -> tuple[list[list[Cell]], dict]:
    study = rng.choice(list(IMAGING))
    lines = _header(rng, rng.choice(["RADIOLOGY REPORT", "DEPARTMENT OF RADIODIAGNOSIS", "IMAGING REPORT"]))
    lines += [[Cell(study, bold=True)], [], [Cell("FINDINGS:", bold=True)]]
    lines += [[Cell(s)] for s in rng.sample(IMAGING[study], rng.randint(3, 4))]
    lines += [[], [Cell("IMPRESSION:", bold=True)], [Cell(rng.choice(IMPRESSIONS))], [],
              [Cell("Kindly correlate clinically.")], [Cell("Radiologist", x=900)]]
    return lines, {"medications": [], "lab_results": []}


def _discharge(rng: random.Random) -> tuple[list[list[Cell]], dict]:
    diagnosis = rng.choice(list(DIAGNOSES))
    lines = _header(rng, "DISCHARGE SUMMARY")
    day = rng.randint(1, 20)
    lines += [[Cell(f"Date of Admission: {day:02d}/0{rng.randint(1, 9)}/2025"),
               Cell(f"Date of Discharge: {day + rng.randint(2, 7):02d}/0{rng.randint(1, 9)}/2025", x=650)],
              [Cell(f"Final Diagnosis: {diagnosis}")],
              [Cell("Course in hospital: patient was admitted, treated with IV fluids and antibiotics,")],
              [Cell("improved and is being discharged in stable condition.")], [],
              [Cell("Medications on discharge:", bold=True)]]
    med_lines, meds = _med_lines(rng, DIAGNOSES[diagnosis], rng.randint(2, 4))
    lines += med_lines + [[], [Cell(f"Follow up in OPD after {rng.choice([5, 7, 10, 15])} days.")],
                          [Cell("In case of emergency contact casualty.")], [Cell("Consultant", x=900)]]
    return lines, {"medications": meds, "lab_results": []}


def _other(rng: random.Random) -> tuple[list[list[Cell]], dict]:
    kind = rng.choice(["receipt", "certificate", "vaccination", "appointment", "invoice"])
    if kind == "receipt":
        lines = _header(rng, "RECEIPT") + [[Cell(f"Received with thanks Rs. {rng.randint(1, 20) * 50}/-")],
                                           [Cell("towards consultation / registration fee.")],
                                           [Cell("Payment mode: Cash / UPI")], [Cell("Cashier", x=900)]]
    elif kind == "certificate":
        lines = _header(rng, "MEDICAL CERTIFICATE") + [
            [Cell("This is to certify that the above named person was under my treatment")],
            [Cell(f"for {rng.randint(2, 10)} days and is now fit to resume duty.")],
            [Cell("Identification mark: mole on left cheek")], [Cell("Signature of Medical Officer", x=700)]]
    elif kind == "vaccination":
        lines = _header(rng, "IMMUNISATION CARD") + [
            [Cell("Vaccine", x=70, bold=True), Cell("Due date", x=500, bold=True), Cell("Given on", x=800, bold=True)]]
        for v in rng.sample(["BCG", "OPV-0", "Hepatitis B birth dose", "Pentavalent-1", "Rotavirus-1", "MR-1",
                             "DPT booster", "Vitamin A"], 5):
            lines.append([Cell(v, x=70), Cell(f"{rng.randint(1, 28):02d}/0{rng.randint(1, 9)}/2025", x=500),
                          Cell(f"{rng.randint(1, 28):02d}/0{rng.randint(1, 9)}/2025", x=800)])
    elif kind == "appointment":
        lines = _header(rng, "OPD REGISTRATION SLIP") + [
            [Cell(f"Token No. {rng.randint(1, 150)}"), Cell(f"Room No. {rng.randint(1, 30)}", x=600)],
            [Cell(f"Department: {rng.choice(['Medicine', 'Orthopaedics', 'Gynaecology', 'ENT', 'Eye'])}")],
            [Cell("Please bring this slip on every visit.")], [Cell("कृपया हर बार यह पर्ची साथ लाएँ")]]
    else:
        kb = load_kb()
        lines = _header(rng, "TAX INVOICE") + [[Cell("Item", x=70, bold=True), Cell("Batch", x=500, bold=True),
                                                 Cell("Qty", x=750, bold=True), Cell("Amount", x=950, bold=True)]]
        for b in rng.sample(kb.brands, 4):
            lines.append([Cell(b.name, x=70), Cell(f"B{rng.randint(1000, 9999)}", x=500),
                          Cell(str(rng.randint(1, 30)), x=750), Cell(f"{rng.randint(20, 900)}.00", x=950)])
        lines += [[], [Cell(f"Grand Total: Rs. {rng.randint(100, 3000)}.00", x=700)], [Cell("GSTIN: 03ABCDE1234F1Z5")]]
    return lines, {"medications": [], "lab_results": []}


BUILDERS = {"prescription": _prescription, "lab_report": _lab_report, "imaging": _imaging,
            "discharge_summary": _discharge, "other": _other}


def generate(seed: str, doc_type: str | None = None) -> SynthDoc:
    """One document for ``seed``; the type cycles through ``DOC_TYPES`` unless given."""
    rng = random.Random(seed)
    doc_type = doc_type or rng.choice(DOC_TYPES)
    lines, truth = BUILDERS[doc_type](rng)
    face = rng.choice(["sans", "serif", "sans", "condensed"])
    size = rng.randint(24, 30)
    text = "\n".join(" ".join(c.text for c in cells) for cells in lines)
    truth.update({"doc_type": doc_type, "text": text})
    return SynthDoc(seed, doc_type, lines, face, size, truth)


def dataset(prefix: str, per_class: int) -> list[SynthDoc]:
    """``per_class`` documents of each type, seeds ``{prefix}-{type}-{i}``."""
    return [generate(f"{prefix}-{t}-{i}", t) for t in DOC_TYPES for i in range(per_class)]
