"""Text helpers shared by the apps. Pure: no Django, no I/O."""

import re

# The combining marks a decomposed (NFKD) text carries its accents as: « é » is « e » + U+0301.
# Removing them from an NFKD text leaves it without accents (« Ségur » -> « Segur »). The blocks
# of combining diacritical marks: basic, extended, supplement, for symbols, half marks.
COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
