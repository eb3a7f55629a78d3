"""The quote checker: does a quote leave the client nothing to pay for the Prestation Ségur?

Sources (seed, ANS presentation to medical biology labs):
- slide "Principes d'obtention du financement SONS": the quote respects the tier's maximum and
  includes a line « montant de la Prestation Ségur pris en charge par l'Etat au titre du Ségur »;
  the 120-day rule; signature by 15 July 2022;
- slide "Barème de financement à l'équipement": caps per tier (data, see referential);
- slide "Périmètre de la Prestation Ségur": what it covers (rights to use the referenced version,
  installation, configuration, qualification, paramétrage, 6 years of maintenance, training,
  documents, project follow-up), what it never covers (non-referenced solutions, MSSanté
  mailboxes, complete change of solution or catch-up of an obsolete version, additional
  infrastructure: servers, DBMS migration), and « il ne doit pas y avoir de reste à charge »;
  it may not be conditioned on a re-engagement nor on a new contractual option;
- slide "Bonnes pratiques": the mention of orders placed before referencing; the non-conform
  examples (remainder on maintenance, no distinction, several DSRs on one line, offer conditioned
  on modules or options, SUN-ES confusion).

Wording tests run on a normalised text (see `normalise`): lowercase ASCII words separated by one
space, so accents, case, apostrophe style, punctuation and spacing never matter. The keyword
heuristics (Prestation items billed out of scope, excluded items in the Ségur part, conditional
offers) are documented where they are defined; each is tuned to miss rather than to accuse a
legitimate line, because a false "non conforme" sends a lab back to its editor for nothing.

Pure: no ORM, no settings, no I/O; the date of the check is an argument.
"""

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from segur_funding.core.errors import InvalidInput
from segur_funding.core.money import ZERO, format_eur
from segur_funding.funding.rules import (
    DEFAULT_ADVANCE_RATE,
    DEFAULT_PREORDER_MAX_DAYS,
    PreorderState,
    milestones,
    ordered_before_referencing,
    preorder_eligibility,
    signature_late_window,
    window_for_signature,
)
from segur_funding.referential import constants as referential_constants
from segur_funding.referential.rules import SchemeRef, TierRow, tier_for_sites

from .constants import ERROR_CODES, WARNING_CODES, FindingCode, Scope, Severity, Verdict
from .documents import QuoteDocument, QuoteLine
from .report import Finding, Report

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


# --- The check --------------------------------------------------------------------------------

# Plain strings: comparing with them is several times faster than with the enum members.
_SEGUR = Scope.SEGUR.value
_STATE_FUNDING = Scope.STATE_FUNDING.value
_OUT_OF_SCOPE = Scope.OUT_OF_SCOPE.value

_SEVERITY_RANK = {Severity.ERROR: 0, Severity.MANUAL: 1, Severity.WARNING: 2}


class _Findings:
    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[Finding] = []

    def add(
        self,
        code: FindingCode,
        message: str,
        line: int | None = None,
        *,
        severity: Severity | None = None,
    ) -> None:
        """Record a finding; its severity follows from its code unless given."""
        if severity is None:
            if code in ERROR_CODES:
                severity = Severity.ERROR
            elif code in WARNING_CODES:
                severity = Severity.WARNING
            else:
                severity = Severity.MANUAL
        self.items.append(Finding(code=code, severity=severity, line=line, message=message))


def _tier(
    doc: QuoteDocument, scheme: SchemeRef | None, findings: _Findings
) -> tuple[TierRow | None, SchemeRef | None]:
    if scheme is None:
        if doc.dsr is not None:
            raise InvalidInput(
                f"Le DSR « {doc.dsr} » n'a pas de barème de financement publié : "
                "le devis ne peut pas être vérifié."
            )
        findings.add(
            FindingCode.DSR_UNKNOWN,
            "Le devis n'indique pas le DSR (le type de logiciel financé, par exemple SGL-V1) : "
            "impossible de connaître le barème et le plafond ; indiquez-le pour finir la "
            "vérification.",
        )
        return None, None
    if doc.dsr is not None and doc.dsr != scheme.dsr_code:
        raise ValueError(f"Barème {scheme.dsr_code} passé pour un devis {doc.dsr}.")
    sites = doc.client.geographic_sites
    if sites is not None:
        return tier_for_sites(scheme.tiers, sites), scheme
    if not scheme.tiers:
        raise InvalidInput(
            f"Le DSR « {scheme.dsr_code} » n'a pas de barème de financement publié : "
            "le devis ne peut pas être vérifié."
        )
    # A single tier that holds every site count (LOINC): the number of sites does not matter.
    only = scheme.tiers[0]
    if len(scheme.tiers) == 1 and only.sites_from <= 1 and only.sites_to is None:
        return only, scheme
    findings.add(
        FindingCode.SITES_UNKNOWN,
        "Le nombre de sites géographiques utilisateurs de l'instance logicielle n'est pas "
        "indiqué : impossible de connaître la tranche du barème et son plafond ; indiquez-le "
        "pour finir la vérification.",
    )
    return None, scheme


