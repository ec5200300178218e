"""Answering: the reader, the composer (its drafts, typed-fact templates, reports of pages
that disagree, refusal) and its phrases, follow-ups, the optional LLM."""
