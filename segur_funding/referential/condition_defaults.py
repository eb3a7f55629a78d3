"""The shipped wordings of conditional offers, as editors print them on quotes.

Source: seed slide "Périmètre de la Prestation Ségur" (« la Prestation ne peut être conditionnée
ni à un réengagement ni à la souscription d'une nouvelle option contractuelle ») and slide
"Bonnes pratiques" (non-conform example: an offer conditioned on modules or options; the mention
« conditionné à l'obtention … du référencement » an order placed before referencing must carry).
`load_reference_data` writes them into the database (`ConditionWording`), where ANS completes and
corrects them in the admin (with history); the checker falls back on them only while that table
is empty. Patterns: see `segur_funding.quotes.rules.patterns` (words after normalisation, `mot*`
prefix, `...` gap, `#` any number).

Pure data: no ORM, no I/O.
"""

from .rules import ConditionWordingKind, ConditionWordingRef

T = ConditionWordingKind.TRIGGER
D = ConditionWordingKind.DEMAND
A = ConditionWordingKind.ALWAYS
OK = ConditionWordingKind.ALLOWED

DEFAULT_CONDITION_WORDINGS: tuple[ConditionWordingRef, ...] = (
    # --- Words that put a condition (count only with a demand a few words after) -------------
    ConditionWordingRef(
        code="conditionne",
        kind=T,
        name="conditionné à",
        patterns=("conditionn*", "sous condition", "condition expresse", "condition prealable",
                  "condition suspensive", "condition", "sous peine"),
    ),
    ConditionWordingRef(
        code="sous-reserve",
        kind=T,
        name="sous réserve de",
        patterns=("sous reserve", "moyennant"),
    ),
    ConditionWordingRef(
        code="subordonne",
        kind=T,
        name="subordonné à",
        patterns=("subordonn*", "assujetti*", "soumis"),
    ),
    ConditionWordingRef(
        code="contrepartie",
        kind=T,
        name="en contrepartie de",
        patterns=("contrepartie", "contre engagement"),
    ),
    ConditionWordingRef(
        code="uniquement-si",
        kind=T,
        name="valable uniquement si / pour autant que",
        patterns=(
            "uniquement si", "seulement si", "valable uniquement", "valable seulement",
            "uniquement cas", "seulement cas",
        ),
    ),
    # --- What a condition asks of the client ---------------------------------------------------
    ConditionWordingRef(
        code="souscription",
        kind=D,
        name="souscription ou achat",
        patterns=("souscri*", "acquisition", "acquerir", "achat", "acheter", "commande ... complementaire"),
    ),
    ConditionWordingRef(
        code="module-option",
        kind=D,
        name="module, option ou pack",
        patterns=("module", "option", "pack", "extension", "licence", "prestation complementaire",
                  "prestation supplementaire", "service complementaire", "service supplementaire"),
    ),
    ConditionWordingRef(
        code="contrat",
        kind=D,
        name="contrat, abonnement ou engagement",
        patterns=("contrat", "abonnement", "engagement", "reengagement", "re engagement",
                  "renouvel*", "reconduction", "prolongation"),
    ),
    # --- Conditions by themselves ----------------------------------------------------------------
    ConditionWordingRef(
        code="reengagement",
        kind=A,
        name="réengagement",
        patterns=("reengag*", "re engag*", "nouvel engagement", "engagement supplementaire"),
    ),
    ConditionWordingRef(
        code="duree-engagement",
        kind=A,
        name="durée minimale d'engagement",
        patterns=(
            "duree ... engagement", "engagement minimum", "engagement minimal", "engagement ferme",
            "engagement # an", "engagement # annee", "engagement # mois", "periode ... engagement",
        ),
    ),
    ConditionWordingRef(
        code="obligatoire",
        kind=A,
        name="option ou module obligatoire",
        patterns=(
            "souscription ... obligatoire", "achat ... obligatoire", "acquisition ... obligatoire",
            "option ... obligatoire", "module ... obligatoire", "souscription prealable",
            "achat prealable", "acquisition prealable", "option prealable", "module prealable",
            "option ... impose*", "module ... impose*", "souscription ... impose*",
            "obligation ... souscri*", "obligation achat", "obligation acquisition",
        ),
    ),
    ConditionWordingRef(
        code="indissociable",
        kind=A,
        name="indissociable d'un achat",
        patterns=(
            "indissociable", "non dissociable", "indivisible", "vendu conjointement",
            "vendue conjointement", "vente liee", "offre groupee",
        ),
    ),
    # --- Not conditions put on the client ------------------------------------------------------
    ConditionWordingRef(
        code="referencement",
        kind=OK,
        name="l'obtention du référencement (mention du §3.2)",
        patterns=(
            "obtention ... referencement", "depot ... referencement", "dossier ... referencement",
            "referencement ... ans", "referencement segur", "referencement logiciel",
        ),
    ),
    ConditionWordingRef(
        code="conditions-generales",
        kind=OK,
        name="conditions générales ou de paiement",
        patterns=(
            "condition generale", "condition particuliere", "condition vente",
            "condition paiement", "condition reglement", "condition tarifaire",
            "condition operationnelle", "condition utilisation", "condition execution",
            "condition acces", "condition garantie", "engagement confidentialite",
            "engagement service", "engagement qualite", "engagement niveau service",
        ),
    ),
)