def check_quote(
    doc: QuoteDocument,
    *,
    scheme: SchemeRef | None,
    today: date,
    manual_checks: Sequence[str] = (),
) -> Report:
    """Check a quote against the rules of SPEC §3–§4 and the scheme (AF) of its DSR.

    `scheme` is the active scheme of `doc.dsr`; None is accepted only when the document does
    not say its DSR (a PDF reading): the report is then incomplete. A DSR without a barème is
    refused with InvalidInput. `manual_checks` are French sentences from the PDF reading saying
    what a person must check by hand; each becomes a manual finding.
    """
    findings = _Findings()
    tier, scheme = _tier(doc, scheme, findings)
    # A PDF read in part: what was not found may sit in what could not be read, so an absence
    # (of the State-funding line, of the §3.2 mention) is a manual check there, never an error.
    reading_incomplete = any(check.strip() for check in manual_checks)

    wording = _normalised(
        (scheme.state_funding_wording if scheme else "")
        or referential_constants.STATE_FUNDING_WORDING
    )
    mention = _normalised(
        (scheme.conditional_order_mention if scheme else "")
        or referential_constants.CONDITIONAL_ORDER_MENTION
    )

    segur_total: Decimal | None = ZERO
    state_total: Decimal | None = ZERO
    state_ht = ZERO
    state_ht_given = False
    state_lines: list[int] = []
    worded_state_lines = 0
    misplaced_wording: list[tuple[int, QuoteLine]] = []
    unclassified = 0

    facts = [_label_facts(line.label, line.scope, wording, mention) for line in doc.lines]

    for number, (line, fact) in enumerate(zip(doc.lines, facts, strict=True), 1):
        scope = line.scope
        worded = fact.has_wording

        if scope == _SEGUR:
            if line.amount_ttc is None:
                segur_total = None
                findings.add(
                    FindingCode.AMOUNT_UNKNOWN,
                    f"Montant TTC de la ligne Ségur {_label(line)} illisible : relevez-le sur "
                    "le devis.",
                    number,
                )
            elif segur_total is not None:
                segur_total += line.amount_ttc
            if worded:
                misplaced_wording.append((number, line))
            excluded = fact.excluded
            if excluded is not None:
                findings.add(
                    FindingCode.EXCLUDED_ITEM_FUNDED,
                    f"La ligne {_label(line)} figure dans la Prestation Ségur alors qu'elle "
                    f"concerne {excluded}, que l'État ne finance jamais : l'éditeur doit la "
                    "facturer sur une ligne hors Ségur distincte ou sur un autre devis.",
                    number,
                )
        elif scope == _STATE_FUNDING:
            state_lines.append(number)
            if line.amount_ttc is None:
                state_total = None
                findings.add(
                    FindingCode.AMOUNT_UNKNOWN,
                    f"Montant TTC de la prise en charge par l'État {_label(line)} illisible : "
                    "relevez-le sur le devis.",
                    number,
                )
            elif state_total is not None:
                state_total += line.amount_ttc
            if line.amount_ht is not None:
                state_ht += line.amount_ht
                state_ht_given = True
            if worded:
                worded_state_lines += 1
            else:
                findings.add(
                    FindingCode.MISSING_STATE_FUNDING_LINE,
                    f"La ligne {_label(line)} déduit la part de l'État mais son libellé ne "
                    f"reprend pas la formule exigée « {_state_wording_display(scheme)} ».",
                    number,
                )
        elif scope == _OUT_OF_SCOPE:
            if worded:
                misplaced_wording.append((number, line))
            amount = line.amount_ttc
            billed = amount > 0 if amount is not None else not fact.not_billed
            if billed and fact.prestation_item:
                shown = f" ({format_eur(amount)} TTC)" if amount is not None else ""
                findings.add(
                    FindingCode.CLIENT_REMAINDER,
                    f"La ligne {_label(line)}{shown} vous est facturée hors Ségur alors "
                    "qu'elle relève de la Prestation Ségur (droits d'utilisation de la version "
                    "référencée, installation, paramétrage, maintenance pendant 6 ans, "
                    "formation, documentation, suivi de projet), que l'État prend entièrement "
                    "en charge : vous ne devez rien payer pour cela.",
                    number,
                )
        else:
            unclassified += 1
            shown = f" (classement « {scope} » inconnu)" if scope else ""
            findings.add(
                FindingCode.UNCLASSIFIED_LINE,
                f"La ligne {_label(line)}{shown} n'est classée ni dans la Prestation Ségur ni "
                "hors Ségur : le devis doit distinguer ce que l'État prend en charge de ce qui "
                "vous est facturé.",
                number,
            )

        if line.dsr or fact.mixed_dsr:
            _check_line_dsr(doc, line, number, fact.mixed_dsr, findings)
        if fact.sun_es:
            findings.add(
                FindingCode.SUN_ES_REFERENCE,
                f"La ligne {_label(line)} fait référence au programme SUN-ES : un devis SONS ne "
                "peut pas s'appuyer sur le financement SUN-ES.",
                number,
            )
        if fact.conditional:
            findings.add(
                FindingCode.CONDITIONAL_OFFER,
                f"La ligne {_label(line)} conditionne l'offre (options, modules, contrat ou "
                "réengagement) : la Prestation Ségur doit être autonome.",
                number,
            )

    mention_texts = [_normalised(m) for m in doc.mentions]
    condition_texts = [_normalised(c) for c in doc.conditions]
    _check_free_texts(doc, mention_texts, condition_texts, mention, findings)

    mention_found = any(
        mention in t for t in (*mention_texts, *condition_texts, *(f.text for f in facts))
    )

    if worded_state_lines == 0 and not state_lines:
        if misplaced_wording:
            number, line = misplaced_wording[0]
            findings.add(
                FindingCode.MISSING_STATE_FUNDING_LINE,
                f"La ligne {_quote(line.label)} porte le libellé de la prise en charge par "
                "l'État mais n'est pas présentée comme une déduction : le devis doit déduire "
                "la part de l'État sur une ligne à part.",
                number,
            )
        elif reading_incomplete and doc.lines:
            findings.add(
                FindingCode.MISSING_STATE_FUNDING_LINE,
                f"La ligne « {_state_wording_display(scheme)} » n'a pas été trouvée dans la "
                "partie lisible du devis : vérifiez qu'elle y figure.",
                severity=Severity.MANUAL,
            )
        elif not reading_incomplete:
            # Nothing deducted: the quote asks the client for the whole Prestation (this is
            # the remainder too, reported here once rather than twice).
            whole = (
                f" : il vous demande de payer toute la Prestation Ségur "
                f"({format_eur(segur_total)} TTC)"
                if segur_total
                else ""
            )
            findings.add(
                FindingCode.MISSING_STATE_FUNDING_LINE,
                f"Le devis ne comporte pas la ligne « {_state_wording_display(scheme)} » qui "
                f"déduit la part payée par l'État{whole}.",
            )

    # Amounts: remainder, cap, milestones.
    remainder: Decimal | None = None
    state_line = state_lines[0] if len(state_lines) == 1 else None
    if segur_total is not None and state_total is not None:
        remainder = max(segur_total - state_total, ZERO)
        # With unclassified lines the Ségur total is not known for sure: UNCLASSIFIED_LINE
        # already says so, and the State may well be deducting lines the editor did not mark.
        if state_total > segur_total and not unclassified:
            findings.add(
                FindingCode.STATE_FUNDING_ABOVE_SEGUR_TOTAL,
                f"La prise en charge par l'État ({format_eur(state_total)} TTC) dépasse le "
                f"total des lignes de la Prestation Ségur ({format_eur(segur_total)} TTC) : "
                "l'État ne peut pas payer plus que la prestation elle-même.",
                state_line,
            )
        if remainder > 0 and state_lines:
            findings.add(
                FindingCode.CLIENT_REMAINDER,
                f"Il vous resterait {format_eur(remainder)} TTC à payer pour la Prestation "
                f"Ségur (total des lignes Ségur {format_eur(segur_total)}, prise en charge "
                f"par l'État {format_eur(state_total)}) : le reste à charge doit être nul.",
                state_line,
            )

    cap_ttc = tier.cap_ttc if tier else None
    cap_ht = tier.cap_ht if tier else None
    advance = balance = None
    if tier is not None and state_total is not None:
        if state_total > tier.cap_ttc:
            findings.add(
                FindingCode.CAP_EXCEEDED,
                f"La prise en charge par l'État ({format_eur(state_total)} TTC) dépasse le "
                f"plafond de la tranche {tier.code} ({format_eur(tier.cap_ttc)} TTC).",
                state_line,
            )
        elif state_ht_given and state_ht > tier.cap_ht:
            findings.add(
                FindingCode.CAP_EXCEEDED,
                f"La prise en charge par l'État ({format_eur(state_ht)} HT) dépasse le "
                f"plafond de la tranche {tier.code} ({format_eur(tier.cap_ht)} HT).",
                state_line,
            )
        rate = scheme.advance_rate if scheme is not None else DEFAULT_ADVANCE_RATE
        split = milestones(min(state_total, tier.cap_ttc), rate)
        advance, balance = split.advance, split.balance
    elif scheme is not None and scheme.tiers and state_total is not None:
        highest = max(scheme.tiers, key=lambda t: t.cap_ttc)
        if state_total > highest.cap_ttc:
            findings.add(
                FindingCode.CAP_EXCEEDED,
                f"La prise en charge par l'État ({format_eur(state_total)} TTC) dépasse le "
                f"plafond le plus haut du barème (tranche {highest.code}, "
                f"{format_eur(highest.cap_ttc)} TTC), quel que soit le nombre de sites.",
                state_line,
            )

    _check_preorder(doc, scheme, today, mention_found, reading_incomplete, findings)
    _check_windows(doc, scheme, today, findings)

    for check in manual_checks:
        if check.strip():
            findings.add(FindingCode.MANUAL_CHECK, check.strip())

    items = sorted(
        findings.items, key=lambda f: (_SEVERITY_RANK[f.severity], f.line or 0)
    )
    severities = {f.severity for f in items}
    if Severity.ERROR in severities:
        verdict = Verdict.NON_CONFORM
    elif Severity.MANUAL in severities:
        verdict = Verdict.INCOMPLETE
    else:
        verdict = Verdict.CONFORM
    return Report(
        verdict=verdict,
        tier=tier.code if tier else None,
        cap_ttc=cap_ttc,
        cap_ht=cap_ht,
        segur_total_ttc=segur_total,
        state_funding_ttc=state_total,
        client_remainder_ttc=remainder,
        advance_ttc=advance,
        balance_ttc=balance,
        findings=tuple(items),
        dsr=scheme.dsr_code if scheme else doc.dsr,
        number=doc.number,
        advance_rate=scheme.advance_rate if scheme else None,
    )


