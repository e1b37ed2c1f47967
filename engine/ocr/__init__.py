"""Document reading: photo -> type, quality, text, medications, lab results.

``read_document(path_or_bytes)`` is the public entry point (see :mod:`engine.ocr.document`); it
raises ``ImageTooLarge`` for photos with more pixels than we decode, before decoding them.
"""

from engine.ocr.document import DocumentResult, read_document
from engine.ocr.preprocess import ImageTooLarge

__all__ = ["DocumentResult", "ImageTooLarge", "read_document"]
