"""Danger signs built from parts (site x injury/symptom x extent x who), in every language and register.

Development cases written for the compositional rules (data/lexicon/danger_parts.tsv and the
``derived`` facts of data/red_flags.json): paraphrases in English, Hindi and Punjabi (native script
and romanised), clinical-register English, and near misses that must stay quiet. Stdlib + pytest
only: this file also runs under the Rasa interpreter (Python 3.10).
"""

from __future__ import annotations

import re

import pytest

from nlu.danger_parts import part_rows
from nlu.red_flags import RULES_VERSION, derived, read, rules
from tests.support.red_flags import fired

# (text, the rule that must fire) -- paraphrases nobody listed as a phrase.
PARAPHRASES = [
    # WHO IMCI general danger signs
    ("my 8 month old is not able to breastfeed at all", "child_not_feeding"),
    ("the baby won't suck at the breast since morning", "child_not_feeding"),
    ("bachcha maa ka doodh nahi kheench raha", "child_not_feeding"),
    ("ਬੱਚਾ ਦੁੱਧ ਨਹੀਂ ਚੁੰਘ ਰਿਹਾ", "child_not_feeding"),
    ("baby had a fit an hour ago", "seizure"),
    ("bachche ko jhatke aaye", "seizure"),
    ("the child is floppy and won't wake up properly", "altered_consciousness"),
    ("baby making a harsh noise when breathing in, stridor", "stridor"),
    ("bachche ki pasli andar ja rahi hai saans lete waqt", "child_breathing_danger"),
    # AVPU / altered consciousness at any age
    ("grandfather is confused since this morning and doesn't recognise us", "altered_consciousness"),
    ("my mother is very drowsy and not responding properly", "unconscious"),
    ("he's not himself today, disoriented and talking nonsense", "altered_consciousness"),
    ("दादी को होश नहीं है, बुलाने पर जवाब नहीं दे रही", "unconscious"),
    ("ਬਾਪੂ ਜੀ ਕਿਸੇ ਨੂੰ ਪਛਾਣ ਨਹੀਂ ਰਹੇ, ਉਲਟੀਆਂ ਗੱਲਾਂ ਕਰ ਰਹੇ", "altered_consciousness"),
    ("papa ko jagane par bhi nahi jag rahe", "altered_consciousness"),
    # severe breathing difficulty
    ("she can't speak in full sentences because she is so breathless", "severe_breathing_difficulty"),
    ("using neck muscles to breathe", "severe_breathing_difficulty"),
    ("ek line bhi poori nahi bol pa raha saans ki wajah se", "severe_breathing_difficulty"),
    ("ਬੁੱਲ੍ਹ ਨੀਲੇ ਹੋ ਗਏ", "severe_breathing_difficulty"),
    ("saans ukhad rahi hai", "severe_breathing_difficulty"),
    # stroke BE-FAST
    ("sudden weakness of right arm and leg", "stroke_signs"),
    ("achanak ek taraf ka haath pair kaam nahi kar raha", "stroke_signs"),
    ("ਅਚਾਨਕ ਬੋਲੀ ਬੰਦ ਹੋ ਗਈ ਤੇ ਸੱਜਾ ਪਾਸਾ ਸੁੰਨ", "stroke_signs"),
    ("sudden loss of vision in one eye and unsteady walking", "stroke_signs"),
    ("दादी का बायां हाथ अचानक कमज़ोर हो गया", "stroke_signs"),
    # acute coronary syndrome
    ("chest heaviness with breathlessness and cold clammy hands", "cardiac_chest_pain"),
    ("seene me bhaaripan, saans phool rahi aur haath thande", "cardiac_chest_pain"),
    ("ਛਾਤੀ ਭਾਰੀ ਲੱਗਦੀ, ਸਾਹ ਚੜ੍ਹਦਾ ਤੇ ਹੱਥ ਠੰਢੇ", "cardiac_chest_pain"),
    # pulmonary embolism and DVT
    ("left leg swollen and tender after my caesarean", "deep_vein_thrombosis"),
    ("sudden breathlessness and chest pain after surgery last week", "pulmonary_embolism"),
    ("ਆਪਰੇਸ਼ਨ ਤੋਂ ਬਾਅਦ ਇੱਕ ਲੱਤ ਸੁੱਜ ਗਈ ਤੇ ਦਰਦ", "deep_vein_thrombosis"),
    ("प्लास्टर के बाद एक पिंडली सूज गई और दर्द है", "deep_vein_thrombosis"),
    # acute abdomen
    ("belly is hard as a board and he hasn't passed stool or gas for 2 days", "acute_abdomen_surgical"),
    ("pet phool gaya, na latrine na hawa pass ho rahi, ulti", "acute_abdomen_surgical"),
    ("ਢਿੱਡ ਫੁੱਲ ਗਿਆ, ਨਾ ਟੱਟੀ ਆਈ ਨਾ ਹਵਾ ਨਿਕਲੀ", "acute_abdomen_surgical"),
    # obstetric danger signs
    ("8 mahine ki pregnant hai aur bahut tez sir dard hai", "pregnancy_preeclampsia_signs"),
    ("heavy bleeding after delivery, soaking pads", "pregnancy_bleeding"),
    ("ਗਰਭਵਤੀ ਹਾਂ ਤੇ ਬੱਚਾ ਘੱਟ ਹਿੱਲਦਾ", "reduced_fetal_movement"),
    ("गर्भवती हूँ और पानी निकल रहा है", "pregnancy_waters_leaking"),
    # dehydration and urine
    ("no urine since yesterday, swelling all over", "kidney_failure_no_urine"),
    ("he has not passed urine for a whole day", "kidney_failure_no_urine"),
    ("severe diarrhoea, very thirsty, eyes sunken, skin pinch goes back very slowly", "severe_dehydration"),
    ("2 saal ke bachche ko dast, aankhen dhans gayi aur bilkul sust", "child_severe_dehydration"),
    # tetanus
    ("stepped on a nail last week, now jaw is stiff and can't open mouth", "tetanus_signs"),
    ("ਜਬਾੜਾ ਜਕੜ ਗਿਆ, ਮੂੰਹ ਨਹੀਂ ਖੁੱਲ੍ਹਦਾ, ਪੈਰ ਵਿੱਚ ਜ਼ਖ਼ਮ ਸੀ", "tetanus_signs"),
    # burns by site and extent
    ("मेरे बेटे का पूरा हाथ और छाती जल गई", "severe_burn"),
    ("chehre aur haath par garam tel gir gaya, chhale pad gaye", "severe_burn"),
    ("ਘਰਵਾਲੀ ਦਾ ਮੂੰਹ ਤੇ ਛਾਤੀ ਸੜ ਗਈ", "severe_burn"),
    ("burn on her face from boiling water", "severe_burn"),
    ("burns to the genital area", "severe_burn"),
    ("dono pair jal gaye garam paani se", "severe_burn"),
    ("gas cylinder blast, both hands burnt", "blast_injury"),
    ("electric wire touched him, burn mark on hand", "electrical_injury"),
    ("he inhaled smoke in the fire and has a hoarse voice", "inhalation_injury"),
    ("tezab chehre pe gir gaya", "severe_burn"),
    # poisoning and toxic exposures
    ("my son drank kerosene by mistake", "poisoning"),
    ("she swallowed a whole strip of paracetamol", "poisoning"),
    ("usne chuhe maarne ki dawai kha li", "poisoning"),
    ("ਉਸਨੇ ਕੀੜੇਮਾਰ ਦਵਾਈ ਪੀ ਲਈ", "poisoning"),
    ("found unconscious in a closed room with a coal stove burning", "toxic_gas_exposure"),
    ("kacchi sharab pee thi, ab dikhna band ho gaya", "poisoning"),
    # bites
    ("something bit him in the field at night, two marks, swelling", "snake_bite"),
    ("kuch kaat gaya khet me raat ko, do nishan hai aur pair sooj raha", "snake_bite"),
    ("ਰਾਤ ਨੂੰ ਖੇਤ ਵਿੱਚ ਕਿਸੇ ਚੀਜ਼ ਨੇ ਡੰਗ ਮਾਰਿਆ, ਦੋ ਨਿਸ਼ਾਨ ਤੇ ਸੋਜ", "snake_bite"),
    ("a dog bit him on the face, deep wound", "animal_bite_high_risk"),
    ("kutte ne kaata tha, ab paani se dar lag raha", "animal_bite_high_risk"),
    # head injury and trauma
    ("road accident, head injury, bleeding from ear", "head_injury_danger"),
    ("sir pe chot lagi aur kuch yaad nahi", "head_injury_danger"),
    ("ਛੱਤ ਤੋਂ ਡਿੱਗ ਪਿਆ, ਸਿਰ ਤੇ ਸੱਟ ਲੱਗੀ", "head_injury_danger"),
    # heat, sugar, suicide
    ("worked in the sun all day, now very hot skin and confused", "heat_stroke"),
    ("diabetic with vomiting, deep fast breathing and fruity smell", "dka_signs"),
    ("main khud ko khatam karna chahta hoon", "suicidal_thoughts"),
    ("ਮੈਂ ਆਪਣੀ ਜਾਨ ਲੈਣੀ ਚਾਹੁੰਦਾ", "suicidal_thoughts"),
    # vascular
    ("my foot is cold, pale and very painful suddenly", "acute_limb_ischaemia"),
    ("sudden tearing pain in the chest going to the back", "aortic_emergency"),
    ("achanak pair thanda aur safed pad gaya, bahut dard", "acute_limb_ischaemia"),
    # meningitis, sepsis, allergy
    ("fever and a rash that doesn't fade when pressed", "fever_stiff_neck"),
    ("high fever, severe headache and can't bear light", "fever_stiff_neck"),
    ("fever with shivering, very low BP and confused", "sepsis_signs"),
    ("high fever, breathing fast, cold hands and feet, not passing urine", "sepsis_signs"),
    ("after eating peanuts his lips swelled and he is wheezing", "anaphylaxis"),
    # asthma not relieved, choking, drowning, hanging, thunderclap, heights, pill handfuls
    ("asthma attack, the pump is not helping at all", "severe_breathing_difficulty"),
    ("गले में कुछ फंस गया है, बच्चा सांस नहीं ले रहा", "severe_breathing_difficulty"),
    ("pulled him out of the pond, he is coughing", "drowning"),
    ("bhai ne phansi laga li thi, humne utaar liya", "suicidal_thoughts"),
    ("मुझे खुद को नुकसान पहुंचाने का मन कर रहा है", "suicidal_thoughts"),
    ("achanak sir me bahut tez dard shuru hua", "thunderclap_headache"),
    ("ਉਚਾਈ ਤੋਂ ਡਿੱਗਿਆ ਹੈ, ਹਿੱਲ ਨਹੀਂ ਰਿਹਾ", "major_trauma"),
    ("neend diyan bahut goliyan kha layiyan ne", "poisoning"),
    ("कटने से खून बंद नहीं हो रहा", "heavy_bleeding"),
    ("सांप ने कटा है", "snake_bite"),
    ("severe abdominal pain and bleeding in pregnancy", "pregnancy_bleeding"),
]


