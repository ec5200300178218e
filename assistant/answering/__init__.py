"""Answering: the reader, the composer and its phrases, follow-ups, the optional LLM."""
