from django.db import models


class OrganizationKind(models.TextChoices):
    EDITOR = "editor", "Éditeur"
    CLIENT = "client", "Client (laboratoire, établissement)"


class ClientKind(models.TextChoices):
    CITY_LAB = "city_lab", "LBM de ville"
    HOSPITAL_LAB = "hospital_lab", "Laboratoire hospitalier"
    OTHER = "other", "Autre"


class Role(models.TextChoices):
    EDITOR_MEMBER = "editor_member", "Membre d'un éditeur"
    LAB_MEMBER = "lab_member", "Membre d'un laboratoire / client"


# Reviewers work in the Django admin; their powers come from these groups (see the
# `setup_groups` service), never from a flag on the user.
ANS_REVIEWERS_GROUP = "Instructeurs ANS"
ASP_REVIEWERS_GROUP = "Instructeurs ASP"


class AccountRequestStatus(models.TextChoices):
    PENDING = "pending", "À examiner"
    APPROVED = "approved", "Validée"
    REJECTED = "rejected", "Refusée"



class BankAccountStatus(models.TextChoices):
    PENDING = "pending", "À valider par l'ASP"
    VALIDATED = "validated", "Validé (en vigueur)"
    REJECTED = "rejected", "Refusé par l'ASP"
    SUPERSEDED = "superseded", "Remplacé"
# An API token works for a year from its creation; the user renews it on /compte/jeton-api/.
API_TOKEN_LIFETIME_DAYS = 365
