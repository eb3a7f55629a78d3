"""Who may sign in: the pure part (source: issue 16, « Safe to deploy by construction »).

Demo accounts (SPEC §5) live under the reserved `demo.test` domain (RFC 2606: `.test` never
resolves); outside demo mode they are refused at every door (web and admin login, session, API
token), and their presence makes `manage.py check --deploy` fail.
"""

DEMO_EMAIL_DOMAIN = "demo.test"
# An e-mail address is at most 254 characters (RFC 5321 path limit, Django's EmailField); longer
# identifiers are refused before anything stores or counts them.
EMAIL_MAX_LENGTH = 254


def is_demo_email(email: str) -> bool:
    """Whether an address belongs to the demo world (`…@demo.test`, `…@x.demo.test`)."""
    domain = email.strip().lower().rpartition("@")[2]
    return domain == DEMO_EMAIL_DOMAIN or domain.endswith("." + DEMO_EMAIL_DOMAIN)


def login_identifier_problem(identifier: str, *, demo_mode: bool) -> str | None:
    """The French reason a login identifier is refused before any password is tried, or None."""
    if len(identifier) > EMAIL_MAX_LENGTH:
        return f"L'adresse e-mail ne peut pas dépasser {EMAIL_MAX_LENGTH} caractères."
    if not demo_mode and is_demo_email(identifier):
        return DEMO_ACCOUNT_REFUSED
    return None


DEMO_ACCOUNT_REFUSED = (
    "Les comptes de démonstration (@demo.test) sont désactivés sur ce serveur : "
    "connectez-vous avec votre compte personnel."
)
