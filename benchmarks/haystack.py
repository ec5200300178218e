"""Synthetic German distractor pages: a haystack around the real corpus.

    .venv/bin/python benchmarks/haystack.py OUT --chunks 10000 [--seed 1958] [--no-corpus]
    .venv/bin/python benchmarks/haystack.py OUT --pages 50

Each page is about one fictional municipality (its ``city`` and ``title`` name it) and is
written in the corpus format (``corpus/*.md``: YAML front matter, headings, partnership year
lists, network paragraphs, an address block and contact cards such as
``Nachname, Vorname / Partnerstädte: … / Telefon … / E-Mail …``). Partner cities are real
cities, Darmstadt's own partners among them (Szeged, Troyes, Graz …), so the real pages become
a needle in a haystack of look-alike contact cards and year lists.

Deterministic: every choice comes from ``random.Random`` seeded by the seed (page ``i`` by
``f"{seed}:{i}"``), never from ``hash()``; the same seed gives the same bytes, and the pages
of a smaller haystack are the first pages of a larger one.
"""

from __future__ import annotations

import random
import shutil
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

import benchlib

DEFAULT_SEED = 1958
SAMPLE_PAGES = 40  # pages chunked to measure the chunks per page


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _items(text: str) -> tuple[str, ...]:
    return tuple(text.split(", "))


# Darmstadt's own partner cities (with their countries): the hard part of the haystack.
DARMSTADT_PARTNERS = (
    ("Alkmaar", "Niederlande"),
    ("Brescia", "Italien"),
    ("Bursa", "Türkei"),
    ("Chesterfield", "England"),
    ("Freiberg", "Deutschland"),
    ("Graz", "Österreich"),
    ("Gyönk", "Ungarn"),
    ("Liepāja", "Lettland"),
    ("Logroño", "Spanien"),
    ("Nahariya", "Israel"),
    ("Płock", "Polen"),
    ("Saanen-Gstaad", "Schweiz"),
    ("San Antonio", "USA"),
    ("Szeged", "Ungarn"),
    ("Trondheim", "Norwegen"),
    ("Troyes", "Frankreich"),
    ("Uzhhorod", "Ukraine"),
)
OTHER_PARTNERS = (
    ("Angers", "Frankreich"),
    ("Arezzo", "Italien"),
    ("Bergen", "Norwegen"),
    ("Besançon", "Frankreich"),
    ("Brünn", "Tschechien"),
    ("Cluj-Napoca", "Rumänien"),
    ("Colmar", "Frankreich"),
    ("Debrecen", "Ungarn"),
    ("Dijon", "Frankreich"),
    ("Eger", "Ungarn"),
    ("Esbjerg", "Dänemark"),
    ("Ferrara", "Italien"),
    ("Gent", "Belgien"),
    ("Göteborg", "Schweden"),
    ("Haarlem", "Niederlande"),
    ("Jelgava", "Lettland"),
    ("Kaunas", "Litauen"),
    ("Košice", "Slowakei"),
    ("Lahti", "Finnland"),
    ("Leeds", "England"),
    ("Lublin", "Polen"),
    ("Lwiw", "Ukraine"),
    ("Maribor", "Slowenien"),
    ("Montpellier", "Frankreich"),
    ("Odense", "Dänemark"),
    ("Olmütz", "Tschechien"),
    ("Oviedo", "Spanien"),
    ("Padua", "Italien"),
    ("Pécs", "Ungarn"),
    ("Poitiers", "Frankreich"),
    ("Posen", "Polen"),
    ("Reims", "Frankreich"),
    ("Salamanca", "Spanien"),
    ("Tartu", "Estland"),
    ("Tampere", "Finnland"),
    ("Trient", "Italien"),
    ("Uppsala", "Schweden"),
    ("Utrecht", "Niederlande"),
    ("Varna", "Bulgarien"),
    ("Worcester", "England"),
    ("York", "England"),
    ("Zadar", "Kroatien"),
    ("Asheville", "USA"),
    ("Haifa", "Israel"),
    ("Izmir", "Türkei"),
    ("Bila Zerkwa", "Ukraine"),
)
STEMS = _words(
    "Wendel Hohen Eich Linden Rosen Birken Erlen Tannen Buchen Mühl Stein Kirch Wald Feld "
    "Sonnen Morgen Otten Hatten Eppel Lauter Roden Wilden Hassel Ober Reichen Schön "
    "Falken Adler Hirsch Fuchs Wolfs Bären Elm Walters Gerns Ebers Kornel Lorsch Seligen "
    "Weiler"
)
ENDINGS = _words(
    "bach berg burg feld hausen heim dorf stein au brück tal hofen rode weiler born stadt "
    "kirchen furt hain wiesen scheid lingen ingen sheim hagen mühle eck grund roth brunn"
)
QUALIFIERS = (
    "",
    "Alt-",
    "Neu-",
    "Ober-",
    "Nieder-",
    "Bad ",
    "Groß-",
    "Klein-",
    " am Main",
    " an der Lahn",
    " im Odenwald",
    " an der Bergstraße",
    " am Rhein",
    " im Taunus",
    " an der Nahe",
)
FIRST_NAMES = _words(
    "Anna Ben Clara David Elif Felix Greta Hannah Ida Jonas Katharina Lena Lukas Marie "
    "Matthias Nina Oliver Paula Ralf Sabine Tobias Ulrike Vera Yusuf Zoe Andreas Birgit "
    "Carsten Dorothea Emil Frieda Georg Helene Ingo Jana Klaus Lea Mira Nils Petra Sven "
    "Theresa Uwe Wiebke Ana-Maria Lars-Ole"
)
SURNAME_HEADS = _words(
    "Acker Brenn Dorn Eck Fass Gold Hart Hof Kamp Kirch Lang Lind Mohr Nuss Pfeif Ross "
    "Schaf Scholl Sonn Stein Wag Weid Wend Zimmer Berg Franz Kern Vogel"
)
SURNAME_TAILS = _words("er mann ner ler hardt inger ert el hold meier bach huber")
KINDS = ("Stadt", "Gemeinde", "Marktgemeinde")
OFFICES = (
    "Büro für Städtepartnerschaften",
    "Amt für Internationales",
    "Fachbereich Bürgerdienste, Partnerschaften und Europa",
    "Stabsstelle Internationale Beziehungen",
)
NETWORKS = (
    ("Mayors for Peace", "für Frieden und atomare Abrüstung eintritt"),
    ("Klima-Bündnis", "den kommunalen Klimaschutz voranbringt"),
    ("Fairtrade-Towns", "den Fairen Handel auf lokaler Ebene verankert"),
    ("Sister Cities International", "Partnerschaften zwischen Gemeinden weltweit stärkt"),
    ("Rat der Gemeinden und Regionen Europas", "die kommunale Selbstverwaltung in Europa vertritt"),
    ("Cities for Life", "sich gegen die Todesstrafe einsetzt"),
    ("Energy Cities", "die Energiewende in Städten unterstützt"),
    ("Eurocities", "die Interessen großer europäischer Städte bündelt"),
    ("Global Parliament of Mayors", "Bürgermeisterinnen und Bürgermeister weltweit vernetzt"),
    ("Europäische Städtekoalition gegen Rassismus", "Rassismus und Diskriminierung bekämpft"),
)
PROJECTS = (
    "Jugendaustausch mit {p}",
    "Schulpartnerschaft mit {p}",
    "Feuerwehrbegegnung mit {p}",
    "Sportturnier der Partnerstädte in {p}",
    "Bürgerreise nach {p}",
    "Kunstausstellung aus {p}",
    "Chorbegegnung mit {p}",
    "Fachkräfteaustausch mit {p}",
)
TOPICS = _items("Klimaschutz, Jugendbeteiligung, Kultur, Sport, Bildung, Wirtschaft, Ehrenamt")