def _state_wording_display(scheme: SchemeRef | None) -> str:
    return (
        scheme.state_funding_wording if scheme else ""
    ) or referential_constants.STATE_FUNDING_WORDING


def _check_line_dsr(
    doc: QuoteDocument,
    line: QuoteLine,
    number: int,
    mixed: tuple[str, str] | None,
    findings: _Findings,
) -> None:
    """MIXED_DSR_LINE from the line's codes or the DSRs its label names side by side (`mixed`),
    OTHER_DSR_LINE for a line of another DSR."""
    codes = sorted(set(line.dsr))
    if len(codes) > 1:
        findings.add(
            FindingCode.MIXED_DSR_LINE,
            f"La ligne {_label(line)} couvre plusieurs DSR ({', '.join(codes)}) : chaque DSR doit "
            "faire l'objet de ses propres lignes.",
            number,
        )
        return
    if mixed:
        findings.add(
            FindingCode.MIXED_DSR_LINE,
            f"La ligne {_label(line)} mélange plusieurs DSR ({mixed[0]} et {mixed[1]}) : "
            "chaque DSR doit faire l'objet de ses propres lignes.",
            number,
        )
        return
    if (
        codes
        and doc.dsr is not None
        and codes[0] != doc.dsr
        and line.scope in (Scope.SEGUR, Scope.STATE_FUNDING)
    ):
        findings.add(
            FindingCode.OTHER_DSR_LINE,
            f"La ligne {_label(line)} relève du DSR {codes[0]} alors que le devis est établi pour "
            f"{doc.dsr} : le plafond de {codes[0]} ne peut pas être vérifié ici ; demandez un "
            "devis par DSR ou vérifiez chaque plafond à la main.",
            number,
        )


