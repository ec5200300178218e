"""HTML for the web UI: answers with source cards and conflict warnings, and the staff view's
passage table.

Everything that comes from a person or from the corpus — questions, answers, passages,
titles — is escaped here, so it is shown as text and never run as markup or script.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.answering.phrases import phrases
from assistant.records import Passage
from assistant.resources import load_data

# Markdown punctuation anywhere in a line, and the marks that open a block at its start
# (heading, list item, rule); a backslash makes each a plain character. A quote mark ">"
# needs none: HTML escaping turns it into "&gt;", which opens nothing.
_INLINE = re.compile(r"([\\`*_\[\]~|$])")
_BLOCK = re.compile(r"^(\s*)(?:([#+=-])|(\d+)([.)]))", re.MULTILINE)
_CITE = re.compile(r"\\\[(\d+)\\\]")
_BOLD = re.compile(r"\*\*(\S(?:.*?\S)?)\*\*")
# What the chat's Markdown renderer would turn into a link by itself (GFM autolinks: a
# scheme's "://", "www.", an e-mail's "@"): one character of each becomes an HTML entity,
# which the renderer does not read as the start of a link and the browser shows as the
# character. A link would be clickable text nobody checked, and it took the closing
# punctuation after it (").“") into its address.
_AUTOLINK = re.compile(r"(?<=[a-z])(:)(?=//)|(?<=\bwww)(\.)|(@)", re.IGNORECASE)
_ENTITY = {":": "&#58;", ".": "&#46;", "@": "&#64;"}
EXCERPT_CHARS = 220  # context shown on each side of the quoted sentence
SHORT_PASSAGE = 600  # passages up to this length are shown whole
LINE_SHARE = 0.6  # share of a line's words an answer must hold for the line to be marked


# The names the interface texts speak of: the home city and places the pages list, set by
# the page for the assistant it serves (``use_page_names``); the texts hold {home}, {place}
# and {place2} where they name them.
_page_names: dict[str, str] = {}
_GAP = re.compile(r" +(?=[ .,:])")


def use_page_names(home: str | None, places: Sequence[str] = ()) -> None:
    """Name these in the interface texts: the home city, and two of the pages' places for the
    example questions (examples that need a place not given are left out)."""
    _page_names.clear()
    _filled_texts.clear()
    if home:
        _page_names["home"] = home
    for key, place in zip(("place", "place2"), places, strict=False):
        _page_names[key] = place


class _Kept(dict):
    """Names for ``str.format_map``; a placeholder of another kind ({n}) stays as it is."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_PAGE_KEYS = frozenset({"home", "place", "place2"})
_filled_texts: dict[str, dict[str, Any]] = {}  # per language, for the names in use


def _filled(value: Any, names: Mapping[str, str]) -> Any:
    if isinstance(value, str):  # (an empty name leaves no gap before punctuation)
        return _GAP.sub("", value.format_map(_Kept(names))).rstrip(" ") if value else value
    if isinstance(value, list):  # an example about a place the pages do not give is left out
        return [
            _filled(item, names)
            for item in value
            if not isinstance(item, str)
            or set(re.findall(r"\{(\w+)\}", item)) & _PAGE_KEYS <= set(names)
        ]
    if isinstance(value, dict):
        return {k: _filled(v, names) for k, v in value.items()}
    return value


def ui_texts(lang: str) -> dict[str, Any]:
    """The interface texts of ``lang`` (``de`` or ``en``) from ``assistant/data/ui_<lang>.yaml``,
    naming the home city and the pages' places (:func:`use_page_names`)."""
    lang = "en" if lang == "en" else "de"
    if lang not in _filled_texts:  # (answers ask for them often: filled once per names)
        data = load_data(f"ui_{lang}.yaml")
        names = {"home": data["home_fallback"], **_page_names}
        _filled_texts[lang] = _filled(
            {k: v for k, v in data.items() if k != "home_fallback"}, names
        )
    return _filled_texts[lang]


