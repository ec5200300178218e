"""The main text of an HTML page, as Markdown (trafilatura), with its title and URL."""

from __future__ import annotations

import re

import lxml.html
import trafilatura

from assistant.documents.importing.types import Extracted, ImportRefusedError

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
_SPACES = re.compile(r"\s+")
_TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)
# above this size the page's own extraction is not compared with trafilatura's fallback
# extractors (readability, jusText): on a large page that comparison is a third of the time
# and the page's own extraction finds its text
FAST_EXTRACTION_BYTES = 2 * 1024 * 1024


def decode_html(raw: bytes) -> str:
    """UTF-8, or the charset the page declares; neither is refused."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    head = raw[:4096]
    match = _CHARSET.search(head) or _XML_ENCODING.search(head)
    if not match:
        raise ImportRefusedError("not UTF-8 and the page declares no charset")
    charset = match.group(1).decode("ascii")
    try:
        return raw.decode(charset)
    except LookupError as exc:
        raise ImportRefusedError(f"the page declares an unknown charset {charset!r}") from exc
    except UnicodeDecodeError as exc:
        raise ImportRefusedError(f"the page is not valid {charset} text, as it declares") from exc


def _fold(text: str) -> str:
    return _SPACES.sub(" ", text.replace("\u00a0", " ")).strip()


def _title(tree: lxml.html.HtmlElement) -> str | None:
    for xpath in ("//h1", "//title"):
        for element in tree.xpath(xpath):
            text = _fold(element.text_content())
            if text:
                return text
    return None


def _url(tree: lxml.html.HtmlElement) -> str | None:
    """The address the page gives itself: its canonical link, else its og:url."""
    canonical = "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"
    candidates = tree.xpath(canonical)
    candidates += tree.xpath("//meta[@property='og:url']/@content")
    for url in candidates:
        url = url.strip()
        if url.startswith(("http://", "https://")):
            return url
    return None


def _publisher(tree: lxml.html.HtmlElement) -> str | None:
    for value in tree.xpath("//meta[@property='og:site_name']/@content"):
        if value.strip():
            return _fold(value)
    return None


def page_text(tree: lxml.html.HtmlElement) -> str:
    """Every visible word of the page, whitespace folded (what the document may quote)."""
    for element in tree.xpath("//script|//style|//noscript|//template"):
        element.drop_tree()
    return _fold(tree.text_content())


def extract_html(raw: bytes) -> Extracted:
    """The page's main text as Markdown (headings, lists, tables) without navigation,
    footer or cookie banner, its title (``<h1>``, else ``<title>``) and its own URL."""
    text = decode_html(raw)
    try:
        tree = lxml.html.document_fromstring(text.encode("utf-8"), parser=_parser())
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ImportRefusedError(f"not readable as HTML ({exc})") from exc
    title, url, publisher = _title(tree), _url(tree), _publisher(tree)
    markdown = trafilatura.extract(
        text,
        output_format="markdown",
        include_tables=True,
        include_formatting=True,
        include_links=False,
        include_images=False,
        include_comments=False,
        deduplicate=False,
        fast=len(raw) > FAST_EXTRACTION_BYTES,
    )
    body = _TRAILING.sub("", markdown or "").strip()
    if body and title and not re.search(rf"^#+ {re.escape(title)}$", body, re.MULTILINE):
        body = f"# {title}\n\n{body}"  # the page's own heading, where the extraction lost it
    if body:
        body += "\n"
    return Extracted(
        kind="html",
        title=title,
        body=body,
        extracted=body,
        page_text=page_text(tree),
        url=url,
        publisher=publisher,
        sections=body.count("\n#") + body.startswith("#"),
    )


def _parser() -> lxml.html.HTMLParser:
    return lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
