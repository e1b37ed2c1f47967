"""Sehat Saathi's NLU layer: language detection, symptom extraction, red flags and slot parsers.

Everything here is plain Python on the standard library (plus ``rapidfuzz``) because the same modules
run in two interpreters: inside Rasa 3.6 on Python 3.10 (``nlu.components``) and in the 3.11 action
server, triage engine and CLI. Data lives in TSV/JSON under ``data/`` so loading needs no YAML.
"""
