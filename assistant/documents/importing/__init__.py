"""Import pages into the corpus: ``assistant add`` and ``assistant remove``.

:func:`import_paths` turns HTML pages, PDFs and text files into corpus documents
(``corpus/<id>.md``), checks that each holds exactly its file's text, and leaves the corpus
as it was for a file it refuses. The index follows through the usual incremental ingest.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings
from assistant.documents.corpus import CorpusError, corpus_files, parse_document
from assistant.documents.importing.document import (
    AsOf,
    check_as_of,
    check_enough_text,
    check_faithful,
    detect_language,
    latest_year,
    render_document,
    slugify,
    texts,
)
from assistant.documents.importing.files import KINDS, MAX_BYTES, entries, read_file
from assistant.documents.importing.types import Extracted, ImportRefusedError

__all__ = [
    "KINDS",
    "MAX_BYTES",
    "CorpusState",
    "ImportOptions",
    "ImportRefusedError",
    "ImportResult",
    "import_file",
    "import_paths",
    "remove_document",
]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What the command line may set; None: taken from the page (or the corpus)."""

    doc_id: str | None = None
    title: str | None = None
    publisher: str | None = None
    city: str | None = None
    source: str | None = None
    as_of: int | None = None
    follow_symlinks: bool = False  # import what a symbolic link points to


@dataclass(frozen=True, slots=True)
class ImportResult:
    path: Path
    status: str  # added | updated | unchanged | failed
    doc_id: str | None = None
    message: str = ""
    document: Path | None = None

    @property
    def ok(self) -> bool:
        return self.status != "failed"


def import_paths(
    paths: Iterable[Path], settings: Settings, options: ImportOptions | None = None
) -> list[ImportResult]:
    """Import every file (a folder: every file in it); a refused file, or a link a folder
    import skips, is reported and the others go on. ``options`` naming an id or a title
    need a single file."""
    options = options or ImportOptions()
    if options.as_of is not None:
        check_as_of(options.as_of)
    found = entries((Path(p) for p in paths), options.follow_symlinks)
    if sum(e.refusal is None for e in found) != 1 and (options.doc_id or options.title):
        raise ImportRefusedError("--id and --title name one document: give a single file")
    results = []
    state = CorpusState.read(Path(settings.corpus_dir))
    for entry in found:
        if entry.refusal is not None:
            results.append(ImportResult(entry.path, "failed", message=entry.refusal))
            continue
        try:
            results.append(import_file(entry.path, settings, options, state))
        except ImportRefusedError as exc:
            results.append(ImportResult(entry.path, "failed", message=str(exc)))
    return results


def _extract(kind: str, raw: bytes) -> Extracted:
    if kind == "html":
        from assistant.documents.importing.html import extract_html

        return extract_html(raw)
    if kind == "pdf":
        from assistant.documents.importing.pdf import extract_pdf

        return extract_pdf(raw)
    from assistant.documents.importing.text import extract_text_file

    return extract_text_file(raw)


@dataclass
class CorpusState:
    """What an import needs to know of the corpus: each document's id with its file and
    the file it was imported from, and the cities the documents name. Read once for a run
    of imports and kept up to date by them."""

    documents: dict[str, tuple[Path, str | None]]
    cities: dict[str, str]

    @classmethod
    def read(cls, corpus_dir: Path) -> CorpusState:
        documents, cities = {}, {}
        for path in corpus_files(corpus_dir):
            try:
                doc = parse_document(path)
            except CorpusError:
                continue
            documents[doc.id] = (path, doc.source_file)
            cities[doc.id] = doc.city
        return cls(documents, cities)

    def id_of(self, source_file: str) -> str | None:
        return next((i for i, (_p, src) in self.documents.items() if src == source_file), None)

    def home_city(self, settings: Settings) -> str:
        """``ASSISTANT_HOME_CITY``, else the city most documents name (ties by name)."""
        if settings.home_city:
            return settings.home_city
        counts: dict[str, int] = {}
        for city in self.cities.values():
            counts[city] = counts.get(city, 0) + 1
        if not counts:
            raise ImportRefusedError("the city is unknown: give --city (the corpus names none)")
        return min(counts, key=lambda c: (-counts[c], c))


