"""Wordings published by ANS; the defaults of each funding scheme (AF), which can override them."""

# Seed slide "Principes d'obtention du financement SONS".
STATE_FUNDING_WORDING = (
    "Montant de la Prestation Ségur pris en charge par l'Etat au titre du Ségur"
)

# Seed slide "Bonnes pratiques": mention required on an order placed before referencing.
CONDITIONAL_ORDER_MENTION = (
    "Bon de commande conditionné à l'obtention par le logiciel du référencement ANS. "
    "L'affermissement de cette commande est conditionné au dépôt d'un dossier de référencement "
    "complet, contenant l'ensemble des preuves attendues, sous 120 jours sur le site de l'ANS et à "
    "l'obtention subséquente du référencement."
)
