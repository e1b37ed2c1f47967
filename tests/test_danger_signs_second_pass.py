"""Danger signs from the protocols that the red-flag rules did not cover yet (issue #13, second pass).

Own cases, written from the protocols' own wording (WHO IMCI sick young infant, ISBI burn referral
criteria, WHO Basic Emergency Care, NICE NG51 sepsis, BTS/SIGN asthma, WSES bowel obstruction, NICE
CG124 hip fracture) in English, Hindi and Punjabi, never from an evaluation set: scalds by hot
liquids, a child at an adult's medicines, jaundice on the first day of life, a bowel "band" with no
gas, coughing up a cupful of blood, smoke with a hoarse voice, clinical words for obstetric bleeding
and eclampsia, mottled skin with infection, an old person's fall onto the hip. Each positive has an
everyday sentence next to it that shares its words and must stay quiet.
"""

from __future__ import annotations

import pytest

from nlu.red_flags import rules
from tests.support.red_flags import rules_fired


@pytest.mark.parametrize(("text", "rule"), [
    # ISBI / WHO burns: scalds of the face, chest or trunk, and any scald of a child under 5
    ("hot tea spilled on the baby's chest, skin blistered", "burn_under_five"),
    ("hot oil splashed on her face", "severe_burn"),
    ("गरम तेल चेहरे पर गिर गया", "severe_burn"),
    ("garam doodh gir gaya pet aur chhati par, chhale pad gaye", "severe_burn"),
    ("ਉਬਲਦਾ ਪਾਣੀ ਬੱਚੇ ਉੱਤੇ ਡਿੱਗ ਗਿਆ, ਛਾਲੇ ਪੈ ਗਏ", "burn_under_five"),
    # ISBI / ABA: inhalation injury after a fire in a closed space (hoarse voice, stridor)
    ("the man was pulled out of a burning house and his voice is hoarse", "inhalation_injury"),
    ("ghar me aag lagi thi, ab awaaz baith gayi hai", "inhalation_injury"),
    # WHO BEC / poisons centres: a small child at an adult's medicines
    ("child ate grandma's tablets", "poisoning"),
    ("bachche ne galti se dadi ki goliyan kha li", "poisoning"),
    ("ਬੱਚੇ ਨੇ ਦਾਦੀ ਦੀ ਗੋਲੀਆਂ ਖਾ ਲਈਆਂ", "poisoning"),
    # WHO IMCI / NICE CG98: jaundice in the first 24 hours of life
    ("baby's skin and eyes very yellow on day 1", "newborn_jaundice_first_day"),
    ("bachcha pehle din se hi peela pad gaya hai", "newborn_jaundice_first_day"),
    ("ਬੱਚਾ ਜਨਮ ਵਾਲੇ ਦਿਨ ਤੋਂ ਪੀਲਾ ਹੈ", "newborn_jaundice_first_day"),
    # WSES: no stool and no gas with a distended belly (bowel obstruction)
    ("pet bahut phool gaya hai, latrine aur gas band 3 din se", "acute_abdomen_surgical"),
    ("पेट फूल गया है, टट्टी और गैस बंद है", "acute_abdomen_surgical"),
    ("ਢਿੱਡ ਫੁੱਲ ਗਿਆ, ਟੱਟੀ ਤੇ ਗੈਸ ਬੰਦ ਹੈ", "acute_abdomen_surgical"),
    # WHO BEC: massive haemoptysis
    ("coughed up a cup of blood", "heavy_bleeding"),
    ("khansi me katori bhar khoon aaya", "heavy_bleeding"),
    # BTS/SIGN: cannot complete sentences, with a wheeze
    ("the child is wheezing badly and can't finish a sentence", "severe_breathing_difficulty"),
    # obstetric bleeding and eclampsia in clinical words
    ("postpartum haemorrhage", "pregnancy_bleeding"),
    ("antepartum haemorrhage at 32 weeks", "pregnancy_bleeding"),
    ("eclamptic fit", "seizure"),
    # NICE NG51: mottled or ashen skin with an infection
    ("high fever and rigors, mottled skin", "sepsis_signs"),
    ("his pulse is feeble and fast, he is sweating", "shock_signs"),
    # NICE CG124: an old person's fall with hip pain who cannot stand
    ("old man fell and cannot stand, hip pain, leg turned outward", "major_trauma"),
    ("dadi gir gayi, kulhe me dard, khadi nahi ho pa rahi", "major_trauma"),
    # ACS field triage / NICE NG41: a fall from a height with back pain or numb legs; crush injuries
    ("chhat se gir gaya, kamar me dard aur pair sunn", "major_trauma"),
    ("ਛੱਤ ਤੋਂ ਡਿੱਗ ਪਿਆ, ਪਿੱਠ ਵਿੱਚ ਦਰਦ ਤੇ ਲੱਤਾਂ ਸੁੰਨ", "major_trauma"),
    ("man with crushing leg injury under a tractor, leg cold and pale", "major_trauma"),
    ("ਲੱਤ ਟਰੈਕਟਰ ਥੱਲੇ ਆ ਗਈ, ਕੁਚਲੀ ਗਈ", "major_trauma"),
    # KDIGO / NKF: missed dialysis with weakness, palpitations or breathlessness
    ("dialysis do baar chhoot gaya, ab bahut kamzori aur saans phool rahi hai", "kidney_failure_no_urine"),
    ("ਡਾਇਲਸਿਸ ਛੁੱਟ ਗਿਆ, ਸਾਹ ਫੁੱਲ ਰਿਹਾ ਤੇ ਕਮਜ਼ੋਰੀ", "kidney_failure_no_urine"),
    # WHO BEC: bleeding not controlled by pressure
    ("naak se khoon dabane par bhi nahi ruk raha", "heavy_bleeding"),
    ("patient with severe epistaxis not controlled by pressure for 30 minutes, on warfarin", "heavy_bleeding"),
    # AAO / NICE CKS red eye: acute angle closure; penetrating eye injury
    ("patient with acute painful red eye, halos around lights, vomiting", "acute_angle_closure"),
    ("आँख में तेज़ दर्द, लाल, रोशनी के चारों ओर घेरे और उल्टी", "acute_angle_closure"),
    ("aankh me lakdi ka tukda ghus gaya", "penetrating_eye_injury"),
    ("ਅੱਖ ਵਿੱਚ ਕੱਚ ਦਾ ਟੁਕੜਾ ਖੁੱਭ ਗਿਆ", "penetrating_eye_injury"),
    # ISBI: circumferential burns; WHO BEC: hypothermia
    ("man with circumferential burn of the arm", "severe_burn"),
    ("patient with severe hypothermia found outdoors", "shock_signs"),
    ("dada ji ka sharir barf jaisa thanda, bol nahi rahe", "shock_signs"),
    # ACOG: headache with epigastric or RUQ pain in pregnancy
    ("pregnant, sir dard aur pet ke upar wale hisse me dard", "pregnancy_preeclampsia_signs"),
    ("pregnant woman at 34 weeks with RUQ pain, headache and visual disturbance", "pregnancy_preeclampsia_signs"),
    # MoHFW MCP card / WHO IMPAC: labour danger signs, puerperal sepsis, a due date means pregnant
    ("woman in labour for 14 hours, baby not coming", "labour_danger"),
    ("dard 12 ghante se, bachcha nahi nikal raha", "labour_danger"),
    ("ਜਣੇਪੇ ਦੀ ਪੀੜ ਕੱਲ੍ਹ ਤੋਂ, ਬੱਚਾ ਨਹੀਂ ਨਿਕਲ ਰਿਹਾ", "labour_danger"),
    ("cord is coming out before the baby", "labour_danger"),
    ("placenta has not come out 1 hour after delivery", "labour_danger"),
    ("aanval nahi nikli, bahut der ho gayi", "labour_danger"),
    ("jaapa hua 2 din pehle, tez bukhar aur badbudar paani", "pregnancy_other_danger"),
    ("ਜਣੇਪੇ ਨੂੰ 5 ਦਿਨ ਹੋਏ, ਤੇਜ਼ ਬੁਖਾਰ ਤੇ ਬਦਬੂਦਾਰ ਪਾਣੀ", "pregnancy_other_danger"),
    ("due date next month, blurred vision since morning", "pregnancy_preeclampsia_signs"),
    ("ਅੱਠਵਾਂ ਮਹੀਨਾ ਚੱਲ ਰਿਹਾ, ਸਿਰ ਦਰਦ ਤੇ ਧੁੰਦਲਾ ਦਿਸਦਾ", "pregnancy_preeclampsia_signs"),
    # ENT: button batteries, deep neck infections, mastoiditis
    ("child pushed a button battery into his nose", "button_battery"),
    ("bachche ne ghadi ka cell kaan me daal liya", "button_battery"),
    ("sore throat, cannot open mouth fully, muffled voice, drooling", "deep_neck_infection"),
    ("swelling under the jaw and tongue pushed up, fever, can't swallow saliva", "deep_neck_infection"),
    ("swelling behind the ear pushing ear forward, high fever, child", "mastoiditis"),
    ("कान के पीछे सूजन और दर्द, तेज़ बुखार", "mastoiditis"),
    # skin, spine, male genitals, assault, stings
    ("naye dawai ke baad poore sharir par chhale aur munh me chhale", "severe_skin_reaction"),
    ("ਨਵੀਂ ਦਵਾਈ ਤੋਂ ਬਾਅਦ ਸਾਰੇ ਸਰੀਰ ਤੇ ਛਾਲੇ ਤੇ ਮੂੰਹ ਵਿੱਚ ਛਾਲੇ", "severe_skin_reaction"),
    ("back pain with numbness between the legs and can't control urine", "cauda_equina"),
    ("kamar dard ke saath peshab par control nahi, pairon me sunnpan", "cauda_equina"),
    ("erection for 6 hours and painful", "priapism"),
    ("foreskin pulled back and stuck, tip swollen", "paraphimosis"),
    ("scrotum skin turning black, fever, severe pain", "sepsis_signs"),
    ("was raped last night", "sexual_assault"),
    ("mere saath zabardasti hui kal raat", "sexual_assault"),
    ("ਮੇਰੇ ਨਾਲ ਜ਼ਬਰਦਸਤੀ ਹੋਈ", "sexual_assault"),
    ("bitten by many bees, dizzy", "anaphylaxis"),
    ("मधुमक्खियों ने काट लिया, चक्कर आ रहे", "anaphylaxis"),
    # EAU urolithiasis: a kidney stone with fever (obstructed, infected kidney)
    ("kidney stone pain with high fever and chills", "sepsis_signs"),
    ("पथरी का दर्द और तेज़ बुखार, कंपकंपी", "sepsis_signs"),
    # WHO dengue (2009): warning signs (mucosal bleeding, lethargy)
    ("dengue, platelets 15000, bleeding gums", "fever_with_bleeding"),
    ("ਡੇਂਗੂ ਹੈ, ਨੱਕ ਚੋਂ ਖੂਨ", "fever_with_bleeding"),
    # WHO cholera: rice-water stools with collapse
    ("rice water stools many times, can't stand up, very thirsty", "severe_dehydration"),
    # NICE CG100: alcohol withdrawal with hallucinations (delirium tremens)
    ("sharaab chhodne ke baad haath kaanp rahe, cheezein dikh rahi hain", "altered_consciousness"),
    ("ਸ਼ਰਾਬ ਛੱਡਣ ਤੋਂ ਬਾਅਦ ਹੱਥ ਕੰਬ ਰਹੇ, ਚੀਜ਼ਾਂ ਦਿਸ ਰਹੀਆਂ", "altered_consciousness"),
    # NICE CKS angioedema: a swelling tongue
    ("woman with sudden swelling of the lips and tongue, no rash, on BP medicine", "face_swelling_with_breathing_difficulty"),
    ("जीभ अचानक सूज गई है", "face_swelling_with_breathing_difficulty"),
    # ESC 2018 syncope: fainting during exertion
    ("young man fainted while playing football", "heart_rhythm_danger"),
    ("ਮੁੰਡਾ ਦੌੜਦਿਆਂ ਬੇਹੋਸ਼ ਹੋ ਕੇ ਡਿੱਗ ਪਿਆ", "heart_rhythm_danger"),
    # NICE CG141: coffee-ground vomit said in lay words
    ("दादी को उल्टी में कॉफी जैसा कुछ आया", "vomiting_blood"),
    ("ਉਲਟੀ ਕਾਫ਼ੀ ਵਰਗੀ ਆਈ", "vomiting_blood"),
    # WHO ETAT / AVPU: does not wake even when shaken
    ("ਦਾਦੀ ਬੋਲ ਨਹੀਂ ਰਹੀ, ਹਿਲਾਉਣ ਤੇ ਵੀ ਨਹੀਂ ਉੱਠਦੀ", "altered_consciousness"),
    # emergencies named the way a clinician writes them
    ("status asthmaticus", "severe_breathing_difficulty"),
    ("tension pneumothorax", "severe_breathing_difficulty"),
    ("bronchiolitis with apnoea", "severe_breathing_difficulty"),
    ("eclampsia", "obstetric_emergency_named"),
    ("placental abruption at 34 weeks", "obstetric_emergency_named"),
    ("shoulder dystocia", "obstetric_emergency_named"),
    ("ectopic pregnancy suspected", "obstetric_emergency_named"),
    ("aortic dissection", "aortic_emergency"),
    ("subarachnoid haemorrhage", "stroke_signs"),
    ("acute scrotum", "acute_abdomen_surgical"),
    ("intussusception", "acute_abdomen_surgical"),
    ("suspected meningitis", "sepsis_signs"),
    ("compartment syndrome", "major_trauma"),
    ("head injury with loss of consciousness", "head_injury_danger"),
    ("HHS", "dka_signs"),
    ("heat stroke", "heat_stroke"),
    ("उसे हीट स्ट्रोक हुआ है", "heat_stroke"),
    ("electrocution", "electrical_injury"),
    ("bijli gir gayi uspar", "electrical_injury"),
    ("snake envenomation", "snake_bite"),
    ("inhalational injury", "inhalation_injury"),
])
def test_protocol_danger_sign_fires(text, rule):
    assert rule in rules_fired(text), rules_fired(text)


