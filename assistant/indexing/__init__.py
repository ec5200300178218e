"""Indexing:
embedding, the Chroma store, the manifest, ingest, typed facts, the live and shared index,
a generation of the index loaded to answer from.
"""