def _new_file(folder: Path) -> tuple[int, str]:
    """A new temporary file in ``folder``, created (unlike ``mkstemp``, which makes it
    0600) with mode 0666 less the umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = str(folder / f".import-{secrets.token_hex(8)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary file name in {folder}")


def _write(path: Path, text: str) -> None:
    """Check the document as the ingest will read it, then write it atomically (a
    concurrent ingest reads the old file or the new one). The file gets the permissions
    the process's umask gives a new file, as the corpus's other files have."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _new_file(path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        try:
            parse_document(Path(tmp))
        except CorpusError as exc:  # not expected: refuse rather than break the corpus
            raise ImportRefusedError(f"the document would be unusable ({exc})") from exc
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def import_file(
    path: Path,
    settings: Settings,
    options: ImportOptions | None = None,
    state: CorpusState | None = None,
) -> ImportResult:
    """Import one file into ``settings.corpus_dir``; raise :class:`ImportRefusedError`
    (and change nothing) for a file that cannot be a document. ``state`` is the corpus as a
    run of imports knows it (read here when not given)."""
    options = options or ImportOptions()
    if options.as_of is not None:
        check_as_of(options.as_of)
    path = Path(path)
    kind, raw = read_file(path, options.follow_symlinks)
    extracted = _extract(kind, raw)
    check_enough_text(extracted)
    check_faithful(extracted)

    corpus_dir = Path(settings.corpus_dir)
    state = state or CorpusState.read(corpus_dir)
    existing = state.documents
    title = options.title or extracted.title or path.stem
    doc_id = options.doc_id or state.id_of(path.name) or slugify(title) or slugify(path.stem)
    if not doc_id or slugify(doc_id) != doc_id:
        raise ImportRefusedError(f"id {doc_id!r} is not a lower-case slug (a-z, 0-9, '-')")
    target = corpus_dir / f"{doc_id}.md"
    if doc_id in existing:
        target, source_file = existing[doc_id]
        if source_file != path.name:
            raise ImportRefusedError(
                f"id {doc_id!r} already exists for another file ({source_file or target.name}); "
                "give another --id"
            )
    t = texts()
    source = options.source or extracted.url
    if not source:
        source = t["source_without_url"].format(kind=t["kinds"][kind], file=path.name)
    as_of = latest_year(extracted.body)
    if options.as_of is not None:
        as_of = AsOf(options.as_of, t["as_of_given"])
    city = options.city or state.home_city(settings)
    document = render_document(
        doc_id=doc_id,
        title=title,
        publisher=options.publisher or extracted.publisher or t["publisher_unknown"],
        city=city,
        source=source,
        source_file=path.name,
        language=detect_language(extracted.body),
        as_of=as_of,
        body=extracted.body,
    )
    detail = f"{kind}, {extracted.sections} sections, as_of {as_of.year}"
    if target.exists() and target.read_text(encoding="utf-8") == document:
        return ImportResult(path, "unchanged", doc_id, detail, target)
    status = "updated" if target.exists() else "added"
    _write(target, document)
    state.documents[doc_id], state.cities[doc_id] = (target, path.name), city
    return ImportResult(path, status, doc_id, detail, target)


def remove_document(doc_id: str, settings: Settings) -> Path:
    """Delete the corpus document ``doc_id`` (its chunks go at the next ingest)."""
    existing = CorpusState.read(Path(settings.corpus_dir)).documents
    if doc_id not in existing:
        raise ImportRefusedError(f"no document with id {doc_id!r} in {settings.corpus_dir}")
    path = existing[doc_id][0]
    path.unlink()
    return path
