"""The findings of the quote checker: the tier, per-line DSR codes, free texts, the 120-day rule
and the signature windows.

Part of the quote checker; the sources (seed slides) are cited in the package docstring
(`segur_funding.quotes.rules`). Pure: no ORM, no settings, no I/O.
"""

from collections.abc import Sequence
from datetime import date

from segur_funding.core.errors import InvalidInput
from segur_funding.referential import constants as referential_constants
from segur_funding.referential.rules import (
    PreorderState,
    SchemeRef,
    TierRow,
    ordered_before_referencing,
    preorder_deadline,
    preorder_eligibility,
    signature_late_window,
    tier_for_sites,
    window_for_signature,
)

from ..constants import ERROR_CODES, WARNING_CODES, FindingCode, Scope, Severity
from ..documents import QuoteDocument, QuoteLine
from ..report import Finding
from .conditions import ConditionMatcher
from .referencing import ReferencedSolution
from .text import _fr_date, _label, _quote, _relies_on_sun_es, is_conditional


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
    conditions: ConditionMatcher,
) -> None:
    reported: list[str] = []
    for raw, text in zip(doc.conditions, condition_texts, strict=True):
        # The §3.2 mention placed among the conditions is not a condition put on the client.
        if " referencement " in text and not is_conditional(raw, mention, conditions):
            continue
        reported.append(raw)
        findings.add(
            FindingCode.CONDITIONAL_OFFER,
            f"Le devis pose une condition au client : {_quote(raw, 120)}. La Prestation Ségur "
            "ne peut être conditionnée ni à un réengagement ni à la souscription d'une option "
            "ou d'un module.",
        )
    for raw in doc.mentions:
        # A PDF's condition also sits in the paragraph it was read from: told once, as a condition.
        if any(condition in raw for condition in reported):
            continue
        if is_conditional(raw, mention, conditions):
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
        if " sun" in text and _relies_on_sun_es(raw)
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
    candidates: Sequence[ReferencedSolution],
    findings: _Findings,
) -> None:
    """The 120-day rule (SPEC §3.2) and the mention an order placed before referencing carries.

    `candidates`: referenced solutions the quote may be for, when its referencing date is
    neither stated nor found on the platform (named in the manual check)."""
    # The delay is the AF's; without a scheme (DSR not said) no delay is judged, only the mention.
    max_days = scheme.preorder_max_days if scheme is not None else None
    referencing = doc.referencing
    order_date = doc.order_date or doc.signature_date
    mention_note = (
        "" if mention_found else " Ce devis ne porte pas cette mention."
    )
    if not referencing.referenced_on_known:
        # The quote does not say and the platform's list did not tell (SPEC §4): the 120-day
        # rule cannot be decided, so the check is incomplete and says what to look up.
        if max_days is None:
            within = "dans le délai fixé par l'appel à financement"
        elif order_date is None:
            within = f"dans les {max_days} jours qui suivent la commande"
        else:
            deadline = preorder_deadline(order_date=order_date, max_days=max_days)
            within = (
                f"dans les {max_days} jours qui suivent la commande (au plus tard le "
                f"{_fr_date(deadline)})"
            )
        if candidates:
            known = (
                " La plateforme connaît plusieurs versions possibles ("
                + ", ".join(c.display for c in candidates[:4])
                + ") : le devis ne dit pas laquelle."
            )
        else:
            known = (
                " La plateforme ne connaît pas ce logiciel parmi ses solutions référencées "
                "(nom, version et éditeur non indiqués ou inconnus)."
            )
        findings.add(
            FindingCode.REFERENCING_UNKNOWN,
            "Le devis ne dit pas si ni depuis quand le logiciel est référencé par l'ANS." + known
            + " Vérifiez dans la liste des solutions référencées la date de référencement du "
            "logiciel et de sa version : s'il ne l'était pas encore à la date de la commande, "
            "le devis doit porter la mention « Bon de commande conditionné à l'obtention par le "
            f"logiciel du référencement ANS… » et l'éditeur doit déposer le dossier complet de "
            f"preuves {within}.{mention_note}",
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
        elif referencing.proofs_complete_on is None and max_days is not None:
            findings.add(
                FindingCode.PROOFS_PENDING,
                "Le logiciel n'est pas encore référencé : signé aujourd'hui, ce devis ne sera "
                "financé que si l'éditeur dépose le dossier complet de preuves au plus tard le "
                f"{_fr_date(preorder_deadline(order_date=today, max_days=max_days))} "
                f"({max_days} jours après la signature).",
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
    if max_days is None:
        return
    if not referencing.proofs_complete_on_known:
        deadline = preorder_deadline(order_date=order_date, max_days=max_days)
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
    deadline = status.deadline or preorder_deadline(order_date=order_date, max_days=max_days)
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