def _check_free_texts(
    doc: QuoteDocument,
    mention_texts: list[str],
    condition_texts: list[str],
    mention: str,
    findings: _Findings,
) -> None:
    for raw, text in zip(doc.conditions, condition_texts, strict=True):
        # The §3.2 mention placed among the conditions is not a condition put on the client.
        if " referencement " in text and not _is_conditional(text, mention):
            continue
        findings.add(
            FindingCode.CONDITIONAL_OFFER,
            f"Le devis pose une condition au client : {_quote(raw, 120)}. La Prestation Ségur "
            "ne peut être conditionnée ni à un réengagement ni à la souscription d'une option "
            "ou d'un module.",
        )
    for raw, text in zip(doc.mentions, mention_texts, strict=True):
        if _is_conditional(text, mention):
            findings.add(
                FindingCode.CONDITIONAL_OFFER,
                f"La mention {_quote(raw, 120)} conditionne l'offre (options, modules, contrat "
                "ou réengagement) : la Prestation Ségur doit être autonome.",
            )
    sun_es = [
        raw
        for raw, text in zip(
            (*doc.mentions, *doc.conditions), (*mention_texts, *condition_texts), strict=True
        )
        if "sun" in text and _SUN_ES.search(text)
    ]
    if sun_es:
        findings.add(
            FindingCode.SUN_ES_REFERENCE,
            f"Le devis fait référence au programme SUN-ES ({_quote(sun_es[0], 120)}) : un devis "
            "SONS ne peut pas s'appuyer sur le financement SUN-ES.",
        )


