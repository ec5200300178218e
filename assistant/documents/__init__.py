"""Documents: the corpus, importing pages, cleaning sources, chunking along the structure."""
