"""`check_quote`: the quote checker's walk over the lines, the amounts and the verdict.

The sources (seed slides) are cited in the package docstring (`segur_funding.quotes.rules`).
Pure: no ORM, no settings, no I/O; the date of the check is an argument.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from segur_funding.core.money import ZERO, format_eur
from segur_funding.referential import constants as referential_constants
from segur_funding.referential.rules import SchemeRef, milestones

from ..constants import FindingCode, Severity, Verdict
from ..documents import QuoteDocument, QuoteLine
from ..report import Report
from .findings import (
    _check_free_texts,
    _check_line_dsr,
    _check_preorder,
    _check_windows,
    _Findings,
    _state_wording_display,
    _tier,
)
from .labels import LabelMatcher
from .referencing import ReferencedSolution, platform_match, referencing_filled
from .text import (
    _OUT_OF_SCOPE,
    _SEGUR,
    _STATE_FUNDING,
    DEFAULT_MATCHER,
    _fr_date,
    _label,
    _normalised,
    _quote,
    label_facts_reader,
)

_SEVERITY_RANK = {Severity.ERROR: 0, Severity.MANUAL: 1, Severity.WARNING: 2}


def check_quote(
    doc: QuoteDocument,
    *,
    scheme: SchemeRef | None,
    today: date,
    manual_checks: Sequence[str] = (),
    fully_read: bool = True,
    labels: LabelMatcher | None = None,
    referenced_solutions: Sequence[ReferencedSolution] = (),
) -> Report:
    """Check a quote against the rules of SPEC §3–§4 and the scheme (AF) of its DSR.

    `scheme` is the active scheme of `doc.dsr`; None is accepted only when the document does
    not say its DSR (a PDF reading): the report is then incomplete. A DSR without a barème is
    refused with InvalidInput. `manual_checks` are French sentences from the PDF reading saying
    what a person must check by hand; each becomes a manual finding. `fully_read` is False when
    part of the document could not be read (a PDF page without text, a table not rebuilt): an
    absence is then a manual check, not an error. `labels` reads line labels (the selector's
    matcher of the reference data; the shipped wordings by default). `referenced_solutions` is
    the platform's list for the DSR, used only where the quote does not state its referencing.
    """
    findings = _Findings()
    matcher = labels or DEFAULT_MATCHER
    tier, scheme = _tier(doc, scheme, findings)
    # A PDF read in part: what was not found may sit in what could not be read, so an absence
    # (of the State-funding line, of the §3.2 mention) is a manual check there, never an error.
    reading_incomplete = not fully_read
    doc, candidates = _referencing_context(doc, referenced_solutions, findings)

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

    read = label_facts_reader(wording, mention, matcher).get
    facts = [read(line.label, line.scope) for line in doc.lines]

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
                    f"qu'elle relève de la Prestation Ségur ({fact.prestation_item}), que "
                    "l'État prend entièrement en charge : vous ne devez rien payer pour cela.",
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
    _check_free_texts(doc, mention_texts, condition_texts, mention, findings, matcher.conditions)

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
        elif reading_incomplete:
            # The deduction may sit in the part that could not be read: what the State pays,
            # hence the remainder, is unknown.
            state_total = None
            if doc.lines:
                findings.add(
                    FindingCode.MISSING_STATE_FUNDING_LINE,
                    f"La ligne « {_state_wording_display(scheme)} » n'a pas été trouvée dans la "
                    "partie lisible du devis : vérifiez qu'elle y figure.",
                    severity=Severity.MANUAL,
                )
        else:
            findings.add(
                FindingCode.MISSING_STATE_FUNDING_LINE,
                f"Le devis ne comporte pas la ligne « {_state_wording_display(scheme)} » qui "
                "déduit la part payée par l'État.",
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
        # Whenever the client would pay something, even when the deduction line is missing
        # altogether (SPEC §4: a lab filtering on CLIENT_REMAINDER finds every such quote).
        if remainder > 0:
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
        # A tier is only found in a scheme: the rate is the AF's, never a constant.
        split = milestones(min(state_total, tier.cap_ttc), scheme.advance_rate)
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

    _check_preorder(doc, scheme, today, mention_found, reading_incomplete, candidates, findings)
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


def _referencing_context(
    doc: QuoteDocument, solutions: Sequence[ReferencedSolution], findings: _Findings
) -> tuple[QuoteDocument, tuple[ReferencedSolution, ...]]:
    """Fill the referencing fields the quote leaves out from the platform's list, and say so.

    Returns the document to check and, when nothing was filled, the solutions the quote may be
    for (for the manual check's message)."""
    info = doc.referencing
    if info.referenced_on_known and info.proofs_complete_on_known:
        return doc, ()
    found, candidates = platform_match(doc, solutions)
    if found is None:
        return doc, candidates
    missing = []
    if not info.referenced_on_known:
        missing.append("la date de référencement du logiciel")
    if not info.proofs_complete_on_known:
        missing.append("la date d'envoi du dossier complet de preuves")
    proofs = (
        f", dossier complet de preuves le {_fr_date(found.proofs_complete_on)}"
        if found.proofs_complete_on
        else ""
    )
    number = f", n° {found.number}" if found.number else ""
    findings.add(
        FindingCode.REFERENCING_FROM_PLATFORM,
        f"Le devis n'indique pas {' ni '.join(missing)} : d'après la liste des solutions "
        f"référencées de la plateforme, {found.display} est référencé pour le DSR "
        f"{found.dsr_code} depuis le {_fr_date(found.referenced_on)}{proofs}{number}. Ces "
        "dates ont servi à la vérification : assurez-vous que le devis porte bien sur ce "
        "logiciel et cette version.",
    )
    return referencing_filled(doc, found), ()
