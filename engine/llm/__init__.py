"""Optional local LLM: a second opinion on free text, never a decision.

    from engine import llm
    if llm.available():                       # False without SAATHI_LLM_GGUF or llama_cpp: no error, no log
        opinion = llm.second_opinion(text, found_codes)
        opinion.symptoms                      # known codes the doctor may ask about (case page)

Install with ``pip install -e .[llm]`` (``llama-cpp-python`` compiles llama.cpp, about 10 minutes)
and point ``SAATHI_LLM_GGUF`` at a GGUF file. Plain Python; no Rasa, no Flask.
"""

from engine.llm.local import SecondOpinion, available, parse_codes, second_opinion, vocabulary

__all__ = ["SecondOpinion", "available", "parse_codes", "second_opinion", "vocabulary"]