def escape_text(text: str) -> str:
    """``text`` for the chat's Markdown renderer: shown exactly as typed, markup inert."""
    text = _INLINE.sub(r"\\\1", text)
    text = _BLOCK.sub(lambda m: f"{m[1]}\\{m[2]}" if m[2] else f"{m[1]}{m[3]}\\{m[4]}", text)
    return unlinked(html.escape(text, quote=False))


def unlinked(escaped: str) -> str:
    """HTML-escaped text that no Markdown renderer turns into links (shown the same)."""
    return _AUTOLINK.sub(lambda m: _ENTITY[m[0]], escaped)


def answer_markdown(text: str) -> str:
    """An answer's text, escaped, with its ``[n]`` markers styled as citation marks."""
    return _CITE.sub(r'<span class="cite">[\1]</span>', escape_text(text))


def _number(value: float, lang: str) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "de" else text


def _lines(text: str) -> str:
    """Escaped text with its line breaks kept, on one line (no blank line ends the HTML), and
    the corpus's ``**bold**`` shown bold."""
    escaped = "<br>".join(unlinked(html.escape(line)) for line in text.split("\n"))
    return _BOLD.sub(r"<strong>\1</strong>", escaped)


def quote_span(passage: str, quote: str) -> tuple[int, int] | None:
    """Where ``quote`` stands in ``passage``: verbatim, or word for word when the quote lost
    list or emphasis markup (``- ``, ``**``) or line breaks on the way."""
    quote = quote.strip()
    if not quote:
        return None
    at = passage.find(quote)
    if at >= 0:
        return at, at + len(quote)
    words = re.findall(r"\w+", quote)
    if not words:
        return None
    hit = re.search(r"\W*".join(re.escape(w) for w in words), passage)
    return (hit.start(), hit.end()) if hit else None


def fact_lines(passage: str, answer: str) -> list[tuple[int, int]]:
    """The lines of ``passage`` an answer without a verbatim quote took its facts from (a
    contact card's name, phone, e-mail): most of the line's words occur in the answer."""
    said = {w.casefold() for w in re.findall(r"\w+", answer)}
    spans, pos = [], 0
    for line in passage.split("\n"):
        words = [w.casefold() for w in re.findall(r"\w+", line)]
        if len(words) >= 2 and sum(w in said for w in words) >= LINE_SHARE * len(words):
            lead = len(line) - len(line.lstrip())
            spans.append((pos + lead, pos + len(line.rstrip())))
        pos += len(line) + 1
    return spans


def highlight(passage: str, spans: Sequence[tuple[int, int]], excerpt: bool = False) -> str:
    """The passage as HTML with ``spans`` in ``<mark>``; with ``excerpt``, only the marked
    part and some context around it (… marks what is left out)."""
    spans = sorted(spans)
    if not spans:
        if excerpt and len(passage) > SHORT_PASSAGE:
            cut = passage.rfind(" ", 0, SHORT_PASSAGE)
            return _lines(passage[: cut if cut > 0 else SHORT_PASSAGE]) + " …"
        return _lines(passage)
    lo, hi = 0, len(passage)
    if excerpt:
        first, last = spans[0][0], spans[-1][1]
        lo = max(0, first - EXCERPT_CHARS)
        hi = min(len(passage), last + EXCERPT_CHARS)
        if lo > 0:
            lo = passage.find(" ", lo, first) + 1 or lo
        if hi < len(passage) and passage.rfind(" ", last, hi) > 0:
            hi = passage.rfind(" ", last, hi)
    parts, at = [], lo
    for start, end in spans:
        start, end = max(start, at), min(end, hi)
        if start >= end:
            continue
        parts += [_lines(passage[at:start]), f"<mark>{_lines(passage[start:end])}</mark>"]
        at = end
    parts.append(_lines(passage[at:hi]))
    return ("… " if lo > 0 else "") + "".join(parts) + (" …" if hi < len(passage) else "")


