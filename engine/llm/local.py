"""A local GGUF model through ``llama-cpp-python``, for one narrow job and nothing else: list
symptom codes the lexicon missed in free text. The answer is constrained by a grammar to codes of
``data/symptoms.tsv`` and validated against that file again, so a model can only ever *suggest*
known codes; the doctor's case page shows them as a machine suggestion of what else to ask about
(issue #20 item 4). A worded explanation for patients was dropped: nothing showed it, and a
free-text model answer to a patient is a risk the symptom list does not carry.

It never decides or changes urgency: it is not shown the red-flag rules and its output is never
read by them. Optional: with no ``SAATHI_LLM_GGUF`` path, no file there, or no ``llama_cpp``
module, :func:`available` is False and nothing is loaded, raised or logged. A model that fails to
load is reported once (warning) and then treated as unavailable.
"""

from __future__ import annotations

import atexit
import csv
import importlib.util
import json
import logging
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

SYMPTOMS_TSV = Path(__file__).resolve().parents[2] / "data" / "symptoms.tsv"
MAX_SYMPTOMS = 5

_lock = threading.Lock()
_loaded: dict[str, object] = {}
_failed: set[str] = set()


@dataclass(frozen=True)
class SecondOpinion:
    """Suggestions, not findings: symptom codes for the doctor to ask the patient about."""

    symptoms: list[str]
    model: str  # the GGUF file's name, for the record


@cache
def vocabulary() -> tuple[str, ...]:
    with SYMPTOMS_TSV.open(encoding="utf-8") as handle:
        return tuple(row["code"] for row in csv.DictReader(handle, delimiter="\t") if row.get("code"))


def model_path() -> Path | None:
    from config.settings import load

    raw = load().llm_gguf
    return Path(raw) if raw else None


def available() -> bool:
    """True only when a GGUF file is configured and present and ``llama_cpp`` can be imported."""
    path = model_path()
    return (path is not None and path.is_file() and str(path) not in _failed
            and importlib.util.find_spec("llama_cpp") is not None)


def _model(path: Path):  # type: ignore[no-untyped-def]
    key = str(path)
    with _lock:
        if key not in _loaded:
            from llama_cpp import Llama

            _loaded[key] = Llama(model_path=key, n_ctx=2048, n_threads=1, seed=0, verbose=False)
        return _loaded[key]


@atexit.register
def _close_models() -> None:
    """Free loaded models before the interpreter tears llama_cpp's module down: its ``__del__``
    at shutdown otherwise fails with 'NoneType is not callable' on every exit."""
    with _lock:
        while _loaded:
            _, model = _loaded.popitem()
            close = getattr(model, "close", None)
            if callable(close):
                close()


def symptom_grammar(codes: tuple[str, ...]) -> str:
    """GBNF: a JSON list of at most ``MAX_SYMPTOMS`` codes from ``codes``."""
    alternatives = " | ".join(json.dumps(json.dumps(c)) for c in codes)
    more = ""
    for _ in range(MAX_SYMPTOMS - 1):
        more = f' (", " code{more})?'
    return f'root ::= "[" (code{more})? "]"\ncode ::= {alternatives}\n'


def _symptom_prompt(text: str, found: list[str], codes: tuple[str, ...]) -> str:
    """The symptom prompt; with ``codes`` empty the list is left out (the grammar still holds the
    answer to known codes), for models whose context window cannot take the whole list."""
    listed = f"from this list only: {', '.join(codes)}" if codes else "from our symptom list only"
    return (
        f"You read a patient's message and list symptoms it mentions, as codes {listed}.\n"
        f"Already found: {', '.join(found) or 'none'}. List only other symptoms the "
        "patient says they HAVE (not denied ones). Answer with a JSON list, [] if none.\n"
        f"Message: {text}\nCodes: "
    )


def _fits(llm, prompt: str, max_tokens: int) -> bool:  # type: ignore[no-untyped-def]
    """Whether the prompt and an answer of ``max_tokens`` fit the loaded context window.

    llama.cpp raises ValueError for a prompt longer than the window; the symptom list grows with
    the knowledge base (200 codes did not fit a 2,048-token window with a byte-level vocabulary),
    so the prompt is sized to the model instead of failing and switching the helper off.
    """
    return len(llm.tokenize(prompt.encode("utf-8"), add_bos=True)) + max_tokens <= llm.n_ctx()


def _fitting(llm, max_tokens: int, *prompts: str) -> str | None:  # type: ignore[no-untyped-def]
    """The first of ``prompts`` (longest first) that fits the window, or None."""
    return next((prompt for prompt in prompts if _fits(llm, prompt, max_tokens)), None)


def parse_codes(raw: str, found: list[str] | None = None) -> list[str]:
    """Codes from the model's answer that are in ``data/symptoms.tsv`` and not already found."""
    try:
        items = json.loads(raw)
    except ValueError:
        items = [part.strip(" \"'[]\n") for part in raw.split(",")]
    known, seen = set(vocabulary()), set(found or [])
    out = []
    for item in items if isinstance(items, list) else []:
        code = str(item).strip()
        if code in known and code not in seen:
            seen.add(code)
            out.append(code)
    return out[:MAX_SYMPTOMS]


def second_opinion(text: str, found: list[str], max_tokens: int = 96) -> SecondOpinion | None:
    """Extra symptom codes the lexicon missed, or None when unavailable or it failed."""
    path = model_path()
    if not text or not text.strip() or not available() or path is None:
        return None
    try:
        from llama_cpp import LlamaGrammar

        llm = _model(path)
        codes = vocabulary()
        grammar = LlamaGrammar.from_string(symptom_grammar(codes), verbose=False)
        prompt = _fitting(llm, max_tokens, _symptom_prompt(text, found, codes), _symptom_prompt(text, found, ()))
        raw = "[]" if prompt is None else llm(prompt, max_tokens=max_tokens, temperature=0.0,
                                              grammar=grammar)["choices"][0]["text"]
    except Exception as exc:  # noqa: BLE001 - optional helper: never break triage
        _failed.add(str(path))
        log.warning("local LLM disabled after an error (%s)", type(exc).__name__)
        return None
    return SecondOpinion(parse_codes(raw, found), path.name)
