from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords
from stdnum.fr import siren, siret

from segur_funding.core.files import private_storage

from .constants import AccountRequestStatus, BankAccountStatus, ClientKind, OrganizationKind, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person; logs in with an e-mail address."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("adresse e-mail", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"

    def __str__(self) -> str:
        return self.get_full_name() or self.email


def validate_siren(value: str) -> None:
    if not siren.is_valid(value):
        raise ValidationError("SIREN invalide : 9 chiffres attendus, avec une clé de contrôle correcte.")


def validate_siret(value: str) -> None:
    if not siret.is_valid(value):
        raise ValidationError("SIRET invalide : 14 chiffres attendus, avec une clé de contrôle correcte.")


def validate_finess(value: str) -> None:
    # FINESS: 9 characters, department prefix (2A/2B for Corsica), Luhn check key on the digits.
    from stdnum import luhn

    normalized = value.replace("2A", "10").replace("2B", "11") if value[:2] in {"2A", "2B"} else value
    if len(value) != 9 or not normalized.isdigit() or not luhn.is_valid(normalized):
        raise ValidationError("FINESS invalide : 9 caractères attendus, avec une clé de contrôle correcte.")


class Organization(models.Model):
    """An editor (éditeur) or a client (laboratory, establishment)."""

    kind = models.CharField("type", max_length=16, choices=OrganizationKind.choices)
    name = models.CharField("raison sociale", max_length=200)
    siren = models.CharField("SIREN", max_length=9, blank=True, validators=[validate_siren])
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    finess = models.CharField("FINESS", max_length=9, blank=True, validators=[validate_finess])
    client_kind = models.CharField(
        "type de client", max_length=16, choices=ClientKind.choices, blank=True
    )
    geographic_sites = models.PositiveIntegerField(
        "nombre de sites géographiques",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Sites géographiques utilisateurs de l'instance logicielle (détermine la tranche).",
    )
    address = models.TextField("adresse", blank=True)
    contact_email = models.EmailField("e-mail de contact", blank=True)
    contact_phone = models.CharField("téléphone de contact", max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(geographic_sites__isnull=True) | models.Q(geographic_sites__gte=1),
                name="organization_sites_at_least_one",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == OrganizationKind.EDITOR and not self.siren:
            errors["siren"] = "Le SIREN est obligatoire pour un éditeur."
        if self.kind == OrganizationKind.CLIENT:
            if not self.siret:
                errors["siret"] = "Le SIRET est obligatoire pour un client."
            if not self.geographic_sites:
                errors["geographic_sites"] = "Indiquez le nombre de sites géographiques (au moins 1)."
        if errors:
            raise ValidationError(errors)


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    # An organisation's administrators invite colleagues and revoke memberships (and, later, keep
    # its bank details): the first person of an approved account request is one.
    is_admin = models.BooleanField("administrateur de l'organisation", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # Who joined, was promoted or was revoked, and by whom.
    history = HistoricalRecords()

    class Meta:
        verbose_name = "appartenance"
        verbose_name_plural = "appartenances"
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organization} ({self.get_role_display()})"


class AccountRequest(models.Model):
    """An organisation's first person asks for an account; ANS (editors) or ASP (labs) decides.

    Approval creates the organisation, the person (without a password) and an administrator
    membership, then e-mails a link to choose a password (`services.account_request_approve`).
    """

    kind = models.CharField("type d'organisation", max_length=16, choices=OrganizationKind.choices)
    organization_name = models.CharField("raison sociale", max_length=200)
    siren = models.CharField("SIREN", max_length=9, blank=True, validators=[validate_siren])
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    finess = models.CharField("FINESS", max_length=9, blank=True, validators=[validate_finess])
    client_kind = models.CharField(
        "type de client", max_length=16, choices=ClientKind.choices, blank=True
    )
    geographic_sites = models.PositiveIntegerField(
        "nombre de sites géographiques", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    email = models.EmailField("adresse e-mail professionnelle")
    job_title = models.CharField("fonction", max_length=150, blank=True)
    message = models.TextField("message", blank=True, max_length=2000)
    status = models.CharField(
        "statut", max_length=16, choices=AccountRequestStatus.choices, default=AccountRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="décidée par"
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    rejection_reason = models.TextField("motif du refus", blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="organisation créée",
    )
    created_at = models.DateTimeField("reçue le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "demande d'ouverture de compte"
        verbose_name_plural = "demandes d'ouverture de compte"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "kind"], name="account_request_queue_idx")]

    def __str__(self) -> str:
        return f"{self.organization_name} — {self.first_name} {self.last_name}"

    @property
    def identifier(self) -> str:
        return self.siren if self.kind == OrganizationKind.EDITOR else self.siret


def _rib_path(instance: "BankAccount", filename: str) -> str:
    return f"rib/{instance.organization_id}/{filename}"


class BankAccount(models.Model):
    """An editor's bank details for the State's payments: given by one of its administrators,
    used only once ASP validated them; each payment records the one it was made to."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="bank_accounts", verbose_name="éditeur"
    )
    holder = models.CharField("titulaire du compte", max_length=200)
    iban = models.CharField("IBAN", max_length=34)
    bic = models.CharField("BIC", max_length=11)
    document = models.FileField(
        "RIB (document)", storage=private_storage, upload_to=_rib_path, max_length=300
    )
    document_sha256 = models.CharField("empreinte SHA-256 du RIB", max_length=64)
    status = models.CharField(
        "statut", max_length=16, choices=BankAccountStatus.choices, default=BankAccountStatus.PENDING
    )
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="déclaré par"
    )
    submitted_at = models.DateTimeField("déclaré le")
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="décidé par"
    )
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    rejection_reason = models.TextField("motif du refus", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "coordonnées bancaires"
        verbose_name_plural = "coordonnées bancaires"
        ordering = ["-submitted_at"]
        constraints = [
            # One set of details in force, and one change waiting for ASP, per editor.
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(status="validated"),
                name="bank_account_one_in_force",
            ),
            models.UniqueConstraint(
                fields=["organization"], condition=models.Q(status="pending"), name="bank_account_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.iban_masked}"

    @property
    def iban_masked(self) -> str:
        from .rules import iban_masked

        return iban_masked(self.iban)


class ApiToken(models.Model):
    """A user's API token, stored as its SHA-256 digest: the key itself is shown once, when it is
    created, and kept nowhere (see organizations/authentication.py)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="api_token")
    digest = models.CharField("empreinte SHA-256", max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        "début du jeton", max_length=8, editable=False,
        help_text="Les 8 premiers caractères, pour reconnaître un jeton sans le révéler.",
    )
    created_at = models.DateTimeField("créé le")
    expires_at = models.DateTimeField("expire le")
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
