"""Line labels read by meaning (SPEC §3.4, §4): the shipped wordings, normalisation, negation.

No database: the matcher is built from the shipped items, as the selector builds it from the
rows ANS edits. Each label below was written for this test, in the words editors use.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segur_funding.quotes.rules.labels import (
    VIEW_OUT_OF_SCOPE,
    VIEW_SEGUR,
    LabelMatcher,
    relies_on_sun_es,
)
from segur_funding.quotes.rules.patterns import PatternError, compile_pattern, pattern_problems
from segur_funding.quotes.rules.text import normalise
from segur_funding.quotes.rules.words import clauses_of, plain_of
from segur_funding.referential.label_defaults import DEFAULT_LABEL_ITEMS
from segur_funding.referential.rules import LabelItemKind, LabelItemRef

MATCHER = LabelMatcher(DEFAULT_LABEL_ITEMS)

# --- Billed out of scope: an item of the Prestation (CLIENT_REMAINDER) or not ------------------

PRESTATION = "prestation"
OTHER = None

OUT_OF_SCOPE_LABELS = [
    # maintenance
    ("Maintenance annuelle", PRESTATION),
    ("Maintenance corrective et évolutive 6 ans", PRESTATION),
    ("MAINTENANCE CORRECTIVE ET ÉVOLUTIVE - 6 ANS", PRESTATION),
    ("Maint. 6 ans", PRESTATION),
    ("maint annuelle logiciel", PRESTATION),
    ("Contrat de maintenance (hors Ségur)", PRESTATION),
    ("Maintenances 2023-2028", PRESTATION),
    ("Tierce maintenance applicative", PRESTATION),
    ("TMA du SGL", PRESTATION),
    ("Hotline et assistance téléphonique", PRESTATION),
    ("Support utilisateurs 8h-18h", PRESTATION),
    ("Mises à jour du logiciel pendant six ans", PRESTATION),
    ("Télémaintenance", PRESTATION),
    ("Maintien en condition opérationnelle", PRESTATION),
    # installation, configuration, qualification, set-up
    ("Installation sur site", PRESTATION),
    ("Installation du logiciel sur le serveur du laboratoire", PRESTATION),
    ("Inst. et paramétrage", PRESTATION),
    ("Paramétrage", PRESTATION),
    ("Paramétrages spécifiques du laboratoire", PRESTATION),
    ("Configuration de l'application", PRESTATION),
    ("Qualification et recette", PRESTATION),
    ("Recette fonctionnelle", PRESTATION),
    ("Mise en service", PRESTATION),
    ("Mise en ordre de marche", PRESTATION),
    ("Démarrage et accompagnement au démarrage", PRESTATION),
    ("Déploiement", PRESTATION),
    ("Mise en production", PRESTATION),
    ("Vérification d'aptitude", PRESTATION),
    # training
    ("Formation des utilisateurs", PRESTATION),
    ("Form. utilisateurs (2 jours)", PRESTATION),
    ("Formations sur site", PRESTATION),
    ("Session de formation des biologistes", PRESTATION),
    ("E-learning", PRESTATION),
    ("Transfert de compétences", PRESTATION),
    # documentation
    ("Livraison des documents nécessaires", PRESTATION),
    ("Documentation utilisateur", PRESTATION),
    ("Docs utilisateurs", PRESTATION),
    ("Doc. technique", PRESTATION),
    ("Manuel utilisateur", PRESTATION),
    ("Guide d'utilisation", PRESTATION),
    ("Remise des documents d'exploitation", PRESTATION),
    # project follow-up
    ("Suivi de projet", PRESTATION),
    ("Suivi du projet", PRESTATION),
    ("SUIVI PROJETS", PRESTATION),
    ("Chefferie de projet", PRESTATION),
    ("Chef de projet dédié", PRESTATION),
    ("Pilotage du projet", PRESTATION),
    ("Gestion de projet", PRESTATION),
    ("Direction de projet", PRESTATION),
    ("Coordination du projet de déploiement", PRESTATION),
    ("Comité de pilotage", PRESTATION),
    ("Réunion de lancement", PRESTATION),
    ("Kick-off", PRESTATION),
    # rights to use the referenced version
    ("Droits d'utilisation de la version référencée Ségur", PRESTATION),
    ("Licence SGL version référencée", PRESTATION),
    ("Licence SGL (version référencée)", PRESTATION),
    ("Licences Ségur", PRESTATION),
    ("Droit d'usage du logiciel référencé", PRESTATION),
    ("Flux inter-applicatifs", PRESTATION),
    ("Prestation Ségur", PRESTATION),
    # not items of the Prestation
    ("Module statistiques", OTHER),
    ("Module statistiques (option)", OTHER),
    ("Maintenance du module statistiques", OTHER),
    ("Formation au module qualité (option)", OTHER),
    ("Installation d'un serveur supplémentaire", OTHER),
    ("Maintenance années 7 à 10", OTHER),
    ("Maintenance 7e année", OTHER),
    ("Maintenance de la septième année", OTHER),
    ("Maintenance au-delà de 6 ans", OTHER),
    ("Maintenance après les six premières années", OTHER),
    ("Licence antivirus", OTHER),
    ("Licence SGL", OTHER),
    ("Droits d'utilisation de la version non référencée", OTHER),
    ("Boîtes aux lettres MSSanté", OTHER),
    ("Rattrapage de la dette technique", OTHER),
    ("Frais de déplacement", OTHER),
    ("Hébergement des données de santé", OTHER),
    ("Maintenance des automates", OTHER),
    ("Option formation complémentaire", OTHER),
    ("Journées de formation supplémentaires", OTHER),
    ("Serveur Dell PowerEdge", OTHER),
    ("Maintenance matérielle du serveur", OTHER),
    ("Consommables étiquettes", OTHER),
    ("Hors Prestation Ségur : module BI", OTHER),
    ("Prestation hors Ségur", OTHER),
    ("Remise commerciale", OTHER),
    ("", OTHER),
]


@pytest.mark.parametrize(("label", "expected"), OUT_OF_SCOPE_LABELS)
def test_out_of_scope_label_is_read_as_a_prestation_item_or_not(label, expected):
    reading = MATCHER.read(label, VIEW_OUT_OF_SCOPE)
    assert (PRESTATION if reading.prestation else OTHER) == expected, reading


# --- In the Ségur part: an excluded item (EXCLUDED_ITEM_FUNDED) or not ------------------------

MSSANTE = "MSSanté"
INFRA = "serveurs"
DBMS = "base de données"
CHANGE = "changement complet"
DEBT = "dette technique"
NON_REF = "non référencé"

SEGUR_LABELS = [
    ("Messagerie sécurisée MSSanté : 10 boîtes", MSSANTE),
    ("Boîtes aux lettres MSSanté (10 comptes)", MSSANTE),
    ("BAL MSSanté", MSSANTE),
    ("Abonnement MSSanté 3 ans", MSSANTE),
    ("10 comptes MSSanté", MSSANTE),
    ("Adresses MSSanté nominatives", MSSANTE),
    ("Messagerie sécurisée de santé", MSSANTE),
    ("Module complémentaire non référencé", NON_REF),
    ("Module qualité non référencé", NON_REF),
    ("Solution de gestion des stocks (hors référencement)", NON_REF),
    ("Logiciel non référencé Ségur", NON_REF),
    ("Serveur", INFRA),
    ("Serveur Dell PowerEdge", INFRA),
    ("Fourniture et installation d'un serveur", INFRA),
    ("Fourniture d'un serveur Dell PowerEdge", INFRA),
    ("Postes de travail supplémentaires", INFRA),
    ("Achat de 3 PC", INFRA),
    ("Onduleur", INFRA),
    ("Imprimantes d'étiquettes", INFRA),
    ("Matériel informatique", INFRA),
    ("Infrastructure réseau", INFRA),
    ("Machine virtuelle dédiée", INFRA),
    ("Licence Windows Server", INFRA),
    ("Migration SGBD", DBMS),
    ("Migration SGBD Oracle vers PostgreSQL", DBMS),
    ("Migration de la base de données", DBMS),
    ("Migration BDD", DBMS),
    ("Changement de SGBD", DBMS),
    ("Changement complet de solution", CHANGE),
    ("Changement de logiciel", CHANGE),
    ("Remplacement de l'ancien SIL", CHANGE),
    ("Bascule vers une nouvelle solution", CHANGE),
    ("Rattrapage de version", DEBT),
    ("Mise à niveau d'une version vétuste", DEBT),
    ("Rattrapage de la dette technique", DEBT),
    ("Montée de version depuis une version non maintenue", DEBT),
    ("Mise à niveau depuis l'ancienne version 5", DEBT),
    # Prestation work, not excluded items
    ("Installation sur le serveur du laboratoire", None),
    ("Déploiement sur les postes de travail", None),
    ("Paramétrage des postes de travail", None),
    ("Installation des postes de travail existants", None),
    ("Connecteur MSSanté de la version référencée", None),
    ("Intégration de la messagerie sécurisée MSSanté dans le SGL", None),
    ("Mise à niveau vers la version référencée Ségur", None),
    ("Reprise des données", None),
    ("Migration des données vers la version référencée", None),
    ("Droits d'utilisation de la version référencée Ségur du SGL et flux inter-applicatifs", None),
    ("Installation, configuration, qualification et paramétrage", None),
    ("Maintenance de la version référencée pendant 6 ans", None),
    ("Suivi de projet", None),
    ("Paramétrage de l'accès réseau", None),
    ("Installation (hors serveur)", None),
    ("Sans serveur supplémentaire", None),
    ("Formation, hors MSSanté", None),
    ("Module référencé", None),
]


@pytest.mark.parametrize(("label", "expected"), SEGUR_LABELS)
def test_segur_part_label_is_read_as_an_excluded_item_or_not(label, expected):
    reading = MATCHER.read(label, VIEW_SEGUR)
    if expected is None:
        assert reading.excluded is None, reading
    else:
        assert reading.excluded is not None and expected in reading.excluded, reading


# --- SUN-ES: a reliance, not a negated mention --------------------------------------------------

SUN_ES_TEXTS = [
    ("Financement SUN-ES", True),
    ("Au titre du programme SUN ES", True),
    ("SUNES", True),
    ("Éligible au financement sun_es", True),
    ("Devis établi dans le cadre de SUN-ES", True),
    ("ne relève pas du programme SUN-ES", False),
    ("Ce devis ne relève en aucun cas du programme SUN-ES.", False),
    ("Hors SUN-ES", False),
    ("Sans lien avec le financement SUN-ES", False),
    ("SUN-ES : non applicable", False),
    ("Financement SUN-ES exclu", False),
    ("Sun est une marque. SUNSET", False),
    ("Sunshine", False),
]


@pytest.mark.parametrize(("text", "expected"), SUN_ES_TEXTS)
def test_sun_es_reliance_is_told_from_a_negated_mention(text, expected):
    assert relies_on_sun_es(text) is expected


def test_there_are_more_than_a_hundred_phrasings_here():
    assert len(OUT_OF_SCOPE_LABELS) + len(SEGUR_LABELS) + len(SUN_ES_TEXTS) >= 100


# --- Normalisation and patterns ------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_clauses_give_back_the_plain_normalised_text(text):
    assert plain_of(clauses_of(text)) == normalise(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.sampled_from([VIEW_SEGUR, VIEW_OUT_OF_SCOPE]))
def test_any_text_is_read_without_error(text, view):
    reading = MATCHER.read(text, view)
    assert reading.prestation is None or reading.excluded is None


ITEM_WORDS = st.sampled_from(
    ["Maintenance 6 ans", "Formation des utilisateurs", "Suivi de projet", "Installation",
     "Documentation utilisateur", "Paramétrage"]
)
NOISE = st.sampled_from(["", " (site de Lyon)", " - lot 2", " : 3 jours", ", sur site", " (12)"])


@settings(max_examples=150, deadline=None)
@given(ITEM_WORDS, NOISE, st.sampled_from(["lower", "upper", "title", "same"]))
def test_prestation_item_is_read_whatever_the_case_and_what_follows(words, noise, case):
    label = words + noise
    label = {"lower": label.lower(), "upper": label.upper(), "title": label.title()}.get(case, label)
    assert MATCHER.read(label).prestation is not None


@settings(max_examples=150, deadline=None)
@given(ITEM_WORDS, st.sampled_from(["Hors ", "Sans ", "Pas de ", "Aucune "]))
def test_a_negated_item_is_not_read(words, negation):
    assert MATCHER.read(negation + words.lower()).prestation is None


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("...", "entre deux mots"),
        ("maintenance ...", "entre deux mots"),
        ("le la", "aucun mot significatif"),
        ("m*", "au moins deux lettres"),
    ],
)
def test_unusable_patterns_are_refused_in_french(pattern, message):
    with pytest.raises(PatternError, match=message):
        compile_pattern(pattern)
    assert pattern_problems([pattern, "maintenance"]) and message in pattern_problems([pattern])[0]


def test_an_item_added_by_ans_is_read_with_its_requirements_and_exceptions():
    item = LabelItemRef(
        code="reprise", kind=LabelItemKind.PRESTATION, name="reprise des données",
        patterns=("reprise ... donnée*",), requires=("version",), exceptions=("ancien*",),
    )
    matcher = LabelMatcher([*DEFAULT_LABEL_ITEMS, item])
    assert matcher.read("Reprise des données vers la version référencée").prestation
    assert matcher.read("Reprise des données").prestation is None  # requires « version »
    assert matcher.read("Reprise des données de l'ancienne version").prestation is None
    assert MATCHER.read("Reprise des données vers la version référencée").prestation is None
