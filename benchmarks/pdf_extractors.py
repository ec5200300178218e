"""Which PDF text extractor reads a slide-style PDF best: pdfminer.six (the one the import
uses) against pypdf (plain and layout mode), where pypdf is installed.

    .venv/bin/python benchmarks/pdf_extractors.py

The PDF is written by hand (``pdfgen.py``): slides with a title, bullet lines, a two-column
slide, and a footer that the content stream draws first. Measured per extractor: whether
each page's first line is its title, whether the lines come in reading order (the share of
the expected lines found in order), whether each line is whole (two columns not run into
one line), and the time per page.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pdfgen import SLIDE_SIZE, slide, write_pdf

SLIDES = [
    ("Partnerschaften im Überblick", ["seit 1958 verbunden", "17 Partnerstädte", "Austausch"]),
    ("Ergebnisse der Umfrage", ["Vielfalt", "Teilhabe", "Integration", "Hilfe", "Service", "Ort"]),
    ("Nächste Schritte", ["Leitfaden schreiben", "Mittel beantragen", "Treffen im Mai"]),
]


def _pdf() -> tuple[bytes, list[list[str]]]:
    pages, expected = [], []
    for n, (title, bullets) in enumerate(SLIDES, 1):
        footer = f"Vortrag – Folie {n}"
        pages.append(slide(title, bullets, footer, columns=n == 2))
        expected.append([title, *[f"\u2022 {b}" for b in bullets], footer])
    with tempfile.TemporaryDirectory() as tmp:
        raw = write_pdf(Path(tmp) / "slides.pdf", pages, size=SLIDE_SIZE).read_bytes()
    return raw, expected


def _pdfminer(raw: bytes) -> list[str]:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(raw)).split("\f")


def _pypdf(mode: str) -> Callable[[bytes], list[str]]:
    def run(raw: bytes) -> list[str]:
        from pypdf import PdfReader

        return [p.extract_text(extraction_mode=mode) for p in PdfReader(io.BytesIO(raw)).pages]

    return run


def _in_order(lines: list[str], expected: list[str]) -> float:
    """The share of the expected lines that appear, whole, in the expected order."""
    found, at = 0, 0
    for want in expected:
        for i in range(at, len(lines)):
            if lines[i] == want:
                found, at = found + 1, i + 1
                break
    return found / len(expected)


def score(extract: Callable[[bytes], list[str]], raw: bytes, expected: list[list[str]]) -> dict:
    t0 = time.perf_counter()
    for _ in range(10):
        pages = extract(raw)
    ms = (time.perf_counter() - t0) * 1000 / 10 / len(expected)
    pages = [[" ".join(x.split()) for x in p.split("\n") if x.strip()] for p in pages]
    pages = [p for p in pages if p]
    titles = sum(1 for p, e in zip(pages, expected, strict=False) if p and p[0] == e[0])
    order = [_in_order(p, e) for p, e in zip(pages, expected, strict=False)]
    return {
        "title_first": f"{titles}/{len(expected)}",
        "lines_in_order": round(sum(order) / len(expected), 3),
        "ms_per_page": round(ms, 2),
    }


def main() -> int:
    raw, expected = _pdf()
    extractors: dict[str, Callable[[bytes], list[str]]] = {"pdfminer.six": _pdfminer}
    try:
        import pypdf  # noqa: F401

        extractors |= {"pypdf plain": _pypdf("plain"), "pypdf layout": _pypdf("layout")}
    except ImportError:
        print("(pypdf is not installed: only pdfminer.six is measured)")
    print(f"{'extractor':14} title first  lines in order  ms/page")
    for name, extract in extractors.items():
        r = score(extract, raw, expected)
        print(f"{name:14} {r['title_first']:>11}  {r['lines_in_order']:>14}  {r['ms_per_page']:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
