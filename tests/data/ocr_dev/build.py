"""The OCR development set: documents written by hand as HTML, rendered by Chromium, photographed.

Why: the generator (``engine/ocr/synth.py``) is too close to the pipeline it tunes, and the independent set
(``tests/data/ocr_outside``) must never be tuned on (issue #17). This set is the one to look at while
fixing the reader: its own documents and styles (fonts, layouts and wording not used by either set),
photographed by the independent set's camera model (imported, not copied) with seeds of its own.

    .venv/bin/python tests/data/ocr_dev/build.py            # writes docs/*.html, docs/*.yml, photos/*.jpg
    .venv/bin/python tests/data/ocr_dev/score.py            # reads them and scores as the outside eval does

Fonts are those of Debian's fonts-roboto-unhinted fonts-open-sans fonts-lato fonts-dancingscript
fonts-crosextra-carlito fonts-crosextra-caladea fonts-sarai fonts-samyak-deva fonts-yrsa-rasa
fonts-sil-andika fonts-go fonts-urw-base35 (and, for the second batch, fonts-dkg-handwriting fonts-kaushanscript
fonts-comic-neue fonts-guru-extra fonts-deva-extra fonts-sahadeva), looked up under ``$FONT_ROOT`` (default ``/``) so they can
be unpacked anywhere with ``dpkg -x`` instead of installed.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DOCS, PHOTOS = HERE / "docs", HERE / "photos"
FONT_ROOT = Path(os.environ.get("FONT_ROOT", "/"))
FONTS = {  # family -> file under FONT_ROOT
    "Roboto": "usr/share/fonts/truetype/roboto/unhinted/RobotoTTF/Roboto-Regular.ttf",
    "OpenSans": "usr/share/fonts/truetype/open-sans/OpenSans-Regular.ttf",
    "Lato": "usr/share/fonts/truetype/lato/Lato-Regular.ttf",
    "Dancing": "usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf",
    "Carlito": "usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf",
    "Caladea": "usr/share/fonts/truetype/crosextra/Caladea-Regular.ttf",
    "Sarai": "usr/share/fonts/truetype/Sarai/Sarai.ttf",
    "Samyak": "usr/share/fonts/truetype/samyak/Samyak-Devanagari.ttf",
    "Yrsa": "usr/share/fonts/truetype/fonts-yrsa-rasa/Yrsa-Regular.ttf",
    "Andika": "usr/share/fonts/truetype/andika/Andika-Regular.ttf",
    "GoMono": "usr/share/fonts/fonts-go/Go-Mono.ttf",
    "Go": "usr/share/fonts/fonts-go/Go-Regular.ttf",
    "Nimbus": "usr/share/fonts/opentype/urw-base35/NimbusSans-Regular.otf",
    "C059": "usr/share/fonts/opentype/urw-base35/C059-Roman.otf",
    "Gothic": "usr/share/fonts/opentype/urw-base35/URWGothic-Book.otf",
    # second batch (ruled tables, handwriting, Hindi/Punjabi headers): fonts-dkg-handwriting
    # fonts-kaushanscript fonts-comic-neue fonts-guru-extra fonts-deva-extra fonts-sahadeva
    "Dkg": "usr/share/fonts/truetype/fifthhorseman/dkg.ttf",
    "Kaushan": "usr/share/fonts/opentype/kaushanscript/KaushanScript-Regular.otf",
    "Comic": "usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf",
    "Saab": "usr/share/fonts/truetype/fonts-guru-extra/Saab.ttf",
    "Kalimati": "usr/share/fonts/truetype/fonts-deva-extra/kalimati.ttf",
    "Sahadeva": "usr/share/fonts/truetype/Sahadeva/sahadeva.ttf",
}


def _css(font: str, size: int = 15, extra: str = "") -> str:
    faces = "".join(f"@font-face{{font-family:'{name}';src:url('{(Path('/') / path).as_uri()}');}}"
                    for name, path in FONTS.items())
    return (f"<style>{faces} body{{font-family:'{font}','Lohit Gurmukhi','Lohit Devanagari',sans-serif;"
            f"font-size:{size}px;width:760px;margin:0;padding:28px 34px;background:#fff;color:#1a1a1a}}"
            f"table{{border-collapse:collapse;width:100%}} td,th{{padding:4px 6px;text-align:left}}"
            f"h1,h2,h3{{margin:4px 0}} p{{margin:5px 0}} {extra}</style>")


def _table(header: list[str], rows: list[list[str]], border: bool | str = True) -> str:
    """``border``: True a thin grid, False dotted row lines, or a CSS border of its own (a heavy ruled grid)."""
    style = border if isinstance(border, str) else "border:1px solid #555" if border else "border-bottom:1px dotted #999"
    head = "".join(f"<th style='{style}'>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td style='{style}'>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def med(name: str, generic: str, frequency: str | None) -> dict:
    return {"name": name, "generic": generic, "frequency": frequency}


def lab(test: str, value: float, flag: str) -> dict:
    return {"test": test, "value": value, "flag": flag}


# Each document: id -> (html, gold). Written by hand: wording, layout and values are this set's own.
def documents() -> dict[str, tuple[str, dict]]:
    docs: dict[str, tuple[str, dict]] = {}

    docs["rx-hospital-opd"] = (_css("Roboto", 15, "th{background:#e8eef7}") + """
<h2 style='color:#123a7a'>CITY CIVIL HOSPITAL, BATHINDA</h2><p>Department of Medicine &middot; OPD No. 4471</p>
<hr><p>Name: Gurpreet Singh &nbsp;&nbsp; Age/Sex: 52 Y / M &nbsp;&nbsp; Date: 14/11/2026</p>
<p>C/O: fever with chills 3 days, body ache</p><h3>Rx</h3>""" + _table(
        ["#", "Medicine", "Dose", "Duration"],
        [["1", "Tab. Dolo 650", "1-1-1 after food", "5 days"],
         ["2", "Tab. Pan 40", "1-0-0 empty stomach", "7 days"],
         ["3", "Tab. Azithral 500", "1-0-0", "3 days"],
         ["4", "Tab. Cetzine", "0-0-1", "5 days"]]) + """