@pytest.mark.parametrize("text", [
    "garam chai thodi si ungli par gir gayi, halka laal hai",
    "a little hot tea spilled on my finger",
    "hot water bath makes my skin dry",
    "drinking hot milk at night helps sleep?",
    "meri dadi ki goliyan kab leni hain",
    "grandma's tablets for BP, how many per day",
    "my child took his cough syrup as prescribed",
    "my baby is 1 day old, how often to feed",
    "first day of periods is painful",
    "eyes look a bit yellow after night shift",
    "latrine band hai 2 din se, pet thoda bhari",
    "gas bahut banti hai aur latrine saaf nahi hoti",
    "coughed up some yellow phlegm",
    "voice is hoarse after shouting at the match",
    "we had a small fire in the kitchen, nobody hurt",
    "skin looks mottled in cold water",
    "postpartum check up due next week",
    "pregnant, when is the antepartum visit",
    "dadi gir gayi thi pichle saal, ab theek hain",
    "I am on dialysis, when should I take my iron tablet",
    "missed my BP tablet yesterday, feeling fine",
    "fell from the bed, small bruise on knee",
    "crushing garlic for cough remedy",
    "I see halos around lights at night when driving, no pain",
    "dust went into my eye, watering",
    "pregnant with mild headache, took rest",
    "I do labour work 14 hours a day, back pain",
    "labour pain started 2 hours ago, contractions every 10 minutes",
    "my delivery is due next month, what should I eat",
    "the medicine was delivered yesterday, now I have fever",
    "due date of my electricity bill",
    "phone battery died, ear pain since morning",
    "baby drooling a lot, teething",
    "voice is hoarse and muffled after a cold",
    "small pimple behind the ear",
    "rash after new soap, itchy",
    "back pain after lifting, no other problem",
    "urine leaks when I cough or sneeze",
    "erection problem, not lasting",
    "foreskin is tight, can't pull back fully since childhood",
    "toe nail turning black after shoe hit",
    "madhumakhi ne haath par kaata, sujan hai",
    "what is the rape helpline number for a friend",
    "tongue feels burning after spicy food",
    "white coating on tongue",
    "had a kidney stone last year, want diet advice",
    "how to prevent dengue",
    "I fainted once at a wedding when standing long",
    "he drinks daily, how to make him stop",
    "my hands shake when I am nervous",
    "I vomited after drinking coffee",
    "coffee peene ke baad ulti jaisa lagta hai",
    "I had pre-eclampsia in my last pregnancy, now 12 weeks, what should I do",
    "history of ectopic pregnancy, planning to conceive",
    "how to prevent heat stroke in summer",
    "japanese encephalitis vaccine for my child",
    "I had a pneumothorax 5 years ago, can I fly",
    "what is aortic dissection",
    "thodi si loo lagi thi kal, ab theek hoon",
])
def test_everyday_sentences_with_the_same_words_stay_quiet(text):
    assert not rules_fired(text), rules_fired(text)


def test_every_rule_still_names_its_source_and_advice():
    from engine.i18n import t

    for rule in rules():
        assert rule.source, rule.id
        for language in ("en", "hi", "pa"):
            key = f"core_emergency_tip_{rule.advice}"
            assert t(key, language) != key, (rule.id, language)