@pytest.mark.parametrize(("text", "rule_id"), PARAPHRASES)
def test_paraphrases_fire_their_rule(text, rule_id):
    assert rule_id in fired(text)


CLINICAL = [
    ("altered mental status since 2 hours", "altered_consciousness"),
    ("patient is obtunded", "altered_consciousness"),
    ("GCS 8 after the fall", "unconscious"),
    ("somnolent and hard to rouse", "altered_consciousness"),
    ("tachypnoea with cyanosis", "severe_breathing_difficulty"),
    ("accessory muscle use, speaking in single words", "severe_breathing_difficulty"),
    ("left hemiparesis with aphasia", "stroke_signs"),
    ("crushing retrosternal pain with diaphoresis", "cardiac_chest_pain"),
    ("abdominal guarding and rigidity", "acute_abdomen_surgical"),
    ("anuria for 24 hours", "kidney_failure_no_urine"),
    ("trismus after a wound", "tetanus_signs"),
    ("haematemesis and melena", "vomiting_blood"),
    ("hypotension and tachycardia after trauma", "shock_signs"),
    ("diaphoretic with chest pain", "cardiac_chest_pain"),
    ("organophosphate ingestion", "poisoning"),
    ("febrile with nuchal rigidity", "fever_stiff_neck"),
    ("petechial rash with fever", "fever_stiff_neck"),
    ("angioedema of the lips", "anaphylaxis"),
    ("suspected urosepsis, hypotensive", "sepsis_signs"),
    ("patient hypotensive and drowsy", "shock_signs"),
    ("bp not recordable", "shock_signs"),
]