def marked_spans(passage: str, quote: str, answer: str) -> list[tuple[int, int]]:
    """What to mark in a cited passage: the quote, else the lines the answer's facts are
    from (none for a refusal's closest sources, which the answer only names)."""
    span = quote_span(passage, quote)
    if span:
        return [span]
    # a quote of some rows of a table or items of a list: each of its lines
    lines = [quote_span(passage, line) for line in quote.split("\n") if line.strip()]
    if len(lines) > 1 and all(lines):
        return lines
    return fact_lines(passage, answer) if answer else []


def source_card(citation: Mapping[str, Any], lang: str, answer: str = "") -> str:
    """One numbered card: title › section, relevance, and the passage with the quote (or the
    lines ``answer`` took its facts from) marked."""
    t = ui_texts(lang)
    title = html.escape(str(citation["title"]))
    section = html.escape(str(citation.get("section") or ""))
    head = f"<strong>{title}</strong>" + (f" › {section}" if section else "")
    score = float(citation.get("score") or 0.0)
    badge = (
        f' <span class="source-score">{t["relevance"]} {_number(score, lang)}</span>'
        if score > 0
        else ""
    )
    text = str(citation["text"]).strip()
    spans = marked_spans(text, str(citation.get("quote") or ""), answer)
    short = len(text) <= SHORT_PASSAGE
    body = f'<div class="source-passage">{highlight(text, spans, excerpt=not short)}</div>'
    if not short:
        body += (
            f'<details class="source-full"><summary>{t["full_passage"]}</summary>'
            f'<div class="source-passage">{highlight(text, spans)}</div></details>'
        )
    return (
        f'<div class="source-card" role="listitem">'
        f'<p class="source-head"><span class="source-n">[{int(citation["n"])}]</span> '
        f"{head}{badge}</p>{body}</div>"
    )


def conflict_box(answer: Mapping[str, Any], lang: str) -> str:
    """A visible warning for each fact the cited pages disagree on, citing both pages."""
    t, words = ui_texts(lang), phrases(lang)
    titles = {c["n"]: str(c["title"]) for c in answer.get("citations", [])}
    by_doc = {c["doc"]: str(c["title"]) for c in answer.get("citations", [])}
    boxes = []
    for conflict in answer.get("conflicts", []):
        topic = words["topics"].get(conflict["topic"], conflict["topic"])
        items = []
        for v in conflict["values"]:
            year = v.get("as_of") or t["unknown_year"]
            page = titles.get(v.get("n"), by_doc.get(v.get("doc"), str(v.get("doc"))))
            items.append(
                f'<li>„{html.escape(str(v["value"]))}“ <span class="cite">[{int(v["n"])}]</span>'
                f" – {html.escape(page)} ({t['as_of']} {html.escape(str(year))})</li>"
            )
        newer = conflict.get("newer")
        tail = (
            f"<p>{t['newer']} „{html.escape(by_doc.get(newer, str(newer)))}“.</p>" if newer else ""
        )
        boxes.append(
            f'<div class="conflict" role="note"><p class="conflict-title">⚠ {t["conflict_title"]}'
            f" ({html.escape(topic)})</p><ul>{''.join(items)}</ul>{tail}</div>"
        )
    return "".join(boxes)


def answer_message(answer: Mapping[str, Any], lang: str) -> str:
    """The whole chat message for an answer (an ``Answer.to_dict()``), in the UI's ``lang``:
    the answer text, then conflict warnings, then the numbered source cards. A refusal is
    marked as one; a message without sources (an empty or overlong question) is not."""
    t = ui_texts(lang)
    parts = []
    citations = answer.get("citations", [])
    if answer.get("abstained") and citations:  # a refusal; without sources, a message
        parts.append(
            f'<div class="refusal" role="note"><strong>{t["refusal_title"]}</strong> '
            f"{t['refusal_hint']}</div>"
        )
    parts.append(answer_markdown(str(answer["answer"])))
    conflicts = conflict_box(answer, lang)
    if conflicts:
        parts.append(conflicts)
    if citations:
        label = t["closest_sources"] if answer.get("abstained") else t["sources"]
        said = "" if answer.get("abstained") else str(answer["answer"])
        cards = "".join(source_card(c, lang, said) for c in citations)
        parts.append(
            f'<div class="sources"><p class="sources-title">{label}</p>'
            f'<div role="list" aria-label="{label}">{cards}</div></div>'
        )
    return "\n\n".join(parts)


