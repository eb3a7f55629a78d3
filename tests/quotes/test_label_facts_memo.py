"""The checker remembers what labels say per label and per shape (number clauses blanked): a
label never seen before but shaped like a known one (« Formation (13) » after « Formation (12) »)
must read exactly as if read afresh."""

import pytest

from segur_funding.quotes.rules.text import (
    DEFAULT_MATCHER,
    _LabelFactsReader,
    _normalised,
    _read_label_facts,
    _shape,
)
from segur_funding.referential import constants

WORDING = _normalised(constants.STATE_FUNDING_WORDING)
MENTION = _normalised(constants.CONDITIONAL_ORDER_MENTION)

LABELS = [
    "Formation des utilisateurs ({n})",
    "Maintenance 6 ans ({n})",
    "Licence SGL ({n}) + LOINC",
    "{n}, Serveur de base de données",
    "Option statistiques ({n}) sous réserve de souscrire le module",
    "SUN-ES ({n}) : non applicable",
    "Montant de la Prestation Ségur pris en charge par l'État ({n}) au titre du Ségur",
    "Engagement de ( {n} ) ans",
    "Bon de commande conditionné à l'obtention par le logiciel du référencement ANS. "
    "L'affermissement de cette commande est conditionné au dépôt d'un dossier de référencement "
    "complet, contenant l'ensemble des preuves attendues, sous ({n}) jours sur le site de l'ANS",
    "Droits d'utilisation de la version référencée Ségur (SGL-V{n})",
]


@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("scope", ["segur", "out_of_scope", "state_funding", None])
def test_a_label_shaped_like_a_known_one_reads_as_if_read_afresh(label, scope):
    reader = _LabelFactsReader(WORDING, MENTION, DEFAULT_MATCHER)
    for n in ("12", "13", "120", "6", "2", "999"):
        text = label.format(n=n)
        fresh = _read_label_facts(text, scope, WORDING, MENTION, DEFAULT_MATCHER)
        remembered = reader.get(text, scope)
        assert remembered[1:] == fresh[1:], text
        assert (MENTION in remembered.text) == (MENTION in fresh.text)


def test_shapes_blank_whole_number_clauses_only():
    assert _shape("Formation (12)") == ("Formation (\x00)", 1)
    assert _shape("Formation (x12)")[1] == 0
    assert _shape("Formation 12")[1] == 0
    # A number first in the label is blanked by the reader itself (see the « {n}, Serveur » case).
    assert _shape("12, Formation") == ("12, Formation", 0)
    assert _shape("Formation, 12")[0] == "Formation,\x00"