@pytest.mark.parametrize(("text", "rule_id"), CLINICAL)
def test_clinical_register(text, rule_id):
    assert rule_id in fired(text)


NEAR_MISSES = [
    "mild headache since morning",
    "thoda sa jal gaya ungli pe chai se",
    "pet me halka dard",
    "ਉਂਗਲ ਤੇ ਥੋੜ੍ਹਾ ਜਿਹਾ ਸੜ ਗਿਆ",
    "small burn on my finger from the iron",
    "pairon me jalan hoti hai raat ko",
    "peshab me jalan",
    "seene me jalan hoti hai khane ke baad",
    "aankh jal rahi hai",
    "I burned my toast this morning",
    "sunburn on my shoulders after the beach",
    "a mosquito bit me and it itches",
    "machhar ne kaata, khujli ho rahi",
    "ants bit my hand, small red bumps",
    "ungli thodi si kat gayi sabzi kaatte hue",
    "I am pregnant and feel a bit tired",
    "7 mahine ki pregnant hoon, kamar dard",
    "pregnant hoon aur naak se paani aa raha hai",
    "my baby has a runny nose and is feeding well",
    "my calf muscle hurts after running",
    "pair me moch aa gayi",
    "thoda chakkar aaya uthte waqt",
    "how to prevent heat stroke",
    "what are the signs of a heart attack",
    "sugar ki dawai kab leni hai",
    "dog is barking at night, can't sleep",
    "I feel sleepy after lunch",
    "I am confused about which tablet to take in the morning",
    "my son is not eating vegetables",
    "chest me halka sa dard jab khansi karta hoon",
    "bijli nahi hai do din se, garmi bahut hai",
    "can I take combiflam and dolo together",
    "legs swell a little in the evening",
    "my left knee is swollen and painful after I twisted it",
    "I have a cold and runny nose",
    "BP ki goli roz leta hoon",
    "bukhar nahi hai, sirf khansi",
    "I was in shock after hearing the news",
    "bp thoda low rehta hai",
    # a prescription or a pack size is not an overdose
    "doctor ne 15 goliyan di hain, kaise khani hai",
    "Paracetamol 500mg 10 tablets, Amoxicillin 250 20 capsules",
    "where can I get these medicines? dolo 650 15 tablets",
    "I bought a whole strip of crocin",
    "took 14 tablets of the antibiotic over a week as prescribed",
    # whistling is wheeze, and "confused" about the bot is not delirium
    "raat ko saans lete waqt seeti jaisi awaaz aati hai",
    "i am confused",
    "main confuse ho gaya hu, kya karna hai",
    "peshab thoda kam aa raha hai garmi me",
    "chulhe ke dhuen se khansi rehti hai",
    "I smoke cigarettes and have a cough",
    "stepped on a thorn, small cut, no swelling",
    "my jaw hurts when I chew",
    "saanp ne nahi kaata, sirf kaanta chubha",
    "no chest pain, no breathlessness",
    "बच्चा दूध ठीक से पी रहा है",
    "ਬੱਚਾ ਦੁੱਧ ਚੰਗਾ ਪੀਂਦਾ ਹੈ",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_ordinary_complaints_and_near_misses_stay_quiet(text):
    assert fired(text) == set()


# A second round of paraphrases, written after the first rules: any danger sign must fire.
MORE_PARAPHRASES = [
    'आग में झुलस गई है बहू',
    'कपड़ों में आग लग गई और दोनों पैर जल गए',
    'गरम पानी से बच्चे का पेट और छाती जल गई',
    'बहुत बुरी तरह जल गई है, चमड़ी उतर गई',
    'शरीर का बड़ा हिस्सा जल गया है',
    'स्टोव फटने से जल गई',
    'मेरी पत्नी खाना बनाते समय जल गई, पीठ और हाथ पर फफोले',
    'ਅੱਗ ਲੱਗਣ ਨਾਲ ਬਾਂਹ ਤੇ ਛਾਤੀ ਸੜ ਗਈ',
    'ਗਰਮ ਤੇਲ ਨਾਲ ਮੂੰਹ ਸੜ ਗਿਆ',
    'meri beti ka haath aur pair garam doodh se jal gaya, chhale',
    'ghar me aag lagi, papa saans nahi le pa rahe dhuen se',
    'my wife got burnt from the stove, her back and arms have big blisters',
    'he was electrocuted while fixing the motor',
    'lightning struck him in the field',
    'my husband fainted in the sewer while cleaning',
    'the baby swallowed a button battery',
    'dadi ne galti se phenyl pee liya',
    'ਬੱਚੇ ਨੇ ਮਿੱਟੀ ਦਾ ਤੇਲ ਪੀ ਲਿਆ',
    "she took 30 tablets of her mother's sleeping medicine",
    'my father is breathing very fast and his lips are bluish',
    'she is gasping and can only say two words',
    'bachcha saans lete hue ghurghur kar raha hai aur pasli chal rahi hai',
    "baby is 3 weeks old and has a temperature and won't feed",
    'mera 1 mahine ka baccha doodh nahi pee raha aur sust hai',
    'ਨਵਜੰਮਿਆ ਬੱਚਾ ਠੰਢਾ ਪੈ ਗਿਆ ਤੇ ਦੁੱਧ ਨਹੀਂ ਪੀਂਦਾ',
    'the left side of his face is drooping and his speech is slurred',
    'uska ek hath aur ek pair achanak kamzor ho gaya',
    'ਅਚਾਨਕ ਖੱਬਾ ਹੱਥ ਤੇ ਲੱਤ ਕਮਜ਼ੋਰ ਹੋ ਗਏ',
    "suddenly she can't see from her right eye",
    'pressure like feeling in chest and sweating, pain in the left arm',
    'seene pe bhaari patthar jaisa lag raha, pasina aur ghabrahat',
    'ਛਾਤੀ ਵਿੱਚ ਦਬਾਅ ਤੇ ਪਸੀਨਾ, ਸਾਹ ਔਖਾ',
    'after the flight her calf became swollen red and painful',
    'delivery ke 10 din baad achanak saans phoolne lagi aur seene me dard',
    "his stomach is very swollen, he keeps vomiting green stuff and hasn't pooped in 3 days",
    'pet patthar jaisa sakht hai aur bahut dard',
    "she's 34 weeks and her water broke",
    '9 mahine ki garbhvati, bahut khoon aa raha hai',
    'delivery ke baad bahut tez bukhar aur kapkapi',
    'pregnant hai, hath pair aur chehra sooj gaya, sir me bahut dard, dhundhla dikh raha',
    'she has not peed for 24 hours and is very weak',
    'teen din se dast, aaj peshab bilkul nahi aaya aur bahut kamzori',
    'the boy cut his foot on a rusty blade two weeks ago, now his whole body goes stiff in spasms',
    'ek hafte pehle pair me keel lagi thi, ab jabda nahi khul raha',
    'a snake bit my mother on her hand while collecting firewood',
    "sleeping on the floor, woke up with pain in belly and can't open his eyes properly, something bit him",
    'bichhu ne dank mara, bachche ko bahut pasina aur ulti',
    'a monkey bit my son on the head',
    'fell off the motorbike and hit his head, vomited twice and is sleepy',
    "she fell from the tree and can't move her legs",
    'truck accident, lots of blood from thigh',
    'laborer working in hot sun collapsed, skin hot and dry, not sweating',
    'sugar 35 hai aur pasina aa raha hai',
    'sugar 550, ulti aur saans tez',
    'i want to end it all tonight',
    'mujhe jeena nahi hai ab',
    'ਮੈਂ ਆਪਣੇ ਆਪ ਨੂੰ ਮਾਰ ਲੈਣਾ ਚਾਹੁੰਦਾ ਹਾਂ',
    'his leg is cold and blue below the knee and very painful',
    'fever, headache, vomiting and her neck is stiff',
    'bachche ko tez bukhar aur sharir pe bangni daane jo dabane se nahi jaate',
    'bukhar ke saath behoshi jaisi halat, bp kam',
    'fever, cold clammy skin, and very confused',
    'after the injection her face and tongue swelled up and she is wheezing',
    "throat swelling after eating prawns, can't swallow",
    'vomited blood twice and feels faint',
    'black tarry stools and dizzy on standing',
    'coughing up a cup of blood',
    'sudden worst headache of my life, like being hit on the head',
    # third round
    'my grandmother is suddenly very sleepy and mumbling',
    'mummy aaj subah se kuch ajeeb si baatein kar rahi hai aur neend me hai',
    'ਮਾਤਾ ਜੀ ਨੂੰ ਸਵੇਰ ਤੋਂ ਕੁਝ ਸਮਝ ਨਹੀਂ ਆ ਰਿਹਾ, ਬੋਲਦੇ ਵੀ ਨਹੀਂ',
    "my toddler's chest sucks in under the ribs with every breath",
    'bachche ki saans bahut tez hai aur naak phool rahi hai',
    "my 6 month old won't take the bottle or breast and is very quiet",
    '6 mahine ka baccha kuch bhi peeta hai to ulti kar deta hai',
    'ਬੱਚੇ ਨੂੰ ਝਟਕੇ ਪੈ ਰਹੇ ਨੇ ਤੇ ਬੁਖਾਰ ਹੈ',
    'he can barely talk, gasping for air after every word',
    'asthma attack, inhaler not helping, lips going purple',
    'mere pati ki saans ruk ruk ke chal rahi hai',
    'his mouth has gone crooked and his right arm is hanging limp',
    'papa ki awaaz achanak ladkhadane lagi aur ek aankh se dikhna band',
    'ਦਾਦੀ ਦਾ ਮੂੰਹ ਇੱਕ ਪਾਸੇ ਨੂੰ ਹੋ ਗਿਆ',
    'tight band around the chest going into the jaw, feel like vomiting',
    'seene me bahut dard hai jo baayen haath me ja raha hai',
    'ਛਾਤੀ ਵਿੱਚ ਤੇਜ਼ ਦਰਦ, ਠੰਢਾ ਪਸੀਨਾ ਆ ਰਿਹਾ',
    'two weeks after my knee replacement I suddenly got breathless and coughed blood',
    'ek taang achanak sooj gayi aur laal garam hai, do hafte pehle operation hua tha',
    "stomach pain so bad he can't stand straight, belly is rigid",
    'pet me asahniya dard aur pet phool kar dhol jaisa ho gaya',
    'ਢਿੱਡ ਪੱਥਰ ਵਰਗਾ ਸਖ਼ਤ ਤੇ ਬਹੁਤ ਦਰਦ',
    'I am 32 weeks pregnant and bleeding from below',
    'pregnant wife has fits',
    'garbhvati hai aur aankhon ke aage taare nazar aa rahe, sir phat raha',
    'ਗਰਭਵਤੀ ਹੈ ਤੇ ਕੱਲ੍ਹ ਤੋਂ ਬੱਚਾ ਨਹੀਂ ਹਿੱਲਿਆ',
    'she delivered at home yesterday and is bleeding a lot with clots',
    'baby is 10 days old, navel is red and smells bad',
    'navjaat ki aankhein aur hatheliyan bahut peeli hain',
    'cholera like watery diarrhoea, he is too weak to stand and has not urinated today',
    'bachche ko ulti dast, pesh nahi aaya 8 ghante se, bahut sust',
    'kidney patient, urine stopped completely since last night and swelling up',
    'ਪੈਰ ਵਿੱਚ ਕਿੱਲ ਵੱਜਿਆ ਸੀ, ਹੁਣ ਸਾਰਾ ਸਰੀਰ ਆਕੜਦਾ ਹੈ',
    "can't open his mouth since yesterday, had a deep cut on the foot last week",
    "the kitchen caught fire and my mother's face and neck are burnt",
    'garam tel ki kadhai gir gayi, bachche ki chhati aur pet jal gaye',
    'ਤੇਜ਼ਾਬ ਅੱਖਾਂ ਵਿੱਚ ਪੈ ਗਿਆ',
    'my son touched a live wire and was thrown back, he is dazed',
    'bijli girne se kisan behosh',
    'he drank half a bottle of pesticide after a fight',
    'usne neend ki bahut saari goliyan kha li hain',
    'ਨਿਆਣੇ ਨੇ ਚੂਹੇ ਮਾਰ ਦਵਾਈ ਖਾ ਲਈ',
    'child swallowed kerosene and is coughing',
    'bite on the ankle while walking through the paddy at night, now bleeding gums',
    'khet me saanp ne das liya',
    'ਸੱਪ ਲੜ ਗਿਆ ਬਾਪੂ ਨੂੰ',
    'pagal kutte ne mooh par kaat liya',
    'fell down the stairs, now confused and vomiting repeatedly',
    'accident me sir pe chot, kaan se khoon aa raha',
    'ਮੋਟਰਸਾਈਕਲ ਤੋਂ ਡਿੱਗਿਆ, ਸਿਰ ਵਿੱਚ ਸੱਟ ਤੇ ਬੇਹੋਸ਼',
    'after working in the fields in 46 degrees he is hot, confused and not sweating',
    'diabetic, sugar 38, shaking and confused',
    'sugar bahut high hai, saans bahut tez aur ulti',
    'I have decided to end my life tonight',
    'main phaansi laga lunga',
    'ਮੇਰਾ ਮਰਨ ਨੂੰ ਦਿਲ ਕਰਦਾ',
    "his hand has gone white and cold and he can't feel his fingers",
    'suddenly severe back pain going to the belly and he collapsed',
    'fever and purple spots spreading all over',
    'baby has fever and the soft spot on his head is bulging',
    'tez bukhar, gardan akad gayi, roshni se aankhein band',
    'high fever, confused, breathing fast and blood pressure 80',
    'he got stung by many bees and now his throat is closing',
    'peanut khane ke baad saans nahi aa rahi aur hont sooj gaye',
    'vomiting coffee coloured stuff and feels like fainting',
    'passing a lot of fresh blood from the back passage and dizzy',
    'kabhi kabhi jeene ka man nahi karta par main theek hoon kuch nahi karunga',
    # fourth round: romanised Punjabi and Hindi, clinical notes
    'bapu nu saah nahi aunda te bull neele ho gaye',
    'meri maa nu hosh nahi, bulaun te vi nahi boldi',
    'mere bache nu dore pai rahe ne',
    'ghar wali 9 mahine di pet naal hai te bahut khoon pai reha',
    'munde nu sapp ne lad leya khet vich',
    'kudi ne keede maar dawai pee layi',
    'bapu ji da ikk paasa kam nahi karda achanak',
    'chhati vich bahut zor da dard te pasina',
    'dadi di latt thandi te chitti ho gayi, bahut dard',
    'mere veer da accident hoya, sir vich satt te ulti',
    'bacha dudh nahi chunghda te bahut sust aa',
    'ohnu kal ton pishab nahi aaya',
    'mera beta gas cylinder fatne naal sad gaya',
    'mummy ka muh tedha ho gaya aur bol nahi pa rahi',
    'papa ko seene me dard hai jo jabde tak ja raha hai',
    'beti ko tez bukhar ke saath jhatke aaye',
    'uske hath pair thande aur neele pad gaye hain, saans tez',
    'pati ne sharab ke saath neend ki goliyan kha li',
    'bachhe ne mitti ka tel pi liya galti se',
    'gaon me ek aadmi ko bichhu ne kata, pasina pasina ho raha',
    'loo lagne ke baad dada ji behki baatein kar rahe',
    '2 mahine ke bachche ki saans bahut tez aur pasli chal rahi',
    'patient unresponsive with pinpoint pupils after ingestion',
    '51 year old male, diaphoretic, ST elevation on ECG',
    '19 year old with RLQ pain, rebound tenderness and fever',
    'elderly female, new onset confusion, fever, hypotension',
    'post-partum day 3, sudden dyspnoea and pleuritic chest pain',
    'known diabetic, Kussmaul breathing, ketones positive',
    'toddler with stridor at rest and drooling',
    'infant with bilious vomiting',
    'full thickness burns to both legs',
    'hyperkalaemia with bradycardia',
    'status epilepticus',
    'upper GI bleed with haemodynamic instability',
    'massive PV bleed at 36 weeks',
    'acute urinary retention with severe pain',
]


@pytest.mark.parametrize("text", MORE_PARAPHRASES)
def test_more_paraphrases_raise_an_emergency(text):
    assert fired(text)


MORE_NEAR_MISSES = [
    'haath pe garam chai gir gayi thodi si, laal ho gaya',
    'I got a small blister on my palm from the hot pan',
    'mera beta aag ke paas khel raha tha, kuch nahi hua',
    'sunburnt face after a day at the fair, a bit red',
    'my baby drinks well but has a mild cough',
    'baby is feeding well and active, just a little cold',
    'meri saans thodi phoolti hai seedhiyan chadhne par',
    'slightly breathless when climbing stairs',
    'my calf aches after a long walk',
    'legs swell a little after a long bus journey, both sides',
    'pair me sujan hai dono me shaam ko',
    'I had a knee operation two years ago, now mild pain',
    'heavy periods with small clots this month',
    'mild back pain after lifting',
    'I have constipation for two days, passing gas normally',
    'pet me gas ban rahi hai',
    'thoda kam peshab aa raha hai garmi me',
    'I forget things sometimes',
    'I am a bit confused about my diet plan',
    'mujhe neend bahut aati hai din me',
    'mera dog mujhe bahut pyaar karta hai',
    'jaw pain when I yawn',
    'neck stiff after sleeping wrong',
    'a dog bit my leg yesterday, small wound, we washed it',
    'machhar ke kaatne se laal daane',
    'kal raat ko kuch kaat gaya, thoda laal hai, khujli',
    'sugar 180 hai khane ke baad',
    'BP 130/85 hai',
    'headache since yesterday after a long day at work',
    'I want to lose weight',
    'mera phone gir gaya chhat se',
    'electricity bill is high',
    'ghar me light nahi hai',
    # third round
    'my grandmother is sleepy in the afternoons',
    'papa thoda bhool jaate hain naam',
    'ਬੱਚਾ ਰਾਤ ਨੂੰ ਦੇਰ ਨਾਲ ਸੌਂਦਾ ਹੈ',
    'the baby spits up a little milk after feeds',
    'baccha kabhi kabhi ulti karta hai khane ke baad, khelta hai',
    'my chest hurts when I press on the rib after a fall last week',
    'seene me jalan hoti hai masaledar khane ke baad',
    'slight breathlessness with a cold',
    'I get short of breath when I run',
    'my arm feels numb when I sleep on it',
    'haath sunn ho jata hai subah',
    'ek pair me thodi sujan hai moch ke baad',
    'mild stomach cramps during my period',
    'pet me gas aur thoda dard',
    'I am 5 months pregnant and have mild back ache',
    'pregnancy me ulti aati hai subah',
    "my baby's belly button is healing well",
    'baby ka potty thoda patla hai par khel raha hai',
    'peshab ka rang peela hai',
    "stepped on a nail, I got a tetanus shot, it's fine",
    'burnt my tongue on hot tea',
    'chai se hont jal gaye thode',
    'ਕੱਪੜੇ ਪ੍ਰੈੱਸ ਕਰਦਿਆਂ ਉਂਗਲ ਸੜ ਗਈ',
    'my son accidentally swallowed a little toothpaste',
    'galti se ek extra goli kha li BP ki',
    'kutte ne pair pe halka sa kaata, khoon nahi nikla',
    'mosquito bites all over my legs',
    'I bumped my head on the cupboard, small bump, feeling fine',
    'garmi bahut hai, pasina aa raha hai',
    'sugar 250 hai, dawai le raha hoon',
    'my fingers turn white in the cold and then red',
    'back pain after lifting a heavy bag',
    'bukhar ke saath halki khujli aur daane',
    'my child has fever and a runny nose',
    'allergy se naak beh rahi hai',
    'vomited once after dinner',
    'dark stools since I started iron tablets',
    # fourth round
    'bapu nu thoda khangh te zukam',
    'mainu sir vich halka dard',
    'bache nu thoda jeha bukhar, dudh theek peenda',
    'ghar wali pet naal hai, thoda thakaan',
    'mainu raat nu neend nahi aundi',
    'gode vich dard rehnda',
    'mera pet kharab hai, do vaar tatti gaya',
    'haath pe chhota sa chhala hai joote se',
    'mujhe gas ki problem hai',
    'papa ka BP thoda high rehta hai',
    'chest congestion and mild cough',
    'left arm pain after gym',
    'known asthmatic, mild wheeze, using inhaler, speaking full sentences',
    'elderly male, chronic mild memory issues',
    'follow up of healed burn scar on hand',
    'patient alert and oriented, vitals stable',
    'routine antenatal visit, baby moving well',
    'mild dehydration, drinking well',
]


@pytest.mark.parametrize("text", MORE_NEAR_MISSES)
def test_more_near_misses_stay_quiet(text):
    assert fired(text) == set()


def test_an_absent_part_is_a_fact_of_its_own():
    facts = {("!" if m.negated else "") + m.label for m in read("bachcha doodh nahi kheench raha").mentions}
    assert "!feed" in facts
    assert "!feed" not in {("!" if m.negated else "") + m.label for m in read("bachcha doodh kheench raha").mentions}


def test_body_sites_keep_no_polarity():
    facts = {("!" if m.negated else "") + m.label for m in read("munh nahi khul raha").mentions}
    assert "site_mouth" in facts and "!open_word" in facts


def test_a_minimiser_or_a_finger_keeps_a_small_burn_out_but_not_a_face_burn():
    assert "severe_burn" not in fired("haath pe thoda sa jal gaya")
    assert "severe_burn" in fired("chehra jal gaya")
    assert "severe_burn" in fired("pura haath jal gaya")


def test_harmless_creatures_are_not_snake_bites():
    assert "snake_bite" not in fired("raat ko khet me machhar ne kaata, do nishan aur sujan")
    assert "snake_bite" in fired("raat ko khet me kisi cheez ne kaata, do nishan aur sujan")


def test_who_changes_the_danger():
    assert "child_not_feeding" in fired("not able to drink anything", age=1)
    assert "child_not_feeding" not in fired("not able to drink anything", age=40)
    assert "young_infant_fever" in fired("navjaat bachche ka sharir thanda pad gaya")
    assert "pregnancy_other_danger" in fired("tez bukhar hai", pregnant=True)
    assert "pregnancy_other_danger" not in fired("tez bukhar hai", pregnant=True, sex="m")
    assert "head_injury_danger" in fired("fell and hit his head, now headache", age=80)
    assert "head_injury_danger" not in fired("fell and hit his head, now headache", age=30)


def test_gcs_is_read_as_a_score():
    assert "unconscious" in fired("GCS 7/15")
    assert fired("GCS 15, alert and talking") == set()


def test_negated_parts_never_assert_a_danger():
    for text in ("chehra nahi jala", "no burns on the face", "ਬੱਚਾ ਦੁੱਧ ਨਹੀਂ ਛੱਡਦਾ, ਚੰਗਾ ਪੀਂਦਾ"):
        assert "severe_burn" not in fired(text)


# --- the data itself: reviewable, cited, in every language and script ---

DEVANAGARI = re.compile(r"[\u0900-\u097f]")
GURMUKHI = re.compile(r"[\u0a00-\u0a7f]")

INDIC_ONLY = {"unable_post"}  # "pee nahi pa raha": English puts its "can't" before the verb (unable_pre)


def test_every_part_has_forms_in_three_languages_and_scripts():
    forms: dict[str, dict[str, list[str]]] = {}
    for key, lang, form in part_rows():
        forms.setdefault(key, {}).setdefault(lang, []).append(form)
    for key, by_lang in forms.items():
        assert {"hi", "pa"} | ({"en"} if key not in INDIC_ONLY else set()) <= set(by_lang), f"{key}: {sorted(by_lang)}"
        assert any(DEVANAGARI.search(f) for f in by_lang["hi"]), f"{key}: no Devanagari form"
        assert any(f.isascii() for f in by_lang["hi"]), f"{key}: no romanised Hindi form"
        assert any(GURMUKHI.search(f) for f in by_lang["pa"]), f"{key}: no Gurmukhi form"
        assert any(f.isascii() for f in by_lang["pa"]), f"{key}: no romanised Punjabi form"


def test_every_rule_and_derived_fact_is_cited_and_versioned():
    assert re.fullmatch(r"\d{4}\.\d+\.\d+", RULES_VERSION)
    assert len(derived()) >= 20
    for rule in rules():
        assert rule.source and rule.advice and rule.reason.endswith(".")


# A sulfa-drug allergy (sulfonamides) told in chat is not 'sulphas' (aluminium phosphide tablets):
# no poisoning emergency when it is only an allergy statement (issue #14) ...
SULFA_ALLERGY_STATEMENTS = [
    "mujhe sulfa se allergy hai", "mujhe sulpha se allergy hai", "sulpha dawai se allergy",
    "I am allergic to sulfa drugs", "allergy: sulfa", "मुझे सल्फा से एलर्जी है", "मुझे सल्फा दवा से एलर्जी है",
    "ਮੈਨੂੰ ਸਲਫਾ ਤੋਂ ਐਲਰਜੀ ਹੈ", "ਮੈਨੂੰ ਸਲਫਾ ਦਵਾਈ ਤੋਂ ਐਲਰਜੀ ਹੈ", "mainu sulfa ton allergy hai",
]
# ... while every swallowing, smelling or exposure, any sign of illness, or sulphas alone stays an emergency.
SULPHAS_EMERGENCIES = [
    "sulfas kha li", "sulphas ki goli kha gaya", "sulfas kha ke", "sulfas", "सल्फास", "ਸਲਫਾਸ",
    "ਸਲਫਾਸ ਖਾ ਲਈ", "सल्फास खा ली", "सल्फास खाकर एलर्जी", "ਸਲਫਾਸ ਖਾ ਕੇ ਐਲਰਜੀ",
    "sulfas kha ke allergy ho gayi", "sulfas ki goli khayi allergy", "sulfas sungh li allergy",
    "sulphas ki smell se chakkar", "sulfa se allergy hai, sulfas kha li", "allergic to sulfa, swallowed sulphas",
    "mujhe sulfa se allergy hai aur ulti ho rahi hai", "sulfas se allergy hai ulti",
    "bachche ko sulfa se allergy hai, sulfas ki goli munh me daal li",
]


@pytest.mark.parametrize("text", SULFA_ALLERGY_STATEMENTS)
def test_a_sulfa_drug_allergy_statement_is_not_a_poisoning(text):
    assert "poisoning" not in fired(text)
    assert "sulfa_allergy_only" in {name for name, _ in derived()}


@pytest.mark.parametrize("text", SULPHAS_EMERGENCIES)
def test_sulphas_swallowed_smelled_or_with_symptoms_stays_a_poisoning(text):
    assert "poisoning" in fired(text)


def test_a_sulfa_allergy_with_breathing_trouble_is_still_an_emergency():
    assert {"poisoning", "anaphylaxis"} <= fired("sulfa se allergy, saans nahi aa rahi")