def passages_table(
    passages: Sequence[Passage], query: str, query_lang: str, legs: Sequence[str], lang: str
) -> str:
    """The staff view: each passage with its fused score, relevance and every leg's score."""
    t = ui_texts(lang)
    if not passages:
        return f'<p class="staff-empty">{t["staff_empty"]}</p>'
    cols = t["staff_columns"]
    head = [cols["rank"], cols["score"], cols["relevance"]]
    head += [t["legs"].get(leg, leg) for leg in legs] + [cols["source"], cols["passage"]]
    rows = []
    for p in passages:
        cells = [
            str(p.rank),
            f"{p.score:.4f}",
            "–" if p.relevance is None else f"{p.relevance:.2f}",
        ]
        cells += [f"{p.leg_scores[leg]:.3f}" if leg in p.leg_scores else "–" for leg in legs]
        cells = [f'<td class="num">{c}</td>' for c in cells]
        cells.append(f"<td>{html.escape(p.chunk.handle)}<br><code>{p.chunk.doc_id}</code></td>")
        cells.append(
            f'<td class="staff-passage"><details><summary>{html.escape(_first_line(p))}</summary>'
            f"{_lines(p.chunk.passage_text.strip())}</details></td>"
        )
        rows.append(f"<tr>{''.join(cells)}</tr>")
    summary = t["staff_summary"].format(
        n=len(passages), query=html.escape(query), lang=html.escape(query_lang)
    )
    header = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in head)
    return (
        f'<p class="staff-summary">{summary}</p><div class="staff-table" tabindex="0">'
        f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _first_line(p: Passage, limit: int = 90) -> str:
    line = next((x for x in p.chunk.passage_text.split("\n") if x.strip()), "")
    return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + " …"


def unanswered_table(data: dict[str, Any], lang: str) -> str:
    """The staff view of unanswered questions: one row per topic group with its count,
    example questions, the date of the newest, its kinds and closest sources."""
    t = ui_texts(lang)
    summary = t["unanswered_summary"].format(n=data["questions"], groups=len(data["groups"]))
    parts = [f'<p class="staff-summary">{html.escape(summary)}</p>']
    if data.get("pending"):
        pending = t["unanswered_pending"].format(n=data["pending"])
        parts.append(f'<p class="staff-empty">{html.escape(pending)}</p>')
    if data.get("grouping_threshold") is None:
        note = t["unanswered_ungrouped"].format(embedder=data.get("embedder", ""))
        parts.append(f'<p class="staff-empty">{html.escape(note)}</p>')
    if not data["groups"]:
        return "".join(parts)
    cols = t["unanswered_columns"]
    head = [cols[c] for c in ("count", "examples", "last", "kinds", "sources")]
    rows = []
    for g in data["groups"]:
        examples = "".join(f"<li>{html.escape(q)}</li>" for q in g["examples"])
        kinds = ", ".join(
            f"{html.escape(t['unanswered_kinds'].get(k, k))}: {n}" for k, n in g["kinds"].items()
        )
        sources = "<br>".join(html.escape(s) for s in g["sources"])
        rows.append(
            f'<tr><td class="num">{g["count"]}</td><td><ul>{examples}</ul></td>'
            f"<td>{html.escape(g['last'])}</td><td>{kinds}</td><td>{sources}</td></tr>"
        )
    header = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in head)
    parts.append(
        f'<div class="staff-table" tabindex="0"><table><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return "".join(parts)
