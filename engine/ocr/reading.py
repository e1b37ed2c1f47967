"""Read a prepared page several ways and keep, line by line, the most credible reading.

Why: one fixed chain (flatten, binarise, read with ``eng+hin+pan``) made some clean photos unreadable
(issue #17): flattening thinned strokes, and the Indic models turned Latin digits into Devanagari or
Gurmukhi ones. So no step is forced on a photo:

1. The flattened page is read with ``eng`` (Latin script, Latin digits), word boxes kept.
2. Lines that are doubtful (a word Tesseract is unsure of that is in none of our vocabularies) are
   read again from the binarised page; all doubtful lines of a page go to Tesseract in one image, so a
   clean photo costs one pass. (A re-read from the photo's own grey levels came first until issue #17's
   time step: it won 8 of the dev set's 301 lines and changed no field when dropped.)
3. The script is chosen per line: a line whose words carry the head-stroke (shirorekha) of Devanagari
   and Gurmukhi, or half of whose words ``eng`` could not read, is read with ``hin+pan`` (once for all such lines) and
   keeps the words of its dominant Indic script only (a Hindi line does not get a stray Gurmukhi word);
   only those Indic-letter words replace the ``eng`` words they cover, so digits and brand names always
   come from ``eng``.
4. A word with a digit Tesseract was unsure of is read again alone (:func:`reread_numbers`): in a
   row's context a decimal point merged into the next digit ("3.1" read as "34").
5. Each candidate line is scored by credible characters: Tesseract's word confidence times length,
   more for words found in our vocabularies (medicine KB, lab names and units, the Hindi/Punjabi/English
   words of our catalogues), plus a bonus when the line parses as a lab row, a medicine or a schedule.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from statistics import median

import cv2
import numpy as np
import yaml

from config.paths import ROOT
from config.settings import load as load_settings
from engine.ocr.layout import Word, group_rows, rows_to_text, words_from_data
from engine.ocr.words import user_words_path
from engine.ocr.words import vocabulary as medical_words

LATIN = "eng"
INDIC = load_settings().ocr_indic_langs
_DEVA = re.compile(r"[\u0900-\u097F]")
_GURU = re.compile(r"[\u0A00-\u0A7F]")
PSM = 6
DOUBT_CONF = 70.0  # a word below this confidence that is no known word makes its line doubtful
_INDIC_LETTER = re.compile(r"[\u0900-\u0963\u0971-\u097F\u0A00-\u0A65\u0A70-\u0A7F]")
_INDIC_DIGIT = re.compile(r"[\u0966-\u096F\u0A66-\u0A6F]")
_NUMERIC = re.compile(r"^[(\[]?[<>≤≥]?[\d.,:/\-–%*x×½]+[)\].,;:]?$|^\d+(?:\.\d+)?[a-zA-Z/%]{0,6}$")
_TOKEN = re.compile(r"[A-Za-z\u0900-\u0A7F]+")


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Lower-case words we expect on medical papers: the medicine/lab user words plus every word of the
    message catalogue and lexicons in English, Hindi and Punjabi."""
    words = {w.lower() for w in medical_words()}
    sources = list((ROOT / "data" / "messages").glob("*.yml")) + list((ROOT / "data" / "lexicon").glob("*.tsv"))
    sources += [ROOT / "data" / "symptom_lexicon.tsv", ROOT / "data" / "labs" / "ranges.yml"]
    words |= {unit.replace("µ", "u") for spec in yaml.safe_load(sources[-1].read_text(encoding="utf-8")).values()
              for unit in spec["units"]}
    for path in sources:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".yml":
            text = yaml.safe_dump(yaml.safe_load(text), allow_unicode=True)
        words |= {t.lower() for t in _TOKEN.findall(text) if len(t) >= 3}  # 2-letter junk must not pass
    return frozenset(words)


_UNITS = frozenset({"mg", "ml", "mcg", "g", "gm", "iu", "dl", "%", "mm", "hr", "kg", "tab", "cap", "syp", "inj"})


