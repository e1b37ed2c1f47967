"""Engines: plain Python (no Rasa, no Flask) — triage, ocr, meds, pharmacy, speech, notify, llm."""