def _ordered_phrase(order_date: date, referenced_on: date | None) -> str:
    if referenced_on is not None:
        when = f"avant son référencement ({_fr_date(referenced_on)})"
    else:
        when = "alors que le logiciel n'est pas encore référencé"
    return f"La commande du {_fr_date(order_date)} est passée {when}"


def _check_preorder(
    doc: QuoteDocument,
    scheme: SchemeRef | None,
    today: date,
    mention_found: bool,
    reading_incomplete: bool,
    findings: _Findings,
) -> None:
    """The 120-day rule (SPEC §3.2) and the mention an order placed before referencing carries."""
    max_days = scheme.preorder_max_days if scheme else DEFAULT_PREORDER_MAX_DAYS
    referencing = doc.referencing
    order_date = doc.order_date or doc.signature_date
    mention_note = (
        "" if mention_found else " Ce devis ne porte pas cette mention."
    )
    if not referencing.referenced_on_known:
        # Not knowing the referencing date is a warning, not a manual check: most orders follow
        # the referencing, and the lab can look the software up in the ANS list.
        deadline = (
            f" (au plus tard le {_fr_date(order_date + timedelta(days=max_days))})"
            if order_date is not None
            else ""
        )
        findings.add(
            FindingCode.REFERENCING_UNKNOWN,
            "Le devis ne dit pas à quelle date le logiciel a été référencé par l'ANS : s'il ne "
            "l'était pas encore à la date de la commande, le devis doit porter la mention "
            "« Bon de commande conditionné à l'obtention par le logiciel du référencement "
            "ANS… » et l'éditeur doit déposer le dossier complet de preuves dans les "
            f"{max_days} jours qui suivent la commande{deadline}.{mention_note} Vérifiez-le "
            "dans la liste des solutions référencées.",
        )
        return
    referenced_on = referencing.referenced_on
    if order_date is None:
        if referenced_on is not None and referenced_on <= today:
            return  # signed from now on, the order follows the referencing: not concerned
        if not mention_found:
            findings.add(
                FindingCode.ORDER_DATE_UNKNOWN,
                "Le logiciel n'est pas encore référencé et le devis ne porte ni date de commande "
                "ni date de signature : signé avant le référencement, il devrait porter la "
                "mention « Bon de commande conditionné à l'obtention par le logiciel du "
                "référencement ANS… », qu'il ne porte pas. Attendez le référencement ou "
                "demandez à l'éditeur d'ajouter la mention.",
            )
        elif referencing.proofs_complete_on is None:
            findings.add(
                FindingCode.PROOFS_PENDING,
                "Le logiciel n'est pas encore référencé : signé aujourd'hui, ce devis ne sera "
                "financé que si l'éditeur dépose le dossier complet de preuves au plus tard le "
                f"{_fr_date(today + timedelta(days=max_days))} ({max_days} jours après la "
                "signature).",
            )
        return
    if not ordered_before_referencing(order_date=order_date, referenced_on=referenced_on):
        return
    if not mention_found and reading_incomplete:
        findings.add(
            FindingCode.MISSING_CONDITIONAL_MENTION,
            f"{_ordered_phrase(order_date, referenced_on)} : vérifiez que le devis porte la "
            "mention « Bon de commande conditionné à l'obtention par le logiciel du "
            "référencement ANS… », introuvable dans la partie lisible du devis.",
            severity=Severity.MANUAL,
        )
    elif not mention_found:
        findings.add(
            FindingCode.MISSING_CONDITIONAL_MENTION,
            f"{_ordered_phrase(order_date, referenced_on)} mais le devis ne porte pas la "
            "mention « Bon de commande conditionné à l'obtention par le logiciel du "
            "référencement ANS. L'affermissement de cette commande est conditionné au dépôt "
            "d'un dossier de référencement complet… ».",
        )
    if not referencing.proofs_complete_on_known:
        deadline = order_date + timedelta(days=max_days)
        findings.add(
            FindingCode.PROOFS_DATE_UNKNOWN,
            f"{_ordered_phrase(order_date, referenced_on)} : vérifiez que l'éditeur "
            "a déposé le dossier complet de preuves au plus tard le "
            f"{_fr_date(deadline)} ({max_days} jours après la commande).",
        )
        return
    status = preorder_eligibility(
        order_date=order_date,
        referenced_on=referenced_on,
        proofs_complete_on=referencing.proofs_complete_on,
        today=today,
        max_days=max_days,
    )
    deadline = status.deadline or order_date + timedelta(days=max_days)
    if status.state is PreorderState.TOO_EARLY and status.lapsed:
        findings.add(
            FindingCode.ORDER_TOO_EARLY,
            f"{_ordered_phrase(order_date, referenced_on)} et le dossier complet de "
            f"preuves n'a pas été déposé dans les {max_days} jours (date limite : "
            f"{_fr_date(deadline)}) : la commande n'est plus finançable.",
        )
    elif status.state is PreorderState.TOO_EARLY:
        findings.add(
            FindingCode.ORDER_TOO_EARLY,
            f"La commande du {_fr_date(order_date)} est antérieure de {status.days} jours au "
            f"dépôt du dossier complet de preuves ({_fr_date(referencing.proofs_complete_on)}) "
            f"; {max_days} jours au plus sont admis.",
        )
    elif status.state is PreorderState.PENDING:
        findings.add(
            FindingCode.PROOFS_PENDING,
            f"{_ordered_phrase(order_date, referenced_on)} : l'éditeur doit déposer "
            f"le dossier complet de preuves au plus tard le {_fr_date(deadline)}, sinon "
            "la commande ne sera pas financée.",
        )


