"""Words and languages:
folding, stop words and stems, language detection, what a question asks for.
"""