def known(text: str) -> bool:
    """A number, range or dose pattern, or a word of our vocabularies."""
    if _NUMERIC.match(text):
        return True
    whole = text.lower().strip(".,:;()[]|")
    if whole in vocabulary() or whole.replace("µ", "u") in _UNITS:
        return True
    tokens = _TOKEN.findall(text)
    return bool(tokens) and all(t.lower() in vocabulary() for t in tokens)


def credibility(words: list[Word]) -> float:
    """Credible characters: confidence-weighted length, known words counting half as much again."""
    total = 0.0
    for w in words:
        if w.conf < 30:
            continue
        total += (w.conf / 100) * len(w.text) * (1.5 if known(w.text) else 1.0)
    return total


def _structure_bonus(words: list[Word]) -> float:
    """A line that parses as a lab row, a medicine or a schedule is more credible than one that does not."""
    from engine.meds.frequency import parse_frequency
    from engine.meds.parse import find_medicines
    from engine.ocr.labs import parse_line

    text = " ".join(w.text for w in words)
    bonus = 0.0
    if parse_line(text):
        bonus += 6
    if find_medicines(text):
        bonus += 4
    if parse_frequency(text):
        bonus += 3
    return bonus


def score(words: list[Word]) -> float:
    return credibility(words) + (_structure_bonus(words) if words else 0.0)


def doubtful(row: list[Word]) -> bool:
    return any(w.conf < DOUBT_CONF and not known(w.text) for w in row)


