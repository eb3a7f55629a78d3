"""The pattern syntax of the wordings ANS edits (label items, conditional offers), compiled.

One pattern per line in the admin: words as written on quotes; `mot*` is any word starting with
« mot »; `...` (or `…`) lets up to four words sit in between; `#` is any number (« engagement #
ans »; a line starting with `#` is a comment). A pattern never spans two clauses.

Part of the quote checker (sources in `segur_funding.quotes.rules`). Pure: no ORM, no I/O.
"""

from collections.abc import Iterable, Sequence

from .words import BREAK, TOKEN, fold, label_tokens, stem_word


class PatternError(ValueError):
    """A pattern that cannot be compiled; the message is French (shown in the admin)."""


# An element: an exact word (str), a prefix (("*", stem)), any number (_NUMBER) or a gap (None).
Element = str | tuple[str, str] | None
_NUMBER = ("#", "")
_GAP = 4  # words that `...` may skip


def compile_pattern(pattern: str) -> tuple[Element, ...]:
    """The elements of one pattern; PatternError (French) when it cannot match anything."""
    text = fold(pattern).replace("\u2026", " ... ")
    elements: list[Element] = []
    for part in text.split():
        if part == "#":
            elements.append(_NUMBER)
            continue
        if part in ("...", ".."):
            if not elements or elements[-1] is None:
                raise PatternError(f"« {pattern} » : « ... » doit être placé entre deux mots.")
            elements.append(None)
            continue
        prefix = part.endswith("*")
        words = label_tokens(part.rstrip("*"))
        words = [w for w in words if w != BREAK]
        if prefix:
            stem = TOKEN.findall(part.rstrip("*"))
            if len(stem) != 1 or not stem[0].isalnum() or len(stem[0]) < 2:
                raise PatternError(
                    f"« {pattern} » : « * » se place à la fin d'un mot d'au moins deux lettres."
                )
            # Stemmed like the words it is compared with (« donnée* » -> "donne").
            elements.append(("*", stem_word(stem[0])))
            continue
        elements.extend(words)
    if elements and elements[-1] is None:
        raise PatternError(f"« {pattern} » : « ... » doit être placé entre deux mots.")
    if not elements:
        raise PatternError(
            f"« {pattern} » : aucun mot significatif (les articles et la ponctuation sont ignorés)."
        )
    return tuple(elements)


def pattern_problems(patterns: Iterable[str]) -> list[str]:
    """French sentences, one per pattern that cannot be compiled (empty when all can)."""
    problems = []
    for pattern in patterns:
        if pattern.strip() and not pattern.strip().startswith("#"):
            try:
                compile_pattern(pattern)
            except PatternError as exc:
                problems.append(str(exc))
    return problems


def element_matches(element: Element, word: str) -> bool:
    if element.__class__ is str:
        return element == word
    if element is _NUMBER:
        return word.isdigit()
    return word.startswith(element[1])  # type: ignore[index]


def match_rest(elements: tuple[Element, ...], k: int, words: Sequence[str], j: int) -> int:
    """End index when elements[k:] match from words[j], else -1 (never across a clause break)."""
    count = len(elements)
    size = len(words)
    while k < count:
        element = elements[k]
        if element is None:
            following = elements[k + 1]
            for jj in range(j, min(j + _GAP + 1, size)):
                word = words[jj]
                if word == BREAK:
                    return -1
                if element_matches(following, word):
                    end = match_rest(elements, k + 2, words, jj + 1)
                    if end >= 0:
                        return end
            return -1
        if j >= size or not element_matches(element, words[j]):
            return -1
        j += 1
        k += 1
    return j
