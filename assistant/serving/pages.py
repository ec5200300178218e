"""The corpus documents as the staff's "Seiten / Pages" view shows them: each with its
title, city, date, chunk count and when the index took it in (read-only)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings
from assistant.documents.corpus import CorpusError, corpus_files, parse_document
from assistant.indexing.manifest import IndexUnavailableError, read_manifest
from assistant.serving.render import ui_texts


@dataclass(frozen=True, slots=True)
class PageRow:
    doc_id: str
    title: str
    city: str
    as_of: int | None
    chunks: int | None  # None: not in the index (yet)
    indexed_at: str  # "" when unknown
    file: str
    problem: str = ""  # why the file cannot be read, where it cannot


def page_rows(settings: Settings) -> tuple[list[PageRow], str]:
    """Every corpus file with what the index holds of it, and when the index was built."""
    try:
        manifest = read_manifest(Path(settings.manifest_path))
    except IndexUnavailableError:
        manifest = None
    entries = manifest.documents if manifest else {}
    rows = []
    for path in corpus_files(Path(settings.corpus_dir)):
        try:
            doc = parse_document(path)
        except CorpusError as exc:
            rows.append(PageRow(path.stem, path.stem, "", None, None, "", path.name, str(exc)))
            continue
        entry = entries.get(doc.id)
        current = entry is not None and entry.hash == doc.content_hash
        rows.append(
            PageRow(
                doc.id,
                doc.title,
                doc.city,
                doc.as_of,
                entry.chunks if current else None,
                entry.indexed_at if current else "",
                path.name,
            )
        )
    return rows, manifest.built_at if manifest else ""


def _when(stamp: str) -> str:
    return stamp.replace("T", " ").replace("+00:00", " UTC") if stamp else "–"


def pages_table(rows: list[PageRow], built_at: str, lang: str) -> str:
    """The pages view's HTML: one row per document, every value escaped."""
    t = ui_texts(lang)
    if not rows:
        return f'<p class="staff-empty">{html.escape(t["pages_empty"])}</p>'
    cols = t["pages_columns"]
    head = [cols["title"], cols["city"], cols["as_of"], cols["chunks"], cols["indexed_at"]]
    body = []
    for row in rows:
        chunks = str(row.chunks) if row.chunks is not None else html.escape(t["pages_not_indexed"])
        title = f"{html.escape(row.title)}<br><code>{html.escape(row.doc_id)}</code>"
        if row.problem:
            title += f'<br><span class="pages-problem">{html.escape(row.problem)}</span>'
        cells = [
            f"<td>{title}</td>",
            f"<td>{html.escape(row.city)}</td>",
            f'<td class="num">{row.as_of if row.as_of is not None else "–"}</td>',
            f'<td class="num">{chunks}</td>',
            f'<td class="num">{html.escape(_when(row.indexed_at))}</td>',
        ]
        body.append(f"<tr>{''.join(cells)}</tr>")
    indexed = [r.chunks for r in rows if r.chunks is not None]
    summary = t["pages_summary"].format(
        n=len(rows), indexed=len(indexed), chunks=sum(indexed), built=html.escape(_when(built_at))
    )
    header = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in head)
    return (
        f'<p class="staff-summary">{summary}</p><div class="staff-table" tabindex="0">'
        f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def pages_view(settings: Settings, lang: str) -> str:
    rows, built_at = page_rows(settings)
    return pages_table(rows, built_at, lang)
