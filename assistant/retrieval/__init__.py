"""Retrieval: lexical legs, scope, sentence evidence and the language-aware hybrid fusion."""
