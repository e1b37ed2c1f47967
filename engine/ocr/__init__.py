"""Document reading: photo -> type, quality, text, medications, lab results.

``read_document(path_or_bytes)`` is the public entry point (see :mod:`engine.ocr.document`).
"""

from engine.ocr.document import DocumentResult, read_document

__all__ = ["DocumentResult", "read_document"]
