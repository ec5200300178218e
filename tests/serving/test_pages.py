"""The staff's pages view: every corpus document with its date, chunks and indexed time."""

from __future__ import annotations

import gradio as gr

from assistant.indexing.embedding import FakeEmbedder
from assistant.indexing.ingest import ingest
from assistant.indexing.manifest import read_manifest
from assistant.resources import load_data
from assistant.serving.feedback import FeedbackStore
from assistant.serving.pages import page_rows, pages_view
from assistant.serving.staff import StaffHandlers
from assistant.serving.staff_app import create_staff_app
from assistant.serving.ui import create_app


class _Assistant:
    home = None
    places = ()

    def __init__(self, settings):
        self.settings = settings


def test_each_document_shows_title_city_date_chunks_and_indexed_time(fake_settings):
    ingest(fake_settings, embedder=FakeEmbedder())
    manifest = read_manifest(fake_settings.manifest_path)
    rows, built = page_rows(fake_settings)
    assert built == manifest.built_at and len(rows) == len(manifest.documents)
    for row in rows:
        entry = manifest.documents[row.doc_id]
        assert (row.title, row.city, row.as_of) == (entry.title, entry.city, entry.as_of)
        assert row.chunks == entry.chunks and row.indexed_at == entry.indexed_at != ""
    html = pages_view(fake_settings, "de")
    assert html.count("<tr>") == len(rows) + 1  # the header and one row per document
    assert "Abschnitte" in html and "Dortmund" in html and " UTC" in html
    assert "Chunks" in pages_view(fake_settings, "en")


def test_a_document_not_yet_indexed_and_a_broken_file_are_shown_as_such(fake_settings):
    ingest(fake_settings, embedder=FakeEmbedder())
    path = fake_settings.corpus_dir / "darmstadt-netzwerke.md"
    path.write_text(path.read_text().replace("Netzwerke und Kampagnen", "Netzwerke <b>neu</b>"))
    (fake_settings.corpus_dir / "kaputt.md").write_text("no front matter\n")
    html = pages_view(fake_settings, "de")
    assert "nicht im Index" in html and "Netzwerke &lt;b&gt;neu&lt;/b&gt;" in html
    assert "missing YAML front matter" in html and "<b>neu</b>" not in html


def test_without_an_index_every_document_is_listed_as_not_indexed(fake_settings):
    html = pages_view(fake_settings, "en")
    assert html.count("not in the index") == 5 and "index built: –" in html


def test_the_staff_app_has_a_pages_tab_labelled_in_both_languages(fake_settings, tmp_path):
    app = create_staff_app(_Assistant(fake_settings), None)
    tabs = [b.label for b in app.blocks.values() if isinstance(b, gr.Tab)]
    assert load_data("ui_de.yaml")["pages_tab"] in tabs
    assert load_data("ui_en.yaml")["pages_tab"] == "Pages (staff)"
    citizens = create_app(_Assistant(fake_settings), FeedbackStore(tmp_path / "f.sqlite3"))
    assert not any(isinstance(b, gr.Tab) for b in citizens.blocks.values())
    assert "pages" not in {f.name for f in citizens.fns.values()}
    handlers = StaffHandlers(_Assistant(fake_settings))
    assert "Internationales" in handlers.pages("de")
    assert set(load_data("ui_de.yaml")["pages_columns"]) == set(
        load_data("ui_en.yaml")["pages_columns"]
    )