@dataclass(frozen=True)
class Page:
    """One synthetic page: its file name, the fictional municipality and the Markdown."""

    file: str
    city: str
    text: str


def municipality_names(seed: int) -> list[str]:
    """Every fictional municipality name, in a seed-determined order (no repeats)."""
    names = sorted(
        {
            (q + s + e if q.endswith(("-", " ")) or not q else s + e + q)
            for q in QUALIFIERS
            for s in STEMS
            for e in ENDINGS
        }
    )
    random.Random(f"{seed}:names").shuffle(names)
    return names


def _slug(name: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", " ": "-"})
    folded = name.lower().translate(table)
    return "-".join(part for part in "".join(c if c.isalnum() else "-" for c in folded).split("-"))


def _person(rng: random.Random) -> tuple[str, str]:
    surname = rng.choice(SURNAME_HEADS) + rng.choice(SURNAME_TAILS)
    return surname, rng.choice(FIRST_NAMES)


def _phone(rng: random.Random) -> tuple[str, str]:
    area = f"(0{rng.randint(2000, 9999)})"
    head = rng.randint(10, 99)
    return f"{area} {head}-{rng.randint(1000, 9999)}", f"{area} {head}-{rng.randint(1000, 9999)}"


def _partners(rng: random.Random) -> list[tuple[int, str, str]]:
    """(year, city, country) of the municipality's partnerships, oldest first."""
    count = rng.randint(3, 9)
    own = rng.randint(1, 3) if rng.random() < 0.6 else 0  # Darmstadt partners among them
    cities = rng.sample(DARMSTADT_PARTNERS, own) + rng.sample(OTHER_PARTNERS, count - own)
    years = sorted(rng.randint(1952, 2023) for _ in cities)
    rng.shuffle(cities)
    return [(year, city, country) for year, (city, country) in zip(years, cities, strict=True)]


def _year_list(partners: list[tuple[int, str, str]]) -> list[str]:
    by_year: dict[int, list[str]] = {}
    for year, city, country in partners:
        by_year.setdefault(year, []).append(f"{city} ({country})")
    return [f"- {year} {', '.join(places)}" for year, places in sorted(by_year.items())]


def _networks(rng: random.Random, city: str, kind: str) -> list[str]:
    paragraphs = []
    for name, aim in rng.sample(NETWORKS, rng.randint(2, 4)):
        year = rng.randint(1985, 2023)
        topic = rng.choice(TOPICS)
        paragraphs.append(
            f"Die {kind} {city} ist seit {year} Mitglied im Netzwerk „{name}“, das {aim}. "
            f"Im Rahmen der Mitgliedschaft beteiligt sich {city} an Treffen, Aktionstagen und "
            f"dem Erfahrungsaustausch mit anderen Kommunen, zuletzt zum Thema {topic}. "
            f"Ansprechpartner für das Netzwerk ist das Büro für Städtepartnerschaften im Rathaus."
        )
    return paragraphs


def _projects(rng: random.Random, city: str, partners: list[tuple[int, str, str]]) -> list[str]:
    out = []
    for template in rng.sample(PROJECTS, rng.randint(1, 3)):
        year, partner, _country = rng.choice(partners)
        when = rng.randint(max(year, 2000), 2024)
        title = template.format(p=partner)
        out.append(
            f"### {title}\n\nIm Jahr {when} fand die Veranstaltung „{title}“ statt. "
            f"Gemeinsam mit Vereinen, Schulen und der Verwaltung von {partner} wurden "
            f"Begegnungen organisiert, an denen {rng.randint(12, 180)} Bürgerinnen und Bürger aus "
            f"{city} teilnahmen. Die Partnerschaft mit {partner} besteht seit {year}."
        )
    return out


def _contacts(
    rng: random.Random, slug: str, partners: list[tuple[int, str, str]]
) -> tuple[list[str], str]:
    """Contact cards that split the partner cities between two to four people."""
    names = sorted(city for _year, city, _country in partners)
    people = min(len(names), rng.randint(2, 4))
    shares = [names[i::people] for i in range(people)]
    fax = _phone(rng)[1]
    mail = rng.choice(("international", "partnerschaften", "staedtepartnerschaften"))
    cards = []
    lead_surname, lead_first = _person(rng)
    cards.append(
        f"{lead_surname}, {lead_first}\nLeitung Internationale Beziehungen\n"
        f"Telefon {_phone(rng)[0]}\nFax {fax}\nE-Mail {mail}@{slug}.de"
    )
    for share in shares:
        surname, first = _person(rng)
        cards.append(
            f"{surname}, {first}\nPartnerstädte: {', '.join(sorted(share))}\n"
            f"Telefon {_phone(rng)[0]}\nFax {fax}\nE-Mail {mail}@{slug}.de"
        )
    return cards, f"{mail}@{slug}.de"


def page(seed: int, index: int, city: str) -> Page:
    """Page ``index`` of the haystack of ``seed``, about the municipality ``city``."""
    rng = random.Random(f"{seed}:{index}")
    slug = _slug(city)
    doc_id = f"haystack-{index:06d}-{slug}"
    kind = rng.choice(KINDS)
    office = rng.choice(OFFICES)
    partners = _partners(rng)
    first, last = partners[0], partners[-1]
    as_of = max(2015, last[0]) + rng.randint(0, 2)
    title = rng.choice(
        (
            f"Internationales – {kind} {city}",
            f"Städtepartnerschaften der {kind} {city}",
            f"Partnerstädte und Netzwerke – {city}",
        )
    )
    cards, mail = _contacts(rng, slug, partners)
    street = rng.choice(("Marktplatz", "Rathausplatz", "Hauptstraße", "Schlossstraße"))
    postcode = rng.randint(10000, 99999)
    front = [
        "---",
        f"id: {doc_id}",
        f'title: "{title}"',
        f'publisher: "{kind} {city}, {office}"',
        f"city: {city}",
        f'source: "Synthetic distractor page about the fictional municipality {city}, '
        f'generated by benchmarks/haystack.py (seed {seed}, page {index}); not a real page"',
        "language: de",
        f"as_of: {as_of}  # synthetic",
        "---",
    ]
    body = [
        f"# {title}",
        f"Die {kind} {city} pflegt Beziehungen zu {len(partners)} Partnerstädten in Europa "
        f"und der Welt. Die Partnerschaften werden von Vereinen, Schulen und vielen "
        f"Bürgerinnen und Bürgern getragen. Das {office} koordiniert die Begegnungen und "
        f"berät Initiativen, die sich für die internationale Verständigung einsetzen.",
        "## Städtepartnerschaften",
        f"Die {kind} {city} unterhält {len(partners)} Städtepartnerschaften. Die erste wurde "
        f"im Jahr {first[0]} mit {first[1]} ({first[2]}) geschlossen, die jüngste "
        f"Städtepartnerschaft im Jahr {last[0]} mit {last[1]} ({last[2]}).",
        "## Jubiläen der Städtepartnerschaften",
        f"Diese Partnerschaften verbinden {city} mit Städten in ganz Europa:",
        "\n".join(_year_list(partners)),
        "## Netzwerke und Kooperationen",
        *_networks(rng, city, kind),
        "## Projekte und Begegnungen",
        *_projects(rng, city, partners),
        "## Kontakt",
        f"{office}\nRathaus {city}\n{street} {rng.randint(1, 40)}\n{postcode} {city}",
        *cards,
        f"Fragen zu den Partnerschaften richten Sie bitte an {mail}.",
    ]
    text = "\n".join(front) + "\n" + "\n\n".join(body) + "\n"
    return Page(f"{doc_id}.md", city, text)


def pages(seed: int, count: int) -> list[Page]:
    """The first ``count`` pages of the haystack of ``seed``."""
    names = municipality_names(seed)
    if count > len(names):
        raise ValueError(f"at most {len(names)} pages (one per fictional municipality)")
    return [page(seed, i, names[i]) for i in range(count)]


def chunks_per_page(seed: int, max_chars: int = 900, sample: int = SAMPLE_PAGES) -> float:
    """Mean chunks per page over the first ``sample`` pages (``assistant.documents.chunking``)."""
    from assistant.documents.chunking import chunk_document
    from assistant.documents.corpus import parse_document

    counts = []
    with _TempDir() as tmp:
        for p in pages(seed, sample):
            path = tmp / p.file
            path.write_text(p.text, encoding="utf-8")
            counts.append(len(chunk_document(parse_document(path), max_chars)))
    return statistics.fmean(counts)


def pages_for_chunks(
    target: int, seed: int, base_chunks: int = 0, max_chars: int = 900
) -> tuple[int, float]:
    """How many pages bring an index of ``base_chunks`` to about ``target`` chunks, and the
    measured chunks per page."""
    per_page = chunks_per_page(seed, max_chars)
    return max(1, round((target - base_chunks) / per_page)), per_page


def write_haystack(
    out_dir: Path, count: int, seed: int = DEFAULT_SEED, corpus_dir: Path | None = None
) -> list[Path]:
    """Write ``count`` synthetic pages (and a copy of ``corpus_dir``'s pages) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if corpus_dir is not None:
        for src in sorted(corpus_dir.glob("*.md")):
            written.append(Path(shutil.copy2(src, out_dir / src.name)))
    for p in pages(seed, count):
        path = out_dir / p.file
        path.write_bytes(p.text.encode("utf-8"))
        written.append(path)
    return written


class _TempDir:
    def __enter__(self) -> Path:
        import tempfile

        self._tmp = tempfile.TemporaryDirectory(prefix="haystack-")
        return Path(self._tmp.name)

    def __exit__(self, *exc: object) -> None:
        self._tmp.cleanup()


def corpus_chunks(corpus_dir: Path, max_chars: int = 900) -> int:
    """Chunks of the real corpus."""
    from assistant.documents.chunking import chunk_corpus
    from assistant.documents.corpus import load_corpus

    return len(chunk_corpus(load_corpus(corpus_dir), max_chars))


def main(argv: list[str] | None = None) -> int:
    parser = benchlib.parser(__doc__)
    parser.add_argument("out", type=Path, help="folder to write the pages into")
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--pages", type=int, help="number of synthetic pages")
    size.add_argument("--chunks", type=int, help="about this many chunks in all")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--corpus", type=Path, default=Path("corpus"), help="real pages to add")
    parser.add_argument("--no-corpus", action="store_true", help="synthetic pages only")
    parser.add_argument("--max-chars", type=int, default=900, help="the chunker's max_chars")
    args = parser.parse_args(argv)
    corpus = None if args.no_corpus else args.corpus
    count = args.pages
    if count is None:
        base = corpus_chunks(corpus, args.max_chars) if corpus else 0
        count, per_page = pages_for_chunks(args.chunks, args.seed, base, args.max_chars)
        print(f"{per_page:.2f} chunks per page, {base} real chunks → {count} pages")
    files = write_haystack(args.out, count, args.seed, corpus)
    print(f"wrote {len(files)} pages to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