<p>Adv: plenty of oral fluids. Review after 5 days or earlier if breathless.</p>
<p style='text-align:right'>Dr. H. S. Brar, MD (Medicine)</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.4},
        "medications": [med("Dolo 650", "paracetamol", "1-1-1"), med("Pan 40", "pantoprazole", "1-0-0"),
                        med("Azithral 500", "azithromycin", "1-0-0"), med("Cetzine", "cetirizine", "0-0-1")]})

    docs["rx-clinic-lines"] = (_css("OpenSans", 16) + """
<div style='border-bottom:3px double #2b6'><h2>Sharma Family Clinic</h2>
<p>Dr. Neha Sharma, MBBS &nbsp;|&nbsp; Reg. No. PMC 33812 &nbsp;|&nbsp; Ph 98xxxxxx10</p></div>
<p>Patient: Sunita Devi, 34 F &nbsp;&nbsp; 02-12-2026</p><p>Complaints: burning in stomach, sour belching</p>
<p style='font-size:26px'>&#8478;</p>
<p>1. Tab Pantocid DSR &mdash; 1-0-0 before breakfast x 14 days</p>
<p>2. Syp Digene &mdash; 2 tsp TDS after meals</p>
<p>3. Tab Ondem 4 mg &mdash; SOS for vomiting</p>
<p>Avoid spicy and oily food. Follow up after 2 weeks.</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.5},
        "medications": [med("Pantocid DSR", "pantoprazole+domperidone", "1-0-0"),
                        med("Digene", "aluminium hydroxide+magnesium hydroxide+simethicone", "TDS"),
                        med("Ondem", "ondansetron", "SOS")]})

    docs["rx-handwritten-script"] = (_css("Dancing", 22) + """
<p style='font-family:Nimbus;font-size:15px'>Dr. Amit Verma &middot; Child &amp; General Physician &middot; Sangrur</p><hr>
<p>Ravi, 9 yrs, wt 26 kg &nbsp;&nbsp;&nbsp; 21/10/26</p><p>Cough, running nose x 4 days</p>
<p>Rx</p><p>Syp Ascoril LS 5 ml TDS x 5 days</p><p>Tab Montair LC 1 at night x 7 days</p>
<p>Tab Calpol 500 half SOS if fever</p><p>Steam inhalation twice daily</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.35},
        "medications": [med("Ascoril LS", "ambroxol+levosalbutamol+guaifenesin", "TDS"),
                        med("Montair LC", "montelukast+levocetirizine", "HS"),
                        med("Calpol", "paracetamol", "SOS")]})

    docs["rx-hindi-header"] = (_css("Lato", 16, "h2{font-family:Sarai}") + """
<h2>जन सेवा क्लिनिक</h2><p>डॉ. राजेश कुमार (एम.बी.बी.एस.) &nbsp; पंजीकरण 40912</p><hr>
<p>मरीज़: रामपाल, 61 वर्ष, पुरुष &nbsp;&nbsp; तारीख: 05/09/2026</p><p>शुगर और बीपी की जाँच</p><p><b>Rx</b></p>""" + _table(
        ["दवा", "कब लेनी है", "कितने दिन"],
        [["Tab Glycomet 500", "सुबह-शाम खाने के बाद", "30 दिन"],
         ["Tab Telma 40", "सुबह एक", "30 दिन"],
         ["Tab Atorva 10", "रात को", "30 दिन"]], border=False) + """
<p>नमक और मीठा कम करें। रोज़ 30 मिनट पैदल चलें।</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.45},
        "medications": [med("Glycomet 500", "metformin", "BD"), med("Telma 40", "telmisartan", "1-0-0"),
                        med("Atorva", "atorvastatin", "HS")]})

    docs["rx-punjabi-header"] = (_css("Carlito", 17) + """
<h2>ਗੁਰੂ ਨਾਨਕ ਕਲੀਨਿਕ, ਧੂਰੀ</h2><p>Dr. Manpreet Kaur, MBBS, DGO</p><hr>
<p>ਨਾਮ: ਜਸਵਿੰਦਰ ਕੌਰ &nbsp; 28 ਸਾਲ &nbsp; Date 11-08-2026</p><p>C/O weakness, pale, 5 months pregnant</p>
<p>Rx</p><p>1) Tab Orofer XT &nbsp; 0-1-0 &nbsp; after lunch &nbsp; 1 month</p>
<p>2) Tab Shelcal 500 &nbsp; 1-0-1 &nbsp; 1 month</p><p>3) Tab Folvite 5 mg &nbsp; OD &nbsp; 1 month</p>
<p>ਹਰ ਮਹੀਨੇ ਚੈੱਕਅੱਪ ਲਈ ਆਓ</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.5, "hand": True},
        "medications": [med("Orofer XT", "ferrous ascorbate+folic acid", "0-1-0"),
                        med("Shelcal 500", "calcium carbonate+cholecalciferol", "1-0-1"),
                        med("Folvite", "folic acid", "OD")]})

    docs["rx-typed-abbrev"] = (_css("GoMono", 15) + """
<p><b>LIFELINE MULTISPECIALITY HOSPITAL</b><br>Outpatient Prescription</p><p>==========================================</p>
<p>Patient : Harbans Lal &nbsp; 67/M &nbsp; UHID 220914</p><p>Diagnosis: Hypertension, dyslipidaemia</p>
<p>Rx</p><p>Tab Amlong 5mg &nbsp;&nbsp;&nbsp;&nbsp; OD &nbsp;&nbsp; x 30 days</p>
<p>Tab Ecosprin 75 &nbsp;&nbsp;&nbsp;&nbsp; OD after lunch x 30 days</p>
<p>Tab Rosuvas 10 &nbsp;&nbsp;&nbsp;&nbsp; HS &nbsp;&nbsp; x 30 days</p>
<p>Tab Concor 5 &nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; BD &nbsp;&nbsp; x 30 days</p><p>Next visit: 1 month with lipid profile</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.55, "shake": True},
        "medications": [med("Amlong", "amlodipine", "OD"), med("Ecosprin", "aspirin", "OD"),
                        med("Rosuvas", "rosuvastatin", "HS"), med("Concor", "bisoprolol", "BD")]})

    docs["rx-serif-antibiotic"] = (_css("Caladea", 16) + """
<h2 style='text-align:center'>Dr. S. K. Gill Nursing Home</h2><p style='text-align:center'>Barnala Road, Sangrur</p><hr>
<p>Mrs. Kamlesh, 45 yrs &nbsp;&nbsp; 30.10.2026</p><p>Burning micturition, fever 2 days</p><p><i>Rx</i></p>
<ol><li>Tab. Ciplox 500 &mdash; twice a day for 5 days</li><li>Tab. Crocin 650 &mdash; three times a day if fever</li>
<li>Tab. Rantac 150 &mdash; once daily before breakfast</li></ol><p>Drink 3 litres of water daily. Urine culture sent.</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.6},
        "medications": [med("Ciplox 500", "ciprofloxacin", "BD"), med("Crocin 650", "paracetamol", "TDS"),
                        med("Rantac", "ranitidine", "OD")]})

    docs["rx-andika-diabetes"] = (_css("Andika", 15) + """
<h3>Diabetes &amp; Thyroid Centre</h3><p>Dr. P. Arora, MD, DM (Endocrinology)</p><hr>
<p>Name: Kuldeep Kaur &nbsp; Age: 49 &nbsp; Sex: F &nbsp; Date: 19/11/2026</p><p>FBS 168, HbA1c 8.1</p><p>Rx</p>""" + _table(
        ["Drug", "Morning", "Afternoon", "Night", "Days"],
        [["Tab Glycomet GP 2", "1", "0", "1", "30"], ["Tab Januvia 100", "1", "0", "0", "30"],
         ["Tab Thyronorm 50", "1 (empty stomach)", "0", "0", "30"]]) + """
<p>Check sugar at home twice a week.</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.45},
        "medications": [med("Glycomet GP 2", "glimepiride+metformin", "1-0-1"), med("Januvia", "sitagliptin", "1-0-0"),
                        med("Thyronorm 50", "levothyroxine", "1-0-0")]})

    docs["lab-cbc-chain"] = (_css("Roboto", 14, "th{background:#222;color:#fff}") + """
<h2 style='color:#b00'>HEALTHPLUS DIAGNOSTICS</h2><p>NABL accredited laboratory &middot; Patiala</p>
<p>Patient: Baljit Singh &nbsp; Age/Sex: 38 Y/M &nbsp; Ref. by: Self &nbsp; Sample: 12/11/2026</p>
<h3>COMPLETE BLOOD COUNT</h3>""" + _table(
        ["Test", "Result", "Unit", "Biological Ref. Interval"],
        [["Haemoglobin", "11.2", "g/dL", "13.0 - 17.0"], ["Total Leucocyte Count", "12,600", "/cumm", "4000 - 11000"],
         ["Platelet Count", "2,35,000", "/cumm", "150000 - 410000"], ["ESR", "32", "mm/hr", "0 - 15"]]) + """
<p>*** End of report ***</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.45},
        "lab_results": [lab("haemoglobin", 11.2, "low"), lab("tlc", 12600, "high"), lab("platelets", 235000, "normal"),
                        lab("esr", 32, "high")]})

    docs["lab-biochem-plain"] = (_css("Lato", 15) + """
<h2>Arogya Pathology Lab</h2><p>Near Bus Stand, Malerkotla</p><hr>
<p>Name: Mohd. Aslam &nbsp;&nbsp; Age: 56 Years &nbsp;&nbsp; Sex: Male</p><h3>BIOCHEMISTRY</h3>""" + _table(
        ["Investigation", "Observed Value", "Units", "Reference Range"],
        [["Blood Sugar Fasting", "132", "mg/dL", "70 - 100"], ["Serum Creatinine", "1.1", "mg/dL", "0.7 - 1.3"],
         ["Blood Urea", "48", "mg/dL", "15 - 40"], ["Serum Uric Acid", "7.9", "mg/dL", "3.5 - 7.2"],
         ["HbA1c", "7.4", "%", "Up to 5.6"]], border=False) + """
<p>Checked by: Lab Technician &nbsp;&nbsp; Pathologist</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.4},
        "lab_results": [lab("fasting_glucose", 132, "high"), lab("creatinine", 1.1, "normal"), lab("urea", 48, "high"),
                        lab("uric_acid", 7.9, "high"), lab("hba1c", 7.4, "high")]})

    docs["lab-lipid-nimbus"] = (_css("Nimbus", 15) + """
<h2>SRL-style Reference Lab</h2><p>Collection Centre: Sunam</p>
<p>Patient Name: Rekha Rani &nbsp; Age: 47 Yrs &nbsp; Gender: Female</p><h3>LIPID PROFILE</h3>""" + _table(
        ["Test Name", "Result", "Unit", "Bio. Ref. Range"],
        [["Total Cholesterol", "236", "mg/dL", "&lt; 200"], ["Triglycerides", "190", "mg/dL", "&lt; 150"],
         ["HDL Cholesterol", "38", "mg/dL", "&gt; 50"], ["LDL Cholesterol", "160", "mg/dL", "&lt; 100"]]) + """
<p>Fasting 12 hours. Interpret with clinical findings.</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.5, "moire": True},
        "lab_results": [lab("total_cholesterol", 236, "high"), lab("triglycerides", 190, "high"), lab("hdl", 38, "low"),
                        lab("ldl", 160, "high")]})

    docs["lab-thyroid-mono"] = (_css("Go", 14) + """
<p><b>PUNJAB PATH LABS</b> &nbsp; Sample ID: 77120 &nbsp; Reported: 03/12/2026</p><hr>
<p>Patient: Simran &nbsp; 31 / F</p><p><b>THYROID &amp; VITAMINS</b></p>""" + _table(
        ["Parameter", "Value", "Units", "Normal Range"],
        [["TSH", "7.82", "uIU/mL", "0.4 - 4.5"], ["Vitamin D (25-OH)", "14.2", "ng/mL", "30 - 100"],
         ["Vitamin B12", "180", "pg/mL", "200 - 900"]], border=False) + """
<p>Values outside range are printed in bold on the original.</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.55},
        "lab_results": [lab("tsh", 7.82, "high"), lab("vitamin_d", 14.2, "low"), lab("vitamin_b12", 180, "low")]})

    docs["lab-hindi-header"] = (_css("Yrsa", 17, "h2{font-family:Samyak}") + """
<h2>सरकारी प्रयोगशाला, सामुदायिक स्वास्थ्य केंद्र</h2><p>जाँच रिपोर्ट</p><hr>
<p>नाम: कमला देवी &nbsp; आयु: 26 वर्ष &nbsp; लिंग: महिला</p>""" + _table(
        ["जाँच / Test", "परिणाम / Result", "इकाई / Unit", "सामान्य सीमा / Normal range"],
        [["Hemoglobin", "8.4", "g/dL", "12.0 - 15.5"], ["Random Blood Sugar", "96", "mg/dL", "70 - 140"],
         ["Platelet Count", "1.2", "lakh/cumm", "1.5 - 4.1"]]) + """
<p>हस्ताक्षर: प्रयोगशाला तकनीशियन</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.45},
        "lab_results": [lab("haemoglobin", 8.4, "low"), lab("random_glucose", 96, "normal"), lab("platelets", 1.2, "low")]})

    docs["lab-lft-flags"] = (_css("Carlito", 15) + """
<h2>Sukhmani Diagnostic Centre</h2><p>Patient: Jagtar Singh &nbsp; 44 Y / Male &nbsp; Sample: Serum</p>
<h3>LIVER FUNCTION TEST</h3>""" + _table(
        ["Test", "Result", "Flag", "Unit", "Reference"],
        [["Bilirubin Total", "2.4", "H", "mg/dL", "0.2 - 1.2"], ["SGPT (ALT)", "88", "H", "U/L", "0 - 40"],
         ["SGOT (AST)", "61", "H", "U/L", "0 - 40"], ["Alkaline Phosphatase", "110", "", "U/L", "40 - 130"],
         ["Albumin", "3.1", "L", "g/dL", "3.5 - 5.2"]]) + """
<p>Advised: repeat after 2 weeks.</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.5},
        "lab_results": [lab("bilirubin_total", 2.4, "high"), lab("sgpt", 88, "high"), lab("sgot", 61, "high"),
                        lab("alkaline_phosphatase", 110, "normal"), lab("albumin", 3.1, "low")]})

    docs["lab-electrolytes-c059"] = (_css("C059", 16) + """
<h2>Rajindra Hospital Laboratory</h2><p>Ward: Medicine &nbsp; Bed 12 &nbsp; Patient: Darshan Singh, 70 M</p><hr>""" + _table(
        ["Test", "Result", "Unit", "Ref. range"],
        [["Serum Sodium", "128", "mmol/L", "135 - 145"], ["Serum Potassium", "5.8", "mmol/L", "3.5 - 5.1"],
         ["Serum Calcium", "8.9", "mg/dL", "8.5 - 10.5"], ["Serum Creatinine", "2.6", "mg/dL", "0.7 - 1.3"]],
        border=False) + "<p>Reported by: Dr. A. Singla, Pathologist</p>", {
        "doc_type": "lab_report", "camera": {"severity": 0.6, "hand": True},
        "lab_results": [lab("sodium", 128, "low"), lab("potassium", 5.8, "high"), lab("calcium", 8.9, "normal"),
                        lab("creatinine", 2.6, "high")]})

    docs["discharge-gothic"] = (_css("Gothic", 15) + """
<h2>DISCHARGE SUMMARY</h2><p>Civil Hospital, Mansa &nbsp; IPD No 5521</p><hr>
<p>Name: Bhola Ram &nbsp; 58/M &nbsp; DOA: 01/11/2026 &nbsp; DOD: 06/11/2026</p>
<p>Diagnosis: Community acquired pneumonia</p><p>Course: treated with IV antibiotics, improved.</p>
<p><b>Medicines on discharge:</b></p><p>1. Tab Augmentin 625 &nbsp; 1-0-1 &nbsp; x 5 days</p>
<p>2. Tab Dolo 650 &nbsp; SOS</p><p>3. Tab Pan 40 &nbsp; 1-0-0 &nbsp; x 5 days</p><p>Review in medicine OPD after 1 week.</p>""", {
        "doc_type": "discharge_summary", "camera": {"severity": 0.5},
        "medications": [med("Augmentin 625", "amoxicillin+clavulanic acid", "1-0-1"),
                        med("Dolo 650", "paracetamol", "SOS"), med("Pan 40", "pantoprazole", "1-0-0")]})

    docs["xray-report"] = (_css("OpenSans", 15) + """
<h2>Department of Radiology</h2><p>Patient: Surjit Kaur, 63 F &nbsp; Exam: X-Ray Chest PA view</p><hr>
<p><b>Findings:</b> Both lung fields are clear. Cardiac size within normal limits. Costophrenic angles clear.</p>
<p><b>Impression:</b> No active lung lesion.</p><p>Dr. R. Mittal, MD (Radiodiagnosis)</p>""", {
        "doc_type": "imaging", "camera": {"severity": 0.4}})

    docs["pharmacy-bill"] = (_css("Roboto", 14) + """
<h3>Jai Ambe Medical Store</h3><p>GSTIN 03AAXXX1234Z1 &nbsp; Cash Memo No. 2291</p>""" + _table(
        ["Item", "Batch", "Qty", "Amount"],
        [["Dolo 650 Tab", "DL2211", "15", "30.00"], ["Pan 40 Tab", "P0912", "10", "112.00"]]) + """
<p>Total: Rs 142.00 &nbsp; Thank you</p>""", {"doc_type": "other", "camera": {"severity": 0.4}})
    docs.update(second_batch())
    docs.update(harsh_labs())
    docs.update(third_batch())
    return docs


def second_batch() -> dict[str, tuple[str, dict]]:
    """Written after the first 18 to cover what they found hard (issue #17): ruled grids whose lines touch
    the digits, schedule columns of single digits, "0-0-1" patterns, brand names in handwriting fonts,
    Hindi and Punjabi table headers."""
    docs: dict[str, tuple[str, dict]] = {}
    heavy = "border:2px solid #111"

    docs["rx-ruled-schedule-grid"] = (_css("Caladea", 16) + """
<h2>Shri Guru Harkrishan Charitable Dispensary</h2><p>Dr. Baldev Raj, MBBS &middot; Reg. 21877 &middot; Nabha</p><hr>
<p>Patient: Naseeb Kaur &nbsp; 58 F &nbsp; Date: 09/12/2026</p><p>Known diabetic, BP high today</p><p><b>Rx</b></p>""" + _table(
        ["S.No", "Medicine", "Morning", "Noon", "Night", "Days"],
        [["1", "Tab Gemer 1", "1", "0", "1", "30"], ["2", "Tab Telma H", "1", "0", "0", "30"],
         ["3", "Tab Rosuvas 10", "0", "0", "1", "30"], ["4", "Tab Pan D", "1", "0", "0", "15"]], heavy) + """
<p>Sugar fasting and PP after one month.</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.45},
        "medications": [med("Gemer 1", "glimepiride+metformin", "1-0-1"),
                        med("Telma H", "telmisartan+hydrochlorothiazide", "1-0-0"),
                        med("Rosuvas 10", "rosuvastatin", "0-0-1"), med("Pan D", "pantoprazole+domperidone", "1-0-0")]})

    docs["rx-handwritten-dkg"] = (_css("Dkg", 21) + """
<p style='font-family:Go;font-size:14px'>Dr. Karamjit Sandhu &middot; MD Medicine &middot; Moga &middot; Mon-Sat 9-2</p><hr>
<p>Balwinder Singh &nbsp; 45/M &nbsp;&nbsp; 03/12/26</p><p>Acidity, headache since 1 week</p><p>Rx</p>
<p>1. Tab Rablet 20 &nbsp; 1-0-0 &nbsp; before food x 10 days</p><p>2. Tab Combiflam &nbsp; 1-0-1 &nbsp; x 3 days</p>
<p>3. Tab Fexova 120 &nbsp; 0-0-1 &nbsp; x 5 days</p><p>Review SOS</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.4},
        "medications": [med("Rablet 20", "rabeprazole", "1-0-0"), med("Combiflam", "ibuprofen+paracetamol", "1-0-1"),
                        med("Fexova", "fexofenadine", "0-0-1")]})

    docs["rx-handwritten-kaushan"] = (_css("Kaushan", 22) + """
<p style='font-family:Lato;font-size:14px'>Dr. Ritu Goyal &middot; Gynae &amp; Obs &middot; Kotkapura</p><hr>
<p>Mrs. Parminder &nbsp; 29 yrs &nbsp; 7 months pregnancy</p><p>Rx</p><p>Tab Cipcal 500 &nbsp; 1-0-1</p>
<p>Tab Orofer XT &nbsp; 0-1-0 after lunch</p><p>Tab Emeset 4 &nbsp; SOS for vomiting</p><p>Plenty of water, rest.</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.35},
        "medications": [med("Cipcal 500", "calcium carbonate+cholecalciferol", "1-0-1"),
                        med("Orofer XT", "ferrous ascorbate+folic acid", "0-1-0"), med("Emeset", "ondansetron", "SOS")]})

    docs["rx-comic-clinic"] = (_css("Comic", 16) + """
<h2>Bachpan Child Clinic</h2><p>Dr. Aman Bansal, MD Paediatrics &middot; Rampura Phul</p><hr>
<p>Baby Gurnoor, 6 years, 19 kg &nbsp;&nbsp; 28-11-2026</p><p>Loose motions 2 days, mild fever</p><p>Rx</p>
<p>1. ORS (Walyte) &mdash; after every loose stool</p><p>2. Syp Enterogermina &mdash; 1 vial BD x 5 days</p>
<p>3. Syp Calpol &mdash; 7 ml SOS if temp above 100 F</p><p>4. Tab Zinc DT 10 mg &mdash; 1-0-0 x 14 days</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.5},
        "medications": [med("Enterogermina", "probiotic", "BD"), med("Calpol", "paracetamol", "SOS"),
                        med("Zinc DT", "zinc sulphate", "1-0-0")]})

    docs["rx-punjabi-table"] = (_css("Roboto", 15, "th{font-family:Saab}") + """
<h2 style='font-family:Saab'>ਸਰਕਾਰੀ ਡਿਸਪੈਂਸਰੀ, ਭਦੌੜ</h2><p>Dr. Harjeet Singh, MBBS</p><hr>
<p>ਨਾਮ: ਗੁਰਮੇਲ ਸਿੰਘ &nbsp; ਉਮਰ 66 &nbsp; Date 17/11/2026</p><p>BP, joint pain</p>""" + _table(
        ["ਦਵਾਈ", "ਸਵੇਰੇ", "ਦੁਪਹਿਰ", "ਰਾਤ", "ਦਿਨ"],
        [["Tab Amlodac 5", "1", "0", "0", "30"], ["Tab Voveran 50", "1", "0", "1", "5"],
         ["Tab Pantodac 40", "1", "0", "0", "5"]]) + """
<p style='font-family:Saab'>ਖਾਣੇ ਤੋਂ ਬਾਅਦ ਦਵਾਈ ਲਓ</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.45},
        "medications": [med("Amlodac 5", "amlodipine", "1-0-0"), med("Voveran 50", "diclofenac", "1-0-1"),
                        med("Pantodac 40", "pantoprazole", "1-0-0")]})

    docs["rx-hindi-govt"] = (_css("Nimbus", 16, "h2,.hi{font-family:Kalimati}") + """
<h2>प्राथमिक स्वास्थ्य केंद्र, रतिया</h2><p class='hi'>बाह्य रोगी पर्ची</p><hr>
<p>नाम: सुरेश कुमार &nbsp; आयु 40 &nbsp; 12/10/2026</p><p class='hi'>खाँसी और बुखार</p><p>Rx</p>
<p>Cap Novamox 500 &nbsp; <span class='hi'>दिन में तीन बार</span> &nbsp; 5 दिन</p>
<p>Tab Pacimol 650 &nbsp; <span class='hi'>ज़रूरत पड़ने पर</span></p><p>Syp Corex DX &nbsp; 10 ml <span class='hi'>रात को</span></p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.5, "hand": True},
        "medications": [med("Novamox 500", "amoxicillin", "TDS"), med("Pacimol 650", "paracetamol", "SOS"),
                        med("Corex DX", "dextromethorphan+chlorpheniramine", "HS")]})

    docs["rx-dotted-typed"] = (_css("GoMono", 14) + """
<p><b>ARORA NURSING HOME</b> &nbsp; Faridkot</p><p>------------------------------------------------</p>
<p>Pt: Raj Rani &nbsp; 71/F &nbsp; Wt 58 kg</p><p>Dx: UTI, T2DM</p><p>Rx</p>
<p>Tab Taxim-O 200 &nbsp;&nbsp; 1.0.1 &nbsp;&nbsp; x 7 days</p><p>Tab Glimestar M &nbsp;&nbsp; 1.0.0 &nbsp;&nbsp; x 30 days</p>
<p>Syp K-Cit &nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; 1.1.1 &nbsp;&nbsp; x 7 days</p><p>Tab Drotin &nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; SOS for pain</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.5},
        "medications": [med("Taxim-O", "cefixime", "1-0-1"), med("Glimestar M", "glimepiride+metformin", "1-0-0"),
                        med("K-Cit", "potassium citrate", "1-1-1"), med("Drotin", "drotaverine", "SOS")]})

    docs["lab-ruled-cbc"] = (_css("OpenSans", 14) + """
<h2>LIFECARE PATHOLOGY</h2><p>Opp. Civil Hospital, Fazilka &middot; Ph 01638-xxxxx</p>
<p>Name: Sukhdev Singh &nbsp; Age: 62 Y &nbsp; Sex: M &nbsp; Date: 02/12/2026</p><h3>HAEMATOLOGY</h3>""" + _table(
        ["Test", "Result", "Unit", "Reference Range"],
        [["Hemoglobin", "10.4", "g/dL", "13.0 - 17.0"], ["Total Leucocyte Count", "6800", "/cumm", "4000 - 11000"],
         ["Platelet Count", "98000", "/cumm", "150000 - 410000"], ["ESR", "48", "mm/hr", "0 - 20"]], heavy) + """
<p>Peripheral smear: normocytic normochromic.</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.45},
        "lab_results": [lab("haemoglobin", 10.4, "low"), lab("tlc", 6800, "normal"), lab("platelets", 98000, "low"),
                        lab("esr", 48, "high")]})

    docs["lab-ruled-kft"] = (_css("C059", 15) + """
<h2>Guru Kripa Diagnostics</h2><p>Patient: Jaswant Rai &nbsp; 67 Years / Male &nbsp; Ref: Dr. Mittal</p>
<h3>KIDNEY FUNCTION TEST</h3>""" + _table(
        ["Investigation", "Result", "Flag", "Units", "Biological Ref. Interval"],
        [["Blood Urea", "82", "H", "mg/dL", "15 - 45"], ["Serum Creatinine", "2.1", "H", "mg/dL", "0.6 - 1.2"],
         ["Serum Uric Acid", "6.1", "", "mg/dL", "3.5 - 7.2"], ["Serum Sodium", "131", "L", "mmol/L", "135 - 145"],
         ["Serum Potassium", "4.6", "", "mmol/L", "3.5 - 5.1"]], heavy) + """
<p>*** End of Report ***</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.5},
        "lab_results": [lab("urea", 82, "high"), lab("creatinine", 2.1, "high"), lab("uric_acid", 6.1, "normal"),
                        lab("sodium", 131, "low"), lab("potassium", 4.6, "normal")]})

    docs["lab-punjabi-header"] = (_css("Lato", 15, "h2,th{font-family:Saab}") + """
<h2>ਕਮਿਊਨਿਟੀ ਸਿਹਤ ਕੇਂਦਰ ਲੈਬ, ਮਹਿਲ ਕਲਾਂ</h2><p>Patient: Amarjit Kaur &nbsp; 52 F &nbsp; 21/11/2026</p>""" + _table(
        ["ਟੈਸਟ", "ਨਤੀਜਾ", "ਇਕਾਈ", "ਹਵਾਲਾ ਸੀਮਾ"],
        [["Fasting Blood Sugar", "156", "mg/dL", "70 - 110"], ["HbA1c", "8.2", "%", "4.0 - 6.0"],
         ["Total Cholesterol", "212", "mg/dL", "&lt; 200"], ["TSH", "2.1", "uIU/mL", "0.4 - 4.5"]]) + """
<p>Lab Incharge</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.45},
        "lab_results": [lab("fasting_glucose", 156, "high"), lab("hba1c", 8.2, "high"),
                        lab("total_cholesterol", 212, "high"), lab("tsh", 2.1, "normal")]})

    docs["lab-hindi-ruled"] = (_css("Carlito", 16, "h2,.hi{font-family:Sahadeva}") + """
<h2>जिला अस्पताल प्रयोगशाला, सिरसा</h2><p class='hi'>जाँच रिपोर्ट</p>
<p>Name: Bimla Devi &nbsp; Age: 34 &nbsp; Sex: Female</p>""" + _table(
        ["जाँच", "परिणाम", "इकाई", "सामान्य सीमा"],
        [["Haemoglobin", "9.1", "g/dL", "12.0 - 15.0"], ["Random Blood Sugar", "188", "mg/dL", "70 - 140"],
         ["Serum Bilirubin Total", "0.8", "mg/dL", "0.2 - 1.2"], ["SGPT", "26", "U/L", "0 - 40"]], heavy) + """
<p class='hi'>हस्ताक्षर</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.5},
        "lab_results": [lab("haemoglobin", 9.1, "low"), lab("random_glucose", 188, "high"),
                        lab("bilirubin_total", 0.8, "normal"), lab("sgpt", 26, "normal")]})

    docs["lab-handwritten-slip"] = (_css("Dkg", 22) + """
<p style='font-family:Roboto;font-size:14px'><b>Sidhu Clinical Lab</b> &middot; Rampura</p><hr>
<p>Name: Gurdev &nbsp; 55 M</p><p>Blood Sugar Fasting &nbsp;&nbsp; 142 mg/dL &nbsp;&nbsp; (70 - 110)</p>
<p>Serum Creatinine &nbsp;&nbsp; 1.0 mg/dL &nbsp;&nbsp; (0.6 - 1.3)</p><p>Hemoglobin &nbsp;&nbsp; 13.8 g/dL &nbsp;&nbsp; (13 - 17)</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.35},
        "lab_results": [lab("fasting_glucose", 142, "high"), lab("creatinine", 1.0, "normal"),
                        lab("haemoglobin", 13.8, "normal")]})

    docs["lab-zebra-lipid"] = (_css("Roboto", 14, "tr:nth-child(even){background:#dde3ea}") + """
<h2 style='color:#0a5'>Wellness Diagnostics Pvt Ltd</h2><p>Patient: Vikram Bedi &nbsp; Age/Gender: 41/Male</p>
<h3>LIPID PROFILE</h3>""" + _table(
        ["Test Description", "Value(s)", "Unit", "Reference Range"],
        [["Cholesterol Total", "178", "mg/dL", "&lt; 200"], ["Triglycerides", "310", "mg/dL", "&lt; 150"],
         ["HDL Cholesterol", "34", "mg/dL", "&gt; 40"], ["LDL Cholesterol", "82", "mg/dL", "&lt; 100"]], border=False) + """
<p>Sample: Serum (fasting)</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.5, "moire": True},
        "lab_results": [lab("total_cholesterol", 178, "normal"), lab("triglycerides", 310, "high"), lab("hdl", 34, "low"),
                        lab("ldl", 82, "normal")]})

    docs["discharge-ruled-meds"] = (_css("Nimbus", 15) + """
<h2>Adesh Hospital &mdash; Discharge Summary</h2><p>IPD No 88213 &nbsp; DOA 20/11/2026 &nbsp; DOD 24/11/2026</p>
<p>Name: Kartar Singh &nbsp; 73/M</p><p>Diagnosis: Acute gastroenteritis with dehydration</p>
<p><b>Treatment advised on discharge</b></p>""" + _table(
        ["Medicine", "Dose", "Duration"],
        [["Tab Ciplox 500", "1-0-1", "5 days"], ["Cap Omez D", "1-0-0", "10 days"], ["Tab Emeset 4", "0-0-1", "3 days"]],
        heavy) + """<p>Follow up in OPD after 7 days.</p>""", {
        "doc_type": "discharge_summary", "camera": {"severity": 0.5},
        "medications": [med("Ciplox 500", "ciprofloxacin", "1-0-1"), med("Omez D", "omeprazole+domperidone", "1-0-0"),
                        med("Emeset 4", "ondansetron", "0-0-1")]})
    return docs


