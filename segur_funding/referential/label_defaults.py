"""The shipped wordings of the items of SPEC §3.4, as editors print them on quotes.

Source: seed slide "Périmètre de la Prestation Ségur" (items covered and items never covered) and
the wordings seen on editors' quotes. `load_reference_data` writes them into the database
(`QuoteLabelItem`), where ANS completes and corrects them in the admin (with history); the
checker falls back on them only while that table is empty. Patterns: see
`segur_funding.quotes.rules.patterns` (words after normalisation, `mot*` prefix, `...` gap).

Pure data: no ORM, no I/O.
"""

from .rules import LabelItemKind, LabelItemRef

P, X, M = LabelItemKind.PRESTATION, LabelItemKind.EXCLUDED, LabelItemKind.OUTSIDE

# Words that say "a referenced version": a licence is a Prestation item only next to one of them.
_REFERENCED = (
    "reference", "referencement", "segur", "sons", "version ... reference", "version certifie",
)

DEFAULT_LABEL_ITEMS: tuple[LabelItemRef, ...] = (
    # --- Items of the Prestation Ségur (billed out of scope: CLIENT_REMAINDER) ---------------
    LabelItemRef(
        code="droits-utilisation",
        kind=P,
        name="droits d'utilisation de la version référencée",
        patterns=(
            "droit ... utilisation", "droit usage", "droit acces", "licence", "concession",
            "cession ... droit", "mise disposition ... logiciel", "mise disposition ... version",
            "abonnement ... logiciel", "souscription ... logiciel", "acces ... logiciel",
        ),
        requires=_REFERENCED,
    ),
    LabelItemRef(
        code="flux-inter-applicatifs",
        kind=P,
        name="flux inter-applicatifs de la version référencée",
        patterns=(
            "flux inter applicatif", "flux interapplicatif", "flux inter application",
            "echange inter applicatif", "interface inter applicative",
        ),
    ),
    LabelItemRef(
        code="installation",
        kind=P,
        name="installation",
        patterns=("installation", "install*", "mise place", "implementation", "implantation"),
    ),
    LabelItemRef(
        code="parametrage",
        kind=P,
        name="paramétrage et configuration",
        patterns=(
            "parametrage", "parametr*", "configuration", "configur*", "personnalisation",
            "adaptation ... parametre", "reglage", "initialisation ... logiciel",
        ),
    ),
    LabelItemRef(
        code="qualification",
        kind=P,
        name="qualification et recette",
        patterns=(
            "qualification", "qualifi*", "recette", "test ... recette", "verification aptitude",
            "verification service regulier", "validation ... fonctionnel*",
        ),
    ),
    LabelItemRef(
        code="mise-en-service",
        kind=P,
        name="mise en service",
        patterns=(
            "mise service", "mise ordre marche", "mise production", "demarrage", "deploiement",
            "deploy*", "accompagnement ... demarrage", "assistance ... demarrage", "go live",
        ),
    ),
    LabelItemRef(
        code="maintenance",
        kind=P,
        name="maintenance pendant 6 ans",
        patterns=(
            "maintenance", "tma", "tierce maintenance", "mco", "maintien condition operationnel",
            "support technique", "support utilisateur", "support logiciel", "assistance technique",
            "assistance utilisateur", "assistance telephonique", "hotline", "hot line",
            "telemaintenance", "tele maintenance", "mise jour", "correctif", "garantie ... logiciel",
        ),
    ),
    LabelItemRef(
        code="formation",
        kind=P,
        name="formation",
        patterns=(
            "formation", "former", "formateur", "e learning", "elearning", "transfert ... competence",
            "session ... utilisateur", "atelier ... utilisateur", "accompagnement ... utilisateur",
        ),
    ),
    LabelItemRef(
        code="documentation",
        kind=P,
        name="documentation",
        patterns=(
            "documentation", "document", "manuel ... utilisateur", "manuel ... utilisation",
            "guide ... utilisateur", "guide ... utilisation", "notice", "support ... formation",
            "livraison ... document", "remise ... document",
        ),
    ),
    LabelItemRef(
        code="suivi-de-projet",
        kind=P,
        name="suivi de projet",
        patterns=(
            "suivi ... projet", "chef* ... projet", "pilotage ... projet", "gestion ... projet",
            "direction ... projet", "conduite ... projet", "coordination ... projet",
            "management ... projet", "accompagnement ... projet", "comite ... pilotage",
            "comite ... suivi", "reunion ... suivi", "reunion ... lancement", "kick off", "pmo",
            "project management", "suivi ... deploiement",
        ),
    ),
    LabelItemRef(
        code="prestation-segur",
        kind=P,
        name="Prestation Ségur",
        patterns=("prestation segur", "prestation sons", "forfait segur"),
    ),
    # --- Items never covered (in the Ségur part: EXCLUDED_ITEM_FUNDED) -----------------------
    LabelItemRef(
        code="non-reference",
        kind=X,
        name="une solution ou un module non référencé",
        patterns=(
            "non reference", "pas reference", "hors referencement", "non couvert ... referencement",
            "hors perimetre ... referencement", "non inclus ... referencement",
            "non eligible", "hors perimetre segur",
        ),
    ),
    LabelItemRef(
        code="mssante",
        kind=X,
        name="des boîtes aux lettres MSSanté",
        patterns=(
            "boite lettre", "boite mail", "boite ... mssante", "mssante ... boite", "messagerie securise",
            "messagerie mssante", "messagerie sante", "compte ... mssante", "mssante ... compte",
            "adresse ... mssante", "abonnement ... mssante", "mssante ... abonnement",
            "licence ... mssante", "mssante ... licence", "mssante ... utilisateur",
            "mssante ... adresse", "operateur mssante",
        ),
        exceptions=(
            "connecteur", "connexion", "interface", "interfacage", "integration", "compatibilite",
            "raccordement", "flux",
        ),
    ),
    LabelItemRef(
        code="changement-de-solution",
        kind=X,
        name="un changement complet de solution",
        patterns=(
            "changement complet", "changement solution", "changement logiciel", "changement editeur",
            "changement sgl", "changement sil", "remplacement solution", "remplacement logiciel",
            "remplacement complet", "remplacement ancien", "nouvelle solution", "nouveau logiciel",
            "bascule ... nouvelle", "bascule ... nouveau", "migration ... autre editeur",
            "migration ... nouvelle solution", "refonte complete",
        ),
    ),
    LabelItemRef(
        code="dette-technique",
        kind=X,
        name="le rattrapage d'une version obsolète (dette technique)",
        patterns=(
            "rattrapage", "dette technique", "dette technologique", "obsolete", "obsolescence",
            "vetuste", "version non maintenu*", "version plus maintenu*", "fin ... support",
            "mise niveau ... ancien*", "montee ... version ... ancien*",
        ),
    ),
    LabelItemRef(
        code="infrastructure",
        kind=X,
        name="du matériel ou de l'infrastructure (serveurs, postes de travail)",
        patterns=(
            "serveur", "server", "materiel", "hardware", "poste travail", "poste informatique",
            "ordinateur", "pc", "onduleur", "baie", "switch", "routeur", "pare feu", "firewall",
            "ecran", "imprimante", "douchette", "lecteur ... code barre", "infrastructure",
            "machine virtuel*", "stockage", "nas", "disque", "reseau", "cablage", "tablette",
        ),
        exceptions=(
            "sur ... serveur", "sur ... server", "sur ... poste", "sur ... infrastructure",
            "sur ... materiel", "sur ... pc", "dans ... serveur", "dans ... infrastructure",
            "parametrage ... poste", "configuration ... poste", "deploiement ... poste",
            "installation ... poste", "connexion ... imprimante", "parametrage ... imprimante",
            "configuration ... imprimante", "parametrage ... reseau", "configuration ... reseau",
            "acces ... reseau", "sauvegarde", "compatible", "existant",
        ),
    ),
    LabelItemRef(
        code="migration-sgbd",
        kind=X,
        name="une migration de système de gestion de base de données",
        patterns=(
            "sgbd", "migration ... base donnee", "migration ... oracle", "migration ... sql",
            "migration ... postgresql", "migration ... postgre*", "migration ... mysql",
            "migration ... sybase", "migration ... mariadb", "changement ... base donnee",
            "migration ... moteur ... base",
        ),
    ),
    # --- Markers: the label is about something else than the Prestation ---------------------
    LabelItemRef(
        code="module-option",
        kind=M,
        name="module ou option",
        patterns=(
            "module", "option", "optionnel", "complementaire", "supplementaire", "extension",
            "add on", "fonctionnalite additionnel*",
        ),
    ),
    LabelItemRef(
        code="au-dela-de-6-ans",
        kind=M,
        name="au-delà des 6 ans",
        patterns=(
            "annee 7", "annee 8", "annee 9", "annee 10", "annee 11", "annee 12", "an 7", "an 8",
            "an 9", "an 10", "7e annee", "8e annee", "9e annee", "10e annee", "7e an",
            "dela ... 6 an", "dela ... 6 annee", "dela ... 6 premier* annee", "dela ... 72 mois",
            "apres ... 6 an", "apres ... 6 annee", "apres ... 6 premier* annee",
            "partir ... 7e annee", "partir ... 7e an", "partir ... 73e mois",
        ),
    ),
    LabelItemRef(
        code="hors-prestation",
        kind=M,
        name="autre prestation",
        patterns=(
            "hebergement", "heberge", "automate", "peripherique", "consommable", "etiqueteuse",
            "antivirus", "logiciel tiers", "solution tierce", "frais ... dossier",
        ),
    ),
)
