"""Sehat Saathi's NLU layer: language detection, symptom extraction, red flags and slot parsers.

Everything here is plain Python on the standard library (plus ``rapidfuzz``) because the same modules
run in two interpreters: inside Rasa 3.6 on Python 3.10 (``nlu.components``) and in the 3.11 action
server, triage engine and CLI. Data lives in TSV/JSON under ``data/`` so loading needs no YAML.

Public entry points:

- ``nlu.language.detect_language(text) -> LanguageGuess(language, script, confidence)``
- ``nlu.symptoms.extract_symptoms(text) -> list[SymptomMention]``, ``symptom_codes(text)``,
  ``with_implied_codes(codes)``, ``catalogue()`` (display names per language)
- ``nlu.red_flags.detect_red_flags(text, *, symptoms=None, age=None, sex=None, pregnant=None)``,
  ``RULES_VERSION``, ``rules()``
- ``nlu.slots``: ``parse_duration_days``, ``parse_age``, ``age_in_text``, ``parse_sex``,
  ``parse_yes_no``, ``parse_severity``, ``parse_patient``, ``parse_language_choice``
- ``nlu.text``: ``normalize``, ``match_key``, ``tokenize``, ``detect_script``
- ``nlu.components``: the Rasa graph components (import only inside the Rasa environment)
"""