def _check_windows(
    doc: QuoteDocument, scheme: SchemeRef | None, today: date, findings: _Findings
) -> None:
    """The signature deadline of the funding windows (strict: the day after is late)."""
    if scheme is None or not scheme.windows:
        return
    signed_on = doc.signature_date or doc.order_date
    if signed_on is None:
        closed = signature_late_window(scheme.windows, today)
        if closed is not None and closed.order_signature_deadline is not None:
            findings.add(
                FindingCode.SIGNATURE_DEADLINE_PASSED,
                "La date limite de signature des devis de ce financement était le "
                f"{_fr_date(closed.order_signature_deadline)} : signé aujourd'hui, ce devis ne "
                "serait plus financé.",
            )
        return
    late = signature_late_window(scheme.windows, signed_on)
    if late is not None and late.order_signature_deadline is not None:
        findings.add(
            FindingCode.SIGNED_AFTER_DEADLINE,
            f"Le devis est signé le {_fr_date(signed_on)}, après la date limite de signature "
            f"du {_fr_date(late.order_signature_deadline)} ({late.label}).",
        )
    elif window_for_signature(scheme.windows, signed_on) is None:
        opening = min(
            (w.opens_on for w in scheme.windows if w.opens_on is not None), default=None
        )
        if opening is not None:
            findings.add(
                FindingCode.SIGNED_BEFORE_WINDOW,
                f"Le devis est signé le {_fr_date(signed_on)}, avant l'ouverture de la première "
                f"fenêtre de financement ({_fr_date(opening)}).",
            )