def tesseract_words(image: np.ndarray | bytes, lang: str, psm: int = PSM, plain: bool = False) -> list[Word]:
    """Tesseract's words with boxes. The page goes to Tesseract as an uncompressed PGM file: pytesseract
    would write a PNG, and compressing it took a quarter of a photo's reading time (same pixels, same
    words). ``plain``: Tesseract's defaults (no user words), as ``tesseract photo - -l LANG`` reads."""
    import pytesseract  # here: importing it imports pandas (~0.5 s), and every gateway start imports this module

    config = f"--oem 1 --psm {psm}" if plain else f"--oem 1 --psm {psm} -c preserve_interword_spaces=1"
    if lang == LATIN and not plain:
        config += f" --user-words {user_words_path()}"
    with tempfile.TemporaryDirectory(prefix="saathi-ocr-") as tmp:
        path = os.path.join(tmp, "page.pgm")
        if isinstance(image, bytes):  # the photo's own file, as plain Tesseract gets it
            path = os.path.join(tmp, "photo")
            with open(path, "wb") as handle:
                handle.write(image)
        else:
            if image.dtype != np.uint8:
                image = (image > 0).astype(np.uint8) * 255
            cv2.imwrite(path, image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
        data = pytesseract.image_to_data(path, lang=lang, config=config, output_type=pytesseract.Output.DICT)
    return words_from_data(data)


@dataclass(frozen=True)
class Band:
    """A line's horizontal strip of the page: where to crop it and which part of the crop is the line."""

    top: int
    bottom: int
    core_top: int  # the line itself: a word read in the strip belongs to it when its middle lies here
    core_bottom: int

    @classmethod
    def of(cls, row: list[Word], page_height: int) -> Band:
        height = median(w.height for w in row)
        core_top, core_bottom = min(w.top for w in row), max(w.top + w.height for w in row)
        return cls(max(0, core_top - int(0.35 * height)), min(page_height, core_bottom + int(0.35 * height)),
                   core_top, core_bottom)


def read_bands(image: np.ndarray, bands: list[Band], lang: str, gap: int = 24) -> list[list[Word]]:
    """Read many strips of ``image`` with one Tesseract call (stacked with white gaps); words come back
    in page coordinates, each strip's words being those whose middle lies on its line (not in the margin
    around it, where a neighbouring line may show)."""
    if not bands:
        return []
    white = 255 if image.dtype == np.uint8 else 1
    parts, offsets, y = [], [], 0
    for band in bands:
        strip = image[band.top:band.bottom]
        parts.append(strip)
        offsets.append(y)
        y += strip.shape[0]
        parts.append(np.full((gap, image.shape[1]), white, dtype=image.dtype))
        y += gap
    stacked = np.vstack(parts)
    found = tesseract_words(stacked, lang)
    out: list[list[Word]] = [[] for _ in bands]
    for word in found:
        middle = word.top + word.height / 2
        for i, (band, start) in enumerate(zip(bands, offsets, strict=True)):
            if start + band.core_top - band.top <= middle <= start + band.core_bottom - band.top:
                out[i].append(Word(word.text, word.left, word.top - start + band.top, word.width, word.height,
                                   word.conf))
                break
    return [sorted(ws, key=lambda w: w.left) for ws in out]


def has_headline(image: np.ndarray, word: Word) -> bool:
    """Whether a word box shows the continuous head-stroke of Devanagari/Gurmukhi: in the upper 40% of its
    ink, one unbroken run of ink along one pixel row across most of the word's width (Latin letters leave
    gaps). The ink's own extent, not the box's, is measured: a re-read's box can be loose, blank rows above
    the letters, and then the head-stroke lay below the box's half and a narrow Gurmukhi word looked too
    tall to be one (a fixture's 'ਦਿਨ ਵਿੱਚ ਤਿੰਨ ਵਾਰ' stayed 'fos fia fis va' and lost its TDS, issue #17).
    ``eng`` often boxes several Indic words as one ('ਸਵੇਰੇ ਖਾਲੀ ਪੇਟ' read as 'HedwStte'), whose head-strokes
    the spaces break: each piece between blank columns is then measured on its own."""
    if word.height < 8:
        return False
    crop = image[max(0, word.top):word.top + word.height, max(0, word.left):word.left + word.width]
    if crop.size == 0:
        return False
    _, ink = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if _headline_in(ink):
        return True
    blank = np.concatenate(([True], ink.sum(axis=0) == 0, [True]))
    edges = np.flatnonzero(np.diff(blank.astype(np.int8)))  # starts and ends of inked column runs
    pieces = [ink[:, a:b] for a, b in zip(edges[::2], edges[1::2], strict=True)]
    # a piece as tall as half the box (not a dash: a dash is all "head-stroke") and wider than the box is
    # tall: a whole word joined by its head-stroke, not a Latin letter or two (a T's bar is no head-stroke)
    return len(pieces) > 1 and any(np.count_nonzero(piece.any(axis=1)) >= 0.5 * ink.shape[0]
                                   and piece.shape[1] >= 1.2 * ink.shape[0] and _headline_in(piece, 0.75)
                                   for piece in pieces)


def _headline_in(ink: np.ndarray, share: float = 0.55) -> bool:
    """The test of :func:`has_headline` on a binary ink image (1 = ink): a run over ``share`` of its width
    (a piece of a box is held to more: "Ta" joined by the T's bar is no Indic word)."""
    inked = np.flatnonzero(ink.mean(axis=1) >= 0.1)
    if len(inked):
        ink = ink[inked[0]:inked[-1] + 1]
    width = ink.shape[1]
    if width < 0.9 * ink.shape[0]:
        return False
    for line in ink[: max(1, int(ink.shape[0] * 0.4))]:  # above an H's crossbar; the head-stroke is higher
        padded = np.concatenate(([0], line, [0]))
        edges = np.flatnonzero(np.diff(padded))
        if not len(edges):
            continue
        longest = int((edges[1::2] - edges[::2]).max())
        if longest >= share * width or (share < 0.6 and longest >= 0.3 * width and line.mean() >= 0.8):
            return True
    return False


def _overlap(a: Word, b: Word) -> float:
    left, right = max(a.left, b.left), min(a.left + a.width, b.left + b.width)
    return max(0, right - left) / max(1, min(a.width, b.width))


def indic_words(words: list[Word]) -> list[Word]:
    """The words of an Indic reading worth taking: Indic letters of the line's dominant script (by
    confident characters), no Indic digits, some confidence."""
    words = [w for w in words if _INDIC_LETTER.search(w.text) and not _INDIC_DIGIT.search(w.text) and w.conf >= 40]
    deva = sum(len(_DEVA.findall(w.text)) * w.conf for w in words)
    guru = sum(len(_GURU.findall(w.text)) * w.conf for w in words)
    script = _DEVA if deva >= guru else _GURU
    return [w for w in words if script.search(w.text)]


def merge_indic(latin: list[Word], indic: list[Word], image: np.ndarray | None = None) -> list[Word]:
    """The line with its Indic-script words from the Indic reading: such a word replaces the ``eng`` words
    it covers unless one of those is a confident known word or number without a head-stroke (so "650"
    never becomes "६५०", while "ek" read from "एक" does not stay); Indic digits and Latin words of the
    Indic reading are ignored."""
    merged = list(latin)
    for word in indic_words(indic):
        covered = [w for w in merged if _overlap(w, word) >= 0.4]
        if any(not _INDIC_LETTER.search(w.text) and (
                (known(w.text) and w.conf >= 80)
                or (not (image is not None and has_headline(image, w)) and (known(w.text) or w.conf >= word.conf)))
               for w in covered):
            continue
        merged = [w for w in merged if w not in covered] + [word]
    return sorted(merged, key=lambda w: w.left)


def struck_through(image: np.ndarray, word: Word) -> bool:
    """Whether a word is crossed out: one pixel row in its middle band dark across nearly all its width
    (a dose pattern's own dashes cover well under half of it)."""
    crop = image[max(0, word.top):word.top + word.height, max(0, word.left):word.left + word.width]
    if crop.size == 0 or word.height < 6:
        return False
    _, ink = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    middle = ink[int(ink.shape[0] * 0.25): max(int(ink.shape[0] * 0.75), int(ink.shape[0] * 0.25) + 1)]
    return float(middle.mean(axis=1).max()) >= 0.9


UNREAD = "?"


def mark_unread_doses(image: np.ndarray, rows: list[list[Word]]) -> list[list[Word]]:
    """A dose schedule Tesseract barely saw, or one crossed out, becomes "?": reported unread, never guessed."""
    from engine.meds.frequency import PATTERN_RE

    out = []
    for row in rows:
        fixed = []
        for w in row:
            if PATTERN_RE.fullmatch(w.text.strip(".,;:()")) and (w.conf < 35 or struck_through(image, w)):
                w = Word(UNREAD, w.left, w.top, w.width, w.height, w.conf)
            fixed.append(w)
        out.append(fixed)
    return out


@dataclass
class PageReading:
    rows: list[list[Word]]
    sources: list[str]  # which reading each row came from (for the benchmark and tests)

    @property
    def words(self) -> list[Word]:
        return [w for row in self.rows for w in row]

    @property
    def text(self) -> str:
        return rows_to_text([r for r in self.rows if r])


def read_page(flat: np.ndarray, binary: np.ndarray | Callable[[], np.ndarray] | None = None,
              indic: bool = True) -> PageReading:
    """The most credible reading of a page, line by line (see the module docstring); ``indic=False`` stops
    after the Latin reading (see :func:`add_indic`). ``binary`` may be a function making it, called only
    when a line is doubtful (most clean pages never need the binarised page)."""
    rows = group_rows(tesseract_words(flat, LATIN))
    sources = ["flat"] * len(rows)
    todo = [i for i, row in enumerate(rows) if doubtful(row)]
    if binary is not None and todo:
        image = binary() if callable(binary) else binary
        again = read_bands(image, [Band.of(rows[i], flat.shape[0]) for i in todo], LATIN)
        for i, candidate in zip(todo, again, strict=True):
            if candidate and score(candidate) > score(rows[i]):
                rows[i], sources[i] = candidate, "binary"
    latin = PageReading(rows, sources)
    return add_indic(flat, latin) if indic else latin


INDIC_SHARE = 0.5  # a line is plausibly Indic when at least this share of its lettered words is unreadable in eng


def unreadable(word: Word) -> bool:
    """An ``eng`` word that is neither confident nor a number, unit or word of our vocabularies."""
    return word.conf < DOUBT_CONF and not known(word.text)


def plausibly_indic(image: np.ndarray, row: list[Word]) -> bool:
    """Whether a line is worth a ``hin+pan`` reading: a word carries the Devanagari/Gurmukhi head-stroke,
    or at least half its words with letters (rules and dashes do not count) are unreadable in ``eng``.
    Why: re-reading every line with one unsure word sent most of a real photo's Latin page to ``hin+pan`` (the largest single cost, issue #17),
    while ``eng`` reads an Indic line as mostly unsure junk, so a Latin line with a few blurred words
    stays Latin."""
    lettered = [w for w in row if any(c.isalpha() for c in w.text)]
    if lettered and sum(unreadable(w) for w in lettered) >= INDIC_SHARE * len(lettered):
        return True
    # A word eng is sure of and knows (Tab, OPD, 70) stays Latin whatever the Indic reading says (see
    # merge_indic), so its 'head-stroke' (a T's or 7's bar, a dash) is no reason to pay for an Indic pass:
    # on the dev set 57 of 70 lines flagged by the head-stroke alone came back unchanged and 7 worse.
    return any(has_headline(image, w) for w in row if not (known(w.text) and w.conf >= 80))


NUMBER_SURE = 85.0  # a word with a digit read with less confidence is read again on its own
_EDGE_PUNCT = "|\"'“”‘’:;,()[]{}"


def _cropped(image: np.ndarray, word: Word) -> np.ndarray:
    """The word with half its height of margin left and right and a quarter above and below."""
    margin = max(4, word.height // 2)
    top, left = max(0, word.top - margin // 2), max(0, word.left - margin)
    return image[top:word.top + word.height + margin // 2, left:word.left + word.width + margin]


def strays_removed(crop: np.ndarray) -> np.ndarray:
    """The crop with ink blobs lying wholly above or below its characters painted paper-white: the
    characters are the blobs at least 60 % as tall as the tallest, and their band spans from the highest
    top to the lowest bottom among them. Why: a speck left where a table's rules crossed (after
    :func:`engine.ocr.preprocess.remove_rules`) sat above a creatinine "2.1"; Tesseract took it for a
    quote and read "“24" (conf 56) alone as in the row, while the crop without it reads "2.1" (conf 96).
    A decimal point lies inside the band (on the baseline), so it is kept."""
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count < 3:
        return crop
    tops, heights = stats[1:, cv2.CC_STAT_TOP], stats[1:, cv2.CC_STAT_HEIGHT]
    tall = heights >= 0.6 * heights.max()
    band_top, band_bottom = tops[tall].min(), (tops + heights)[tall].max()
    stray = np.flatnonzero((tops + heights <= band_top + 1) | (tops >= band_bottom - 1)) + 1
    if not len(stray):
        return crop
    out = crop.copy()
    out[np.isin(labels, stray)] = 255
    return out


def read_alone(image: np.ndarray, words: list[Word], gap: int = 24) -> list[list[Word]]:
    """Each word's box read on its own, all in one Tesseract call (crops stacked with white gaps); the
    words found in each crop, left to right (their boxes are the stacked image's, not the page's)."""
    crops = [strays_removed(_cropped(image, w)) for w in words]
    width = max(c.shape[1] for c in crops) + 2 * gap
    parts, spans, y = [], [], 0
    for crop in crops:
        strip = np.full((crop.shape[0] + gap, width), 255, np.uint8)
        strip[:crop.shape[0], gap:gap + crop.shape[1]] = crop
        parts.append(strip)
        spans.append((y, y + crop.shape[0]))
        y += strip.shape[0]
    out: list[list[Word]] = [[] for _ in words]
    for found in tesseract_words(np.vstack(parts), LATIN):
        middle = found.top + found.height / 2
        index = next((i for i, (a, b) in enumerate(spans) if a <= middle <= b), None)
        if index is not None:
            out[index].append(found)
    return [sorted(ws, key=lambda w: w.left) for ws in out]


def reread_numbers(image: np.ndarray, rows: list[list[Word]]) -> list[list[Word]]:
    """Words with a digit that Tesseract was unsure of (under ``NUMBER_SURE``), read again each on its
    own; a sure (``NUMBER_SURE``+) and surer reading of one word replaces it. Why: in a table row the
    line's context made Tesseract merge a decimal point into the next digit ("3.1" read as "34",
    conf 70, then its point 'restored' as 3.4; a dose "1.1.1" as "11-1"), while the number alone
    reads right (conf 95) on the same page image. Punctuation a crop's edge caught is dropped."""
    unsure = [(r, i) for r, row in enumerate(rows) for i, w in enumerate(row)
              if w.conf < NUMBER_SURE and any(c.isdigit() for c in w.text) and w.height >= 8]
    if not unsure:
        return rows
    again = read_alone(image, [rows[r][i] for r, i in unsure])
    out = [list(row) for row in rows]
    for (r, i), found in zip(unsure, again, strict=True):
        old = out[r][i]
        words = [w for w in found if w.text.strip(_EDGE_PUNCT)]
        if len(words) != 1:
            continue
        text = words[0].text.strip(_EDGE_PUNCT).rstrip(".")
        if (any(c.isdigit() for c in text) and words[0].conf >= NUMBER_SURE and words[0].conf >= old.conf + 10
                and text != old.text.strip(_EDGE_PUNCT).rstrip(".")):
            out[r][i] = Word(text, old.left, old.top, old.width, old.height, words[0].conf, old.line)
    return out


def _loses_lab_row(latin: list[Word], merged: list[Word]) -> bool:
    """Whether taking the Indic words turns a line that parses as a lab row into one that does not, or into
    another test's row. Why: short Latin words were replaced by the ``hin+pan`` reading's letters ("Hb"
    beside "9.6 *" by "कह" on a shadowed village-clinic slip; the "PP" of "Blood Sugar PP", whose two
    bowls' tops look like a head-stroke, by "ਨ", leaving "Blood Sugar" for the fasting row), and the row
    was lost; an Indic label beside the numbers is still taken where the row reads the same either way."""
    from engine.ocr.labs import parse_line

    before = parse_line(" ".join(w.text for w in latin))
    after = parse_line(" ".join(w.text for w in merged)) if before else None
    return before is not None and (after is None or after.code != before.code)


def add_indic(flat: np.ndarray, page: PageReading) -> PageReading:
    """Step 3 of the module docstring on a Latin reading of ``flat``, after its unsure numbers were read
    again alone (:func:`reread_numbers`) and its unsure dose patterns from their marks
    (:func:`engine.ocr.doses.reread_doses`); doses still unsure marked unread."""
    from engine.ocr.doses import reread_doses

    rows, sources, height = reread_doses(flat, reread_numbers(flat, page.rows)), list(page.sources), flat.shape[0]
    indic = [i for i, row in enumerate(rows) if plausibly_indic(flat, row)]
    if indic:
        readings = read_bands(flat, [Band.of(rows[i], height) for i in indic], INDIC)
        for i, words in zip(indic, readings, strict=True):
            merged = merge_indic(rows[i], words, flat)
            if merged != rows[i] and not _loses_lab_row(rows[i], merged):
                rows[i], sources[i] = merged, f"{sources[i]}+indic"
    return PageReading(mark_unread_doses(flat, rows), sources)
