"""Absent referencing context (SPEC §4): fill it from the platform's referenced solutions.

An absent `referencing` block or field is not null: the quote does not say whether, or since
when, the software is referenced. When the platform knows the software (its referenced-solutions
list: editor, solution and version, read against what the quote prints), the dates come from
there and a finding says so; otherwise the check is incomplete and says what to look up.

Part of the quote checker (sources in the package docstring). Pure: the list of referenced
solutions is handed in as plain values by a selector.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from ..documents import QuoteDocument, ReferencingInfo
from .words import fold


@dataclass(frozen=True, slots=True)
class ReferencedSolution:
    """One referenced dossier of the platform, as the public list shows it."""

    editor: str
    solution: str
    version: str
    dsr_code: str
    referenced_on: date
    proofs_complete_on: date | None
    number: str = ""

    @property
    def display(self) -> str:
        return f"{self.solution} {self.version} ({self.editor})".strip()


def _words(text: str) -> str:
    return " " + " ".join("".join(c if c.isalnum() else " " for c in fold(text)).split()) + " "


def _names(doc: QuoteDocument) -> list[str]:
    """The texts where the quote names its software: the software block, else labels and
    mentions."""
    software = doc.software
    if software.name:
        return [_words(f"{software.name} {software.version}")]
    return [_words(text) for text in (*(line.label for line in doc.lines), *doc.mentions)]


def _version_matches(solution: ReferencedSolution, texts: list[str], stated: str) -> bool:
    version = _words(solution.version)
    if stated:
        return _words(stated) == version or version.strip() in _words(stated)
    name = _words(solution.solution).strip()
    bare = version.strip().removeprefix("v").removeprefix("version ").strip()
    return any(
        f" {name}{sep}{bare} " in text
        for text in texts
        for sep in (" ", " v", " version ", " v ")
    )


def platform_match(
    doc: QuoteDocument, solutions: Sequence[ReferencedSolution]
) -> tuple[ReferencedSolution | None, tuple[ReferencedSolution, ...]]:
    """The referenced solution the quote is for: (the one found, or None; the candidates).

    A solution is a candidate when its name is printed (whole words) and, when the quote names
    an editor, the editor agrees. Several candidates are told apart by the version the quote
    prints; one candidate is taken even without a version (the Prestation is by definition the
    referenced version). Anything else is ambiguous: None, with the candidates to check.
    """
    if not solutions:
        return None, ()
    texts = _names(doc)
    editor = _words(doc.software.editor).strip()
    candidates = []
    for solution in solutions:
        if doc.dsr is not None and solution.dsr_code != doc.dsr:
            continue
        name = _words(solution.solution)
        if not name.strip() or not any(name in text for text in texts):
            continue
        known_editor = _words(solution.editor)
        if editor and f" {editor} " not in known_editor and known_editor not in f" {editor} ":
            continue
        candidates.append(solution)
    if not candidates:
        return None, ()
    versioned = [s for s in candidates if _version_matches(s, texts, doc.software.version)]
    if len(versioned) == 1:
        return versioned[0], tuple(candidates)
    if doc.software.version and not versioned:
        return None, tuple(candidates)
    pool = versioned or candidates
    if len({(s.referenced_on, s.proofs_complete_on) for s in pool}) == 1:
        return pool[0], tuple(candidates)
    return None, tuple(candidates)


def referencing_filled(
    doc: QuoteDocument, solution: ReferencedSolution
) -> QuoteDocument:
    """The document with its absent referencing fields taken from `solution` (present ones,
    even null, are kept: the quote's own word wins)."""
    info = doc.referencing
    return replace(
        doc,
        referencing=ReferencingInfo(
            referenced_on=info.referenced_on if info.referenced_on_known else solution.referenced_on,
            proofs_complete_on=(
                info.proofs_complete_on
                if info.proofs_complete_on_known
                else solution.proofs_complete_on
            ),
            referenced_on_known=True,
            proofs_complete_on_known=True,
        ),
    )
