"""Reading quote wordings: `normalise` and the keyword heuristics run on line labels.

Part of the quote checker; the sources (seed slides) are cited in the package docstring
(`segur_funding.quotes.rules`). Pure: no ORM, no settings, no I/O.
"""

import re
import unicodedata
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from ..constants import Scope
from ..documents import QuoteLine

# Plain strings: comparing with them is several times faster than with the enum members.
_SEGUR = Scope.SEGUR.value
_STATE_FUNDING = Scope.STATE_FUNDING.value
_OUT_OF_SCOPE = Scope.OUT_OF_SCOPE.value

# --- Normalisation ----------------------------------------------------------------------------

_FOLD = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
_COMBINING = re.compile(r"[\u0300-\u036f]+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lowercase ASCII words separated by one space, with one space before and after.

    « Montant … pris en charge par l’État » and "montant ... pris en charge par l' Etat" give the
    same text; the padding lets a phrase be searched as whole words with `" phrase " in text`.
    """
    text = text.lower()
    if not text.isascii():
        if "œ" in text or "æ" in text or "ß" in text:
            text = text.translate(_FOLD)
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return " " + _NON_ALNUM.sub(" ", text).strip() + " "


@lru_cache(maxsize=8192)
def _normalised(text: str) -> str:
    """`normalise`, remembered: wordings, mentions, conditions and labels repeat from one quote
    to the next (every quote carries the State-funding wording, every pre-referencing order the
    same mention, an editor's quotes the same line labels), so a batch re-check of many quotes
    normalises each distinct text once."""
    return normalise(text)


# --- Keyword heuristics -----------------------------------------------------------------------

# Items of the Prestation Ségur (seed, "Périmètre de la Prestation Ségur"). Billed out of scope
# (to the client), they are a remainder: CLIENT_REMAINDER on that line.
_PRESTATION_SERVICE = re.compile(
    r"\b(?:maintenance|tma|installation|installer|parametrage|parametrer|configuration|"
    r"configurer|qualification|mise en service|mise en ordre de marche|deploiement|"
    r"formations?|former|documentations?|documents utilisateurs?|"
    r"(?:suivi|pilotage|gestion|direction|conduite) (?:de |du )?projet|chef de projet|"
    r"(?<!hors )prestation segur)\b"
)
# Rights to use: only when the line names the referenced software (a licence of an antivirus
# or of an operating system is not part of the Prestation).
_RIGHTS = re.compile(r"\b(?:droits? d (?:utilisation|usage)|licences?|concession)\b")
_REFERENCED_VERSION = re.compile(r"\b(?:version referencee|referencee? segur|segur)\b")
# Markers of something outside the Prestation: a line carrying one of them is not read as a
# Prestation item even when it says "maintenance", "installation" or "formation" (maintenance of
# a module, installation of a server, maintenance from the 7th year on, training on an option…).
_OUTSIDE_PRESTATION = re.compile(
    r"\b(?:modules?|options?|optionnel(?:le)?s?|materiels?|hardware|serveurs?|servers?|"
    r"postes? de travail|infrastructures?|hebergement|mssante|bal|boites? aux lettres|"
    r"rattrapage|dette|mise a niveau|migration|sgbd|bases? de donnees|non referencee?s?|"
    r"automates?|imprimantes?|scanners?|douchettes?|ordinateurs?|reseaux?|"
    r"annees? (?:[7-9]|1[0-9]|sept|huit|neuf|dix)|(?:[7-9]|1[0-9])e(?:me)? annee|septieme|"
    r"(?:au dela|apres|passe) (?:de |des |les )?(?:6|six) (?:ans|annees))\b"
)
# An out-of-scope line that says it is not billed (no amount read).
_NOT_BILLED = re.compile(r"\b(?:inclus(?:e|es)?|offerte?s?|gratuite?s?|compris(?:e|es)?)\b")

# Items that may never sit in the Prestation Ségur (seed, same slide): EXCLUDED_ITEM_FUNDED.
_MSSANTE_MAILBOX = re.compile(
    r"\b(?:boites? aux lettres|bal|(?:adresses?|comptes?|abonnements?) (?:de messagerie )?mssante)\b"
)
# Infrastructure is excluded when acquired (acquisition, achat, fourniture…) or billed as such
# ("Serveur Dell R740", "Postes de travail supplémentaires"), not when it is where the software
# is installed or what a Prestation service works on ("Installation sur le serveur du
# laboratoire", "Paramétrage des postes de travail" are installation and configuration).
_INFRASTRUCTURE = re.compile(
    r"\b(?:serveurs?|servers?|materiels?|hardware|postes? de travail|infrastructures?|"
    r"ordinateurs?|onduleurs?)\b"
)
_INFRASTRUCTURE_AS_PLACE = re.compile(
    r"\b(?:sur|dans) (?:[a-z0-9]+ ){0,3}?(?:serveurs?|servers?|postes? de travail|"
    r"infrastructures?|materiels?)\b"
)
_INFRASTRUCTURE_ACQUIRED = re.compile(
    r"\b(?:acquisition|achat|fourniture|location|vente|livraison)\b"
)
_DBMS_MIGRATION = re.compile(
    r"\b(?:sgbd|migration (?:[a-z0-9]+ ){0,4}?(?:bases?|bdd|sgbd|oracle|sql|postgre(?:s|sql)?|"
    r"mysql|sybase|cache)|changement (?:de |du )?(?:sgbd|bases? de donnees))\b"
)
_CHANGE_OF_SOLUTION = re.compile(
    r"\b(?:changement (?:complet )?(?:de |du )(?:solution|logiciel|sgl|sil|editeur)|"
    r"remplacement (?:complet )?(?:de la |du |de l )(?:solution|logiciel|sgl|sil)|"
    r"nouvelle solution|bascule vers (?:une |un )?(?:nouvelle|nouveau))\b"
)
_TECHNICAL_DEBT = re.compile(
    r"\b(?:rattrapage|dette (?:technique|technologique)|obsolete|obsolescence|vetuste)\b"
)

# Conditional offers (CONDITIONAL_OFFER). A trigger word counts when an object of a contractual
# condition follows within six words. The §3.2 mention (« conditionné à l'obtention … du
# référencement », « conditionné au dépôt d'un dossier de référencement complet ») is first
# reduced to its trigger word so that it never counts, while « conditionné à l'obtention du
# référencement et à la souscription du module X » still does.
_REFERENCING_CONDITION = re.compile(
    r"\b(conditionnee?s?|subordonnee?s?|sous reserve) (?:a |au |de |par |d )?(?:l )?"
    r"(?:obtention|depot)(?: [a-z0-9]+){0,12}? referencement(?: ans| complet)?\b"
)
# A sentence that says there is NO condition (« Elle n'est conditionnée à aucun réengagement ni à
# l'achat d'options », « sans réengagement ») is the good practice the seed asks for: cut it out
# before looking for triggers. Normalised text has no punctuation, so the cut spans a bounded
# number of words after the negation.
# The cut stops at a word that turns the sentence round (« sans réengagement, mais conditionnée
# à l'achat de l'option BI » still conditions the offer).
_UNTIL_TURN = r"(?: (?!mais\b|toutefois\b|cependant\b|sauf\b|hormis\b|excepte\b|neanmoins\b)[a-z0-9]+)"
_NEGATED_CONDITION = re.compile(
    r"\b(?:n est|ne sont|n etant|ne peut etre|ne peuvent etre|n a pas a etre|non)"
    r" (?:pas |nullement |aucunement |en aucun cas |jamais )?"
    rf"(?:conditionnee?s?|subordonnee?s?|liee?s?){_UNTIL_TURN}{{0,14}}"
    r"|\bsans (?:aucun |aucune |obligation d |condition d |condition de )?"
    r"(?:re ?engagement|engagement|souscription|achat|acquisition|options?|modules?|condition)"
    rf"{_UNTIL_TURN}{{0,8}}"
)
_CONDITION_TRIGGER = re.compile(
    r"\b(?:conditionnee?s?|conditionnel(?:le)?|subordonnee?s?|sous reserve|a (?:la )?condition|"
    r"sous condition|en contrepartie)\b((?: [a-z0-9]+){0,6})"
)
_CONDITION_OBJECT = re.compile(
    r"\b(?:souscription|souscrire|acquisition|acquerir|achat|acheter|modules?|options?|"
    r"contrats?|abonnements?|engagement|reengagement|renouvellement|renouveler|licences?|pack|"
    r"prestations? (?:complementaires?|supplementaires?))\b"
)
_CONDITION_ALWAYS = re.compile(
    r"\b(?:re ?engagement|reengager|duree (?:minimale |ferme )?d engagement|"
    r"engagement (?:minimum|ferme|de [0-9a-z]+ (?:ans?|annees|mois))|"
    r"(?:souscription|achat|acquisition|option|module)s? (?:obligatoires?|prealables?|imposee?s?)|"
    r"(?:indissociable|non dissociable)s? (?:de |du |des )?(?:la |l )?"
    r"(?:souscription|achat|acquisition|contrat|module|option))\b"
)

# Cheap first passes (plain substring tests): most labels contain none of these stems, and then
# the regexes above never run on them. False hits only cost time.
_EXCLUDED_STEMS = (
    "boite", " bal ", "mssante", "sgbd", "migration", "changement", "remplacement", "nouvel",
    "bascule", "rattrapage", "dette", "obsole", "vetuste", "serveur", "server", "materiel",
    "hardware", "poste", "infrastructure", "ordinateur", "onduleur",
)
_CONDITION_STEMS = (
    "condition", "reserve", "subordonn", "contrepartie", "engag", "obligatoire", "prealable",
    "impose", "dissociable",
)
_DSR_FAMILY_WORDS = (" sgl ", " loinc ", " dpi ", " pfi ", " ris ", " lgc ", " ri v")


def _has_any(text: str, stems: tuple[str, ...]) -> bool:
    for stem in stems:
        if stem in text:
            return True
    return False


# SUN-ES (the hospital usage programme): SUN_ES_REFERENCE.
_SUN_ES = re.compile(r"\bsun ?es\b")

# DSR families named in a label, for MIXED_DSR_LINE ("Licences SGL + LOINC", "SGL/LOINC").
_DSR_FAMILY = r"(?:sgl|loinc|dpi|pfi|ris|lgc|ri(?= v[0-9]))"
_MIXED_DSR_LABEL = re.compile(
    rf"\b({_DSR_FAMILY})(?: v[0-9]+)? (?:et |plus |avec |and )?(?:(?:le |la |l )?"
    rf"transcodeur )?(?!\1\b)({_DSR_FAMILY})\b"
)


def _is_prestation_item(text: str) -> bool:
    """An out-of-scope label that reads as an item of the Prestation Ségur of the software.

    True for "Maintenance annuelle", "Formation des utilisateurs", "Installation sur site",
    "Licence SGL version référencée"; False for "Maintenance du module statistiques",
    "Installation d'un serveur", "Maintenance années 7 à 10", "Licence antivirus".
    """
    if _OUTSIDE_PRESTATION.search(text):
        return False
    if _PRESTATION_SERVICE.search(text):
        return True
    return _RIGHTS.search(text) is not None and _REFERENCED_VERSION.search(text) is not None


def _excluded_item(text: str) -> str | None:
    """What excluded item a Ségur-part label describes (French, for the message), or None."""
    if not _has_any(text, _EXCLUDED_STEMS):
        return None
    if _MSSANTE_MAILBOX.search(text):
        return "des boîtes aux lettres MSSanté"
    if _DBMS_MIGRATION.search(text):
        return "une migration de système de gestion de base de données"
    if _TECHNICAL_DEBT.search(text):
        return "le rattrapage d'une version obsolète (dette technique)"
    if _CHANGE_OF_SOLUTION.search(text):
        return "un changement complet de solution"
    if _INFRASTRUCTURE.search(text) and (
        _INFRASTRUCTURE_ACQUIRED.search(text)
        or not (_INFRASTRUCTURE_AS_PLACE.search(text) or _PRESTATION_SERVICE.search(text))
    ):
        return "du matériel ou de l'infrastructure (serveurs, postes de travail)"
    return None


def _is_conditional(text: str, mention: str = "") -> bool:
    """A text that conditions the offer on options, modules, a contract or a re-engagement.

    `mention` (normalised §3.2 mention) is cut out first: it is a required condition on the
    referencing, not one put on the client.
    """
    if not _has_any(text, _CONDITION_STEMS):
        return False
    if mention and mention in text:
        text = text.replace(mention, " ")
        if not _has_any(text, _CONDITION_STEMS):
            return False
    text = _NEGATED_CONDITION.sub(" ", text)
    if _CONDITION_ALWAYS.search(text):
        return True
    text = _REFERENCING_CONDITION.sub(r"\1", text)
    return any(_CONDITION_OBJECT.search(m.group(1)) for m in _CONDITION_TRIGGER.finditer(text))


class _LabelFacts(NamedTuple):
    """What the heuristics read in one line label (whatever the line's scope)."""

    text: str  # normalised
    has_wording: bool  # carries the State-funding wording
    excluded: str | None  # excluded item it describes (French), see _excluded_item
    prestation_item: bool  # an item of the Prestation, see _is_prestation_item
    not_billed: bool  # says it is included / free
    conditional: bool
    sun_es: bool
    mixed_dsr: tuple[str, str] | None  # two DSR families named side by side


@lru_cache(maxsize=8192)
def _label_facts(label: str, scope: str | None, wording: str, mention: str) -> _LabelFacts:
    """The heuristics of one label, remembered: labels repeat across an editor's quotes, so a
    batch re-check runs the regexes once per distinct label. Only the heuristics that matter
    for the line's scope are run."""
    text = normalise(label)
    mixed = None
    if sum(word in text for word in _DSR_FAMILY_WORDS) > 1:
        match = _MIXED_DSR_LABEL.search(text)
        if match:
            mixed = (match.group(1).upper(), match.group(2).upper())
    return _LabelFacts(
        text=text,
        has_wording=wording in text,
        excluded=_excluded_item(text) if scope == _SEGUR else None,
        prestation_item=scope == _OUT_OF_SCOPE and _is_prestation_item(text),
        not_billed=scope == _OUT_OF_SCOPE and _NOT_BILLED.search(text) is not None,
        conditional=_is_conditional(text, mention),
        sun_es="sun" in text and _SUN_ES.search(text) is not None,
        mixed_dsr=mixed,
    )


def _quote(label: str, limit: int = 70) -> str:
    label = " ".join(label.split())
    if len(label) > limit:
        label = label[: limit - 1].rstrip() + "…"
    return f"« {label} »"


def _label(line: QuoteLine) -> str:
    return _quote(line.label) if line.label.strip() else "(sans libellé)"


def _fr_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")
