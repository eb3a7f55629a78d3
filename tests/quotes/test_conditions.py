"""Conditional offers read by meaning (SPEC §3.4: the Prestation may be conditioned neither on a
re-engagement nor on a new option), from wordings that are reference data
(`referential.condition_defaults`), normalised like the label items, negation aware."""

import pytest

from segur_funding.quotes.rules.conditions import ConditionMatcher
from segur_funding.quotes.rules.labels import LabelMatcher
from segur_funding.quotes.rules.patterns import PatternError
from segur_funding.quotes.rules.text import DEFAULT_MATCHER, is_conditional, normalise
from segur_funding.quotes.rules.words import label_tokens
from segur_funding.referential import constants
from segur_funding.referential.condition_defaults import DEFAULT_CONDITION_WORDINGS
from segur_funding.referential.rules import ConditionWordingKind, ConditionWordingRef

MENTION = normalise(constants.CONDITIONAL_ORDER_MENTION)


def conditional(text: str, matcher: LabelMatcher = DEFAULT_MATCHER) -> bool:
    return is_conditional(text, MENTION, matcher.conditions)


@pytest.mark.parametrize(
    "text",
    [
        "Offre valable sous réserve de la souscription du contrat de maintenance Premium.",
        "SOUS RESERVE DE SOUSCRIPTION DU MODULE QUALITE",
        "Sous réserve de : la souscription de l'option hébergement",
        "Prix conditionné à l'acquisition du module qualité.",
        "Tarif conditionnel à l'achat du pack interfaces",
        "Remise accordée à condition de souscrire l'abonnement annuel",
        "À la condition expresse que le client acquière l'option BI",
        "Offre subordonnée à l'achat de licences supplémentaires",
        "Prestation assujettie à la signature d'un contrat de support",
        "Gratuit en contrepartie d'un engagement de 5 ans",
        "Valable uniquement si le laboratoire souscrit le module stats",
        "Moyennant la souscription d'une extension",
        "Cette offre implique un réengagement de 5 ans.",
        "Ré-engagement de 3 ans sur la maintenance",
        "Durée d'engagement : 3 ans.",
        "Durée minimale d'engagement 36 mois",
        "Engagement ferme de 4 ans",
        "Engagement de trois ans",
        "Option hébergement obligatoire",
        "Souscription préalable du module interfaces",
        "Offre indissociable de l'achat du module BI",
        "Obligation de souscrire le contrat de services étendus",
        "Bon de commande conditionné à l'obtention du référencement et à la souscription "
        "de l'option hébergement.",
        "Sans réengagement pour la Prestation Ségur, mais conditionnée à l'achat de l'option BI.",
        "Sans engagement, sauf souscription de l'option BI obligatoire",
        "Offre non conditionnée au référencement ; sous réserve de l'achat du module X",
        "Maintenance 6 ans (sous réserve de souscrire l'option X)",
    ],
)
def test_a_condition_put_on_the_client_is_read_whatever_its_wording(text):
    assert conditional(text)


@pytest.mark.parametrize(
    "text",
    [
        constants.CONDITIONAL_ORDER_MENTION,
        "Offre valable sous réserve de signature avant le 15/07/2022.",
        "Engagement de confidentialité des données de santé.",
        "Sous réserve de l'obtention du référencement ANS.",
        "Commande conditionnée au dépôt d'un dossier de référencement complet",
        "Elle n'est conditionnée à aucun réengagement ni à l'achat d'options ou de modules.",
        "Offre sans réengagement ni souscription d'option.",
        "La Prestation Ségur ne peut être conditionnée ni à un réengagement ni à un module.",
        "L'offre n'est pas conditionnée à la souscription d'un contrat de maintenance ou à "
        "l'achat de modules.",
        "Offre non subordonnée à l'achat d'une option",
        "Sans aucune obligation d'achat",
        "Aucun engagement de durée",
        "Sans engagement de 3 ans",
        "Pas de réengagement demandé",
        "Conditions générales de vente : contrat de maintenance joint",
        "Conditions de paiement : 30 % à la commande, solde à la livraison",
        "Maintien en condition opérationnelle du module d'interfaces",
        "Formation des utilisateurs (module qualité)",
        "Option statistiques",
        "Engagement de service : intervention sous 4 heures pendant 6 ans",
        "Installation, paramétrage et qualification",
    ],
)
def test_what_is_not_a_condition_put_on_the_client_is_not_read_as_one(text):
    assert not conditional(text)


def test_wordings_are_data_an_added_demand_is_read():
    text = "Tarif valable sous réserve de l'hébergement chez l'éditeur"
    assert not conditional(text)
    wordings = (
        *DEFAULT_CONDITION_WORDINGS,
        ConditionWordingRef(
            code="hebergement", kind=ConditionWordingKind.DEMAND, name="hébergement",
            patterns=("hebergement",),
        ),
    )
    matcher = LabelMatcher(DEFAULT_MATCHER.items, wordings)
    assert conditional(text, matcher)
    assert not conditional("Sans hébergement chez l'éditeur, sous réserve de rien", matcher)


def test_a_removed_wording_is_no_longer_read():
    text = "Moyennant la souscription d'une extension"
    assert conditional(text)
    wordings = tuple(w for w in DEFAULT_CONDITION_WORDINGS if "moyennant" not in w.patterns)
    wordings = (
        *wordings,
        ConditionWordingRef(
            code="sous-reserve", kind=ConditionWordingKind.TRIGGER, name="sous réserve",
            patterns=("sous reserve",),
        ),
    )
    assert not ConditionMatcher(wordings).conditional(label_tokens(text))


def test_a_number_pattern_needs_a_number():
    matcher = ConditionMatcher(
        [ConditionWordingRef(code="x", kind=ConditionWordingKind.ALWAYS, name="x",
                             patterns=("engagement # an",))]
    )
    assert matcher.conditional(label_tokens("engagement de 3 ans"))
    assert matcher.conditional(label_tokens("engagement de six ans"))
    assert not matcher.conditional(label_tokens("engagement de service ans"))


def test_a_trigger_needs_its_demand_close_by():
    far = "Sous réserve de signature du bon de commande avant la date limite, options en sus"
    assert not conditional(far)


@pytest.mark.parametrize("pattern", ["...", "engagement # ...", "le la", "* an"])
def test_an_unusable_pattern_is_refused_in_french(pattern):
    with pytest.raises(PatternError):
        ConditionMatcher(
            [ConditionWordingRef(code="x", kind=ConditionWordingKind.TRIGGER, name="x",
                                 patterns=(pattern,))]
        )