def harsh_labs() -> dict[str, tuple[str, dict]]:
    """Written for issue #17's lab side: lab reports photographed harshly (uneven light and a hand's
    shadow, perspective, shake, severity 0.7-0.85), in styles the first two batches lack (a chain lab's
    combined LFT+KFT, a medical college's biochemistry, a village clinic's slip, Hindi and Punjabi
    headers), with ranges in every printed form (``70 - 100``, ``70–100``, ``< 200``, ``> 40``,
    ``Up to 5.6``, ``M: 13-17 F: 12-15``), units present and absent, flags H, L and ``*``. Flags in the
    truth follow the printed range (the report's own), as a reader of the paper would."""
    docs: dict[str, tuple[str, dict]] = {}

    docs["lab-harsh-lft-kft-chain"] = (_css("OpenSans", 14, "th{background:#1d3d6b;color:#fff}") + """
<h2 style='color:#1d3d6b'>CARELINK DIAGNOSTICS</h2><p>Regional Processing Lab, Barnala &middot; NABL M-0918</p>
<p>Patient: Harbans Lal &nbsp; Age/Sex: 63 Y / M &nbsp; Ref: Dr. Goyal &nbsp; Collected: 04/12/2026</p>
<h3>LIVER &amp; KIDNEY PANEL</h3>""" + _table(
        ["Test", "Result", "Flag", "Unit", "Ref. Range"],
        [["Bilirubin Total", "1.9", "H", "mg/dL", "0.3 &ndash; 1.2"], ["SGPT (ALT)", "72", "H", "U/L", "Up to 40"],
         ["SGOT (AST)", "35", "", "U/L", "Up to 40"], ["Albumin", "3.2", "L", "g/dL", "3.5 &ndash; 5.0"],
         ["Blood Urea", "64", "H", "mg/dL", "15 &ndash; 40"], ["Serum Creatinine", "2.1", "H", "mg/dL", "0.7 &ndash; 1.3"],
         ["Uric Acid", "5.4", "", "mg/dL", "3.5 &ndash; 7.2"]]) + """
<p>*** End of Report *** &nbsp; Results relate only to the sample tested.</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.8, "hand": True},
        "lab_results": [lab("bilirubin_total", 1.9, "high"), lab("sgpt", 72, "high"), lab("sgot", 35, "normal"),
                        lab("albumin", 3.2, "low"), lab("urea", 64, "high"), lab("creatinine", 2.1, "high"),
                        lab("uric_acid", 5.4, "normal")]})

    docs["lab-harsh-college-biochem"] = (_css("Caladea", 15) + """
<h2>GURU GOBIND SINGH MEDICAL COLLEGE &amp; HOSPITAL</h2><p>Department of Biochemistry &middot; Faridkot</p><hr>
<p>CR No. 2026/88412 &nbsp; Name: Paramjit Kaur &nbsp; Age: 49 &nbsp; Sex: Female &nbsp; Ward: OPD</p>""" + _table(
        ["Investigation", "Result", "Units", "Biological Reference Interval"],
        [["Glucose Fasting", "118", "mg/dL", "70&ndash;100"], ["Serum Creatinine", "0.9", "mg/dL", "M: 0.7-1.3 F: 0.6-1.1"],
         ["Serum Uric Acid", "6.8", "mg/dL", "M: 3.5-7.2 F: 2.6-6.0"], ["Serum Calcium", "8.1", "mg/dL", "8.5&ndash;10.5"],
         ["Serum Potassium", "4.2", "mmol/L", "3.5&ndash;5.1"]], border=False) + """
<p>Verified by: Senior Resident, Biochemistry</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.75, "shake": True},
        "lab_results": [lab("fasting_glucose", 118, "high"), lab("creatinine", 0.9, "normal"),
                        lab("uric_acid", 6.8, "high"), lab("calcium", 8.1, "low"), lab("potassium", 4.2, "normal")]})

    docs["lab-harsh-village-cbc"] = (_css("Andika", 16) + """
<h2>Bhai Ghanaiya Ji Clinic &amp; Lab</h2><p>V.P.O. Bhucho Kalan &middot; Timings 8 am to 2 pm</p>
<p>Name: Kulwant Kaur &nbsp; 36 F &nbsp; 28/11/2026</p><p><b>Blood Examination</b></p>""" + _table(
        ["Test", "Result", "Normal Values"],
        [["Hb", "9.6 *", "M: 13-17 F: 12-15"], ["TLC", "7400", "4000 - 11000"], ["Platelets", "1,40,000 *", "1.5 - 4.1 lakh"],
         ["ESR", "38 *", "M: 0-15 F: 0-20"]], border="border:1px solid #777") + """
<p>* = outside normal range &nbsp;&nbsp; Lab Technician</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.8},
        "lab_results": [lab("haemoglobin", 9.6, "low"), lab("tlc", 7400, "normal"), lab("platelets", 140000, "low"),
                        lab("esr", 38, "high")]})

    docs["lab-harsh-hindi-lipid"] = (_css("Roboto", 15, "h2,.hi{font-family:Kalimati}") + """
<h2>आरोग्य पैथोलॉजी लैब, कैथल</h2><p class='hi'>लिपिड प्रोफ़ाइल रिपोर्ट</p>
<p>Name: Suresh Kumar &nbsp; Age/Sex: 58/M &nbsp; Date: 30/11/2026</p>""" + _table(
        ["जाँच / Test", "परिणाम / Result", "इकाई / Unit", "सामान्य सीमा / Normal range"],
        [["Total Cholesterol", "248", "mg/dL", "&lt; 200"], ["Triglycerides", "142", "mg/dL", "&lt; 150"],
         ["HDL Cholesterol", "36", "mg/dL", "&gt; 40"], ["LDL Cholesterol", "172", "mg/dL", "&lt; 100"]]) + """
<p class='hi'>रिपोर्ट डॉक्टर को दिखाएँ</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.75, "hand": True},
        "lab_results": [lab("total_cholesterol", 248, "high"), lab("triglycerides", 142, "normal"), lab("hdl", 36, "low"),
                        lab("ldl", 172, "high")]})

    docs["lab-harsh-punjabi-sugar"] = (_css("Lato", 16, "h2,th,.pa{font-family:Saab}") + """
<h2>ਸਰਕਾਰੀ ਹਸਪਤਾਲ ਲੈਬ, ਤਪਾ</h2><p class='pa'>ਜਾਂਚ ਰਿਪੋਰਟ</p>
<p>Patient: Gurnam Singh &nbsp; 61 / M &nbsp; 01/12/2026</p>""" + _table(
        ["ਟੈਸਟ", "ਨਤੀਜਾ", "ਇਕਾਈ", "ਹਵਾਲਾ ਸੀਮਾ"],
        [["Fasting Blood Sugar", "164", "mg/dL", "70 - 100"], ["Blood Sugar PP", "238", "mg/dL", "Up to 140"],
         ["HbA1c", "8.9", "%", "Up to 5.6"], ["Serum Creatinine", "1.2", "mg/dL", "0.7 - 1.3"]], border=False) + """
<p class='pa'>ਲੈਬ ਇੰਚਾਰਜ</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.8, "moire": True},
        "lab_results": [lab("fasting_glucose", 164, "high"), lab("pp_glucose", 238, "high"), lab("hba1c", 8.9, "high"),
                        lab("creatinine", 1.2, "normal")]})

    docs["lab-harsh-thyroid-vit"] = (_css("Carlito", 15, "th{border-bottom:2px solid #333}") + """
<h2>NATIONAL REFERENCE LABORATORY</h2><p>Patient Service Centre: Rampura Phul</p>
<p>Patient Name: Manjit Kaur &nbsp; Age: 42 Years &nbsp; Gender: Female</p><h3>SPECIAL CHEMISTRY</h3>""" + _table(
        ["Test Name", "Value", "Unit", "Reference Range"],
        [["TSH (Ultrasensitive)", "6.4", "uIU/mL", "0.4 &ndash; 4.5"], ["Vitamin D (25-OH)", "18.6", "ng/mL", "30 &ndash; 100"],
         ["Vitamin B12", "412", "pg/mL", "211 &ndash; 911"], ["Serum Calcium", "9.2", "mg/dL", "8.5 &ndash; 10.5"]],
        border=False) + """
<p>Method: CLIA. &nbsp; Kindly correlate clinically.</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.85, "shake": True},
        "lab_results": [lab("tsh", 6.4, "high"), lab("vitamin_d", 18.6, "low"), lab("vitamin_b12", 412, "normal"),
                        lab("calcium", 9.2, "normal")]})

    docs["lab-harsh-ward-nounits"] = (_css("Nimbus", 16) + """
<h2>Civil Hospital Laboratory, Malout</h2><p>Emergency ward sample &nbsp; Bed 7</p>
<p>Name: Joginder Pal &nbsp; 71 Years / Male</p><hr>""" + _table(
        ["Parameter", "Observed", "Normal"],
        [["Sodium", "129", "135 - 145"], ["Potassium", "5.6", "3.5 - 5.1"], ["Urea", "92", "15 - 40"],
         ["Creatinine", "3.4", "0.7 - 1.3"]], border=False) + """
<p>Units: mmol/L for electrolytes, mg/dL for others.</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.7, "hand": True},
        "lab_results": [lab("sodium", 129, "low"), lab("potassium", 5.6, "high"), lab("urea", 92, "high"),
                        lab("creatinine", 3.4, "high")]})

    docs["lab-harsh-plain-biochem"] = (_css("Roboto", 16) + """
<h2>Satguru Pathology</h2><p>Main Bazaar, Jaitu</p><hr>
<p>Patient: Resham Singh &nbsp; Age: 54 &nbsp; Sex: M</p><h3>BIOCHEMISTRY</h3>""" + _table(
        ["Test", "Result", "Unit", "Reference Range"],
        [["Fasting Blood Glucose", "141", "mg/dL", "70 - 100"], ["Total Cholesterol", "186", "mg/dL", "&lt; 200"],
         ["HDL Cholesterol", "38", "mg/dL", "&gt; 40"], ["Triglycerides", "212", "mg/dL", "&lt; 150"],
         ["Serum Creatinine", "2.1", "mg/dL", "0.7 - 1.3"]], border=False) + """
<p>Pathologist</p>""", {
        "doc_type": "lab_report", "camera": {"severity": 0.7},
        "lab_results": [lab("fasting_glucose", 141, "high"), lab("total_cholesterol", 186, "normal"), lab("hdl", 38, "low"),
                        lab("triglycerides", 212, "high"), lab("creatinine", 2.1, "high")]})
    return docs


def third_batch() -> dict[str, tuple[str, dict]]:
    """Written in session 14 for the prescription side of issue #17, in fonts every machine here has
    (DejaVu, Lohit) made to look written by hand: slanted, blue ink, lines tilted on a ruled notebook page;
    schedules in the notations of real Indian prescriptions (1–0–1 with en dashes, B.D./O.D./QID/HS/SOS,
    "subah-shaam", "raat ko", "khali pet", "रात को", "ज़रूरत पड़ने पर", "ਸਵੇਰੇ", "ਦਿਨ ਵਿੱਚ ਤਿੰਨ ਵਾਰ")."""
    docs: dict[str, tuple[str, dict]] = {}
    notebook = ("body{color:#1b2a8a;background:repeating-linear-gradient(#fff 0 33px,#b9c8e6 33px 34px)}"
                "p{margin:0;line-height:34px} .l1{transform:rotate(-1.2deg)} .l2{transform:rotate(0.8deg)}"
                " .l3{transform:rotate(-0.5deg) translateX(14px)}")

    docs["rx-oblique-notebook"] = (_css("DejaVu Sans", 19, "body{font-style:italic;letter-spacing:0.5px} " + notebook)
                                   + """
<p style='font-style:normal;color:#222;font-size:14px'>Dr. Sukhwinder Dhillon, MBBS &middot; Jaitu</p>
<p class='l2'>Kulwant Kaur 38/F &nbsp;&nbsp; 4/12/26</p><p class='l1'>Fever, throat pain 3 days</p><p>Rx</p>
<p class='l1'>Tab Augmentin 625 &nbsp;&nbsp; 1&ndash;0&ndash;1 &nbsp; x 5 days</p>
<p class='l3'>Tab Dolo 650 &nbsp;&nbsp; TDS after food x 3 days</p>
<p class='l2'>Tab Levocet &nbsp;&nbsp; HS x 5 days</p><p class='l1'>Warm saline gargles</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.45},
        "medications": [med("Augmentin 625", "amoxicillin+clavulanic acid", "1-0-1"),
                        med("Dolo 650", "paracetamol", "TDS"), med("Levocet", "levocetirizine", "HS")]})

    docs["rx-hinglish-notes"] = (_css("DejaVu Serif", 17, "body{font-style:italic}") + """
<h3 style='font-style:normal'>Sanjeevani Clinic, Budhlada</h3><p>Dr. Rakesh Garg, BAMS</p><hr>
<p>Naam: Bhagwan Dass &nbsp; 63 saal &nbsp; 26/11/2026</p><p>Sugar, pet mein jalan</p><p>Rx</p>
<p>1. Tab Glycomet 500 &mdash; subah-shaam khane ke baad &mdash; 1 mahina</p>
<p>2. Cap Omez &mdash; khali pet subah &mdash; 15 din</p>
<p>3. Syp Cremaffin &mdash; 2 chammach raat ko</p>
<p>4. Tab Cyclopam &mdash; din me teen baar, pet dard ho to</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.5, "hand": True},
        "medications": [med("Glycomet 500", "metformin", "BD"), med("Omez", "omeprazole", "1-0-0"),
                        med("Cremaffin", "liquid paraffin+milk of magnesia", "HS"),
                        med("Cyclopam", "dicyclomine+paracetamol", "TDS")]})

    docs["rx-hindi-instructions"] = (_css("DejaVu Sans", 16, ".hi{font-family:'Lohit Devanagari'}") + """
<h3 class='hi'>आरोग्य क्लिनिक, हिसार</h3><p>Dr. Vinod Saini, MBBS</p><hr>
<p>Patient: Santosh &nbsp; 44 F &nbsp; 18/11/2026</p><p class='hi'>खाँसी, साँस फूलना</p><p>Rx</p>""" + _table(
        ["Medicine", "<span class='hi'>कब लें</span>", "<span class='hi'>कितने दिन</span>"],
        [["Tab Deriphyllin", "<span class='hi'>सुबह-शाम खाने के बाद</span>", "<span class='hi'>10 दिन</span>"],
         ["Tab Montek LC", "<span class='hi'>रात को सोते समय</span>", "<span class='hi'>10 दिन</span>"],
         ["Syp Sinarest", "<span class='hi'>दिन में तीन बार</span>", "<span class='hi'>5 दिन</span>"],
         ["Asthalin inhaler", "<span class='hi'>ज़रूरत पड़ने पर</span>", ""]], border=False), {
        "doc_type": "prescription", "camera": {"severity": 0.45},
        "medications": [med("Deriphyllin", "theophylline+etofylline", "BD"),
                        med("Montek LC", "montelukast+levocetirizine", "HS"),
                        med("Sinarest", "paracetamol+phenylephrine+chlorpheniramine", "TDS"),
                        med("Asthalin", "salbutamol", "SOS")]})

    docs["rx-punjabi-instructions"] = (_css("DejaVu Sans", 16, ".pa{font-family:'Lohit Gurmukhi'}") + """
<h3 class='pa'>ਸਿਹਤ ਕਲੀਨਿਕ, ਤਪਾ</h3><p>Dr. Jasbir Kaur, MBBS, DGO</p><hr>
<p>Patient: Manjit Kaur &nbsp; 31 F &nbsp; 22/11/2026</p><p class='pa'>ਕਮਜ਼ੋਰੀ, ਪੇਟ ਦਰਦ</p><p>Rx</p>
<p>Tab Thyronorm 50 &nbsp;&nbsp; <span class='pa'>ਸਵੇਰੇ ਖਾਲੀ ਪੇਟ</span> &nbsp; 3 months</p>
<p>Tab Shelcal 500 &nbsp;&nbsp; <span class='pa'>ਸਵੇਰੇ-ਸ਼ਾਮ</span> &nbsp; 1 month</p>
<p>Tab Meftal Spas &nbsp;&nbsp; <span class='pa'>ਦਿਨ ਵਿੱਚ ਤਿੰਨ ਵਾਰ</span> &nbsp; 3 days</p>
<p>Tab Vomikind &nbsp;&nbsp; <span class='pa'>ਰਾਤ ਨੂੰ</span> &nbsp; 3 days</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.5},
        "medications": [med("Thyronorm 50", "levothyroxine", "1-0-0"),
                        med("Shelcal 500", "calcium carbonate+cholecalciferol", "BD"),
                        med("Meftal Spas", "mefenamic acid+dicyclomine", "TDS"), med("Vomikind", "ondansetron", "HS")]})

    docs["rx-condensed-abbrev"] = (_css("DejaVu Sans", 15, "body{font-stretch:condensed;font-family:'DejaVu Sans Condensed'}")
                                   + """
<p><b>MAX CARE HOSPITAL &middot; OPD</b> &nbsp; Mansa</p><p>Pt: Rajinder Pal &nbsp; 55/M &nbsp; Reg 55102</p>
<p>Dx: Acute bronchitis; GERD</p><p><b>Rx</b></p>
<p>1. Tab Azithral 500 &nbsp;&nbsp; O.D. &nbsp; x 3 days</p><p>2. Tab Razo D &nbsp;&nbsp; 1-0-0 before breakfast x 14 days</p>
<p>3. Tab Zerodol SP &nbsp;&nbsp; B.D. x 5 days</p><p>4. Syp Sinarest &nbsp;&nbsp; 5 ml QID</p>
<p>5. Tab Dolo 650 &nbsp;&nbsp; SOS</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.55, "shake": True},
        "medications": [med("Azithral 500", "azithromycin", "OD"), med("Razo D", "rabeprazole+domperidone", "1-0-0"),
                        med("Zerodol SP", "aceclofenac+paracetamol+serratiopeptidase", "BD"),
                        med("Sinarest", "paracetamol+phenylephrine+chlorpheniramine", "QID"),
                        med("Dolo 650", "paracetamol", "SOS")]})

    docs["rx-mono-slanted"] = (_css("DejaVu Sans Mono", 17, "p{transform:skewX(-12deg)} " + notebook) + """
<p style='transform:none;color:#222;font-size:14px'>Child Care Clinic &middot; Dr. Neeru Jindal, MD Paed</p>
<p class='l1'>Master Arjun, 4 yrs, 15 kg &nbsp; 1/12/26</p><p class='l2'>Loose stools 2 days</p><p>Rx</p>
<p class='l2'>ORS 1 packet in 1 litre water, after each stool</p><p class='l1'>Syp Sporlac &nbsp; 1-1-1 x 5 days</p>
<p class='l3'>Tab Zincovit &nbsp; 0-1-0 after lunch x 14 days</p><p class='l1'>Syp Eldoper &nbsp; 0-0-1 &nbsp; x 2 days</p>""", {
        "doc_type": "prescription", "camera": {"severity": 0.45, "moire": True},
        "medications": [med("Sporlac", "probiotic", "1-1-1"), med("Zincovit", "multivitamin+zinc sulphate", "0-1-0"),
                        med("Eldoper", "loperamide", "0-0-1")]})
    return docs


def _camera():
    spec = importlib.util.spec_from_file_location("outside_camera", HERE.parent / "ocr_outside" / "camera.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(ids: list[str]) -> int:
    camera = _camera()
    DOCS.mkdir(exist_ok=True)
    PHOTOS.mkdir(exist_ok=True)
    chosen = {k: v for k, v in documents().items() if not ids or k in ids}
    paths = []
    for doc_id, (html, gold) in chosen.items():
        path = DOCS / f"{doc_id}.html"
        path.write_text(f"<!doctype html><html><head><meta charset='utf-8'></head><body>{html}</body></html>",
                        encoding="utf-8")
        (DOCS / f"{doc_id}.yml").write_text(yaml.safe_dump(gold, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(path)
    if str(FONT_ROOT) != "/":  # render copies whose font addresses point under FONT_ROOT
        staged = Path(tempfile.mkdtemp(prefix="ocr-dev-"))
        for path in paths:
            text = path.read_text(encoding="utf-8").replace("file:///usr/share/fonts/", f"{FONT_ROOT.as_uri()}/usr/share/fonts/")
            (staged / path.name).write_text(text, encoding="utf-8")
        paths = [staged / path.name for path in paths]
    shots = camera.render_html(paths)
    for doc_id, (_html, gold) in chosen.items():
        # the dev set's own seeds: the camera derives its seed from the id, and these ids are this set's
        (PHOTOS / f"{doc_id}.jpg").write_bytes(camera.photograph(shots[doc_id], f"dev/{doc_id}", gold["camera"]))
    print(f"{len(chosen)} photos", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
