"""A national-scale data set in PostgreSQL for the benchmarks, in minutes (COPY, not the ORM).

    .venv/bin/python bench/generate.py                 # full scale (about 15 million rows)
    .venv/bin/python bench/generate.py --scale 0.01    # a quick run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/other_bench .venv/bin/python bench/generate.py

At scale 1: 1,000 editors and their referencing dossiers (with proofs, history and open
corrections), 20,000 labs and establishments, 1,000,000 quotes with 6,000,000 lines, about
1,590,000 funding requests (advances and balances) and 1,500,000 payments, with the history row
of every transition (quote, dossier and request events). A payment belongs to exactly one request
(`Payment.request` is one-to-one) and each milestone of a quote is paid at most once, so 1,500,000
payments need at least 1,500,000 requests: the generator keeps the quote, line and payment counts
and lets the number of requests follow.

The database (default postgres://postgres@127.0.0.1:5432/segur_bench) is dropped and created
again (its name must contain "bench"), migrated with `manage.py migrate` and loaded with
`manage.py load_reference_data`; then every row is written with PostgreSQL COPY (psycopg 3
`cursor.copy()`), one connection per table, foreign-key triggers off for the load
(`session_replication_role = replica`) and the non-unique indexes built after it. Unique
constraints stay on during the load, so the ones that matter to the domain (one request and one
payment per milestone of a quote, one open dossier per version and DSR, numbers unique per
editor) are enforced by the database itself. `--verify` (on by default) then checks every foreign
key for orphans, the money invariants in SQL, and re-checks a sample of quotes with the real
checker against the report stored with them.

Amounts are computed in integer cents and written as two-decimal strings (exactly what Decimal
would give); the advance / balance split calls `referential.rules.milestones` itself.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from bisect import bisect_left
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/segur_bench"
FULL_SCALE = {"editors": 1_000, "clients": 20_000, "quotes": 1_000_000, "payments": 1_500_000}
PASSWORD = "bench-password"  # every generated account; the bench database is never a real one
FLUSH_ROWS = 20_000
SEED_ADVANCE_RATE = Decimal("0.300")  # the seed AF's advance rate (fixtures), as the app reads it
NULL = "\\N"  # COPY text format

# Quote statuses at the end of the wave (shares of all quotes). With the request shares below this
# gives about 1.5 payments per quote, i.e. the 1,500,000 payments of the full scale.
QUOTE_STATUS_SHARES = (
    ("delivered", 0.80),
    ("signed", 0.05),
    ("issued", 0.10),
    ("draft", 0.03),
    ("cancelled", 0.02),
)
# Where an advance request stands (signed and delivered quotes all have one).
ADVANCE_STATUS_SHARES = (
    ("paid", 0.970),
    ("validated", 0.010),
    ("submitted", 0.008),
    ("to_modify", 0.004),
    ("resubmitted", 0.002),
    ("refused", 0.004),
    ("draft", 0.002),
)
BALANCE_ASKED_SHARE = 0.95  # delivered quotes whose advance is paid
BALANCE_STATUS_SHARES = (
    ("paid", 0.968),
    ("validated", 0.012),
    ("submitted", 0.010),
    ("to_modify", 0.004),
    ("resubmitted", 0.002),
    ("refused", 0.002),
    ("draft", 0.002),
)
TRANSITIONS_TO = {
    # Request statuses -> the path of statuses that led there (each step is one history row).
    "draft": [],
    "submitted": ["submitted"],
    "to_modify": ["submitted", "to_modify"],
    "resubmitted": ["submitted", "to_modify", "resubmitted"],
    "validated": ["submitted", "validated"],
    "refused": ["submitted", "refused"],
    "paid": ["submitted", "validated", "paid"],
}
DOSSIER_PATHS = {
    # Dossier status -> the lifecycle moves (event kind, status after) since the draft.
    "draft": [],
    "candidature_submitted": [("submit_candidature", "candidature_submitted")],
    "eligible": [("submit_candidature", "candidature_submitted"), ("declare_eligible", "eligible")],
    "ineligible": [
        ("submit_candidature", "candidature_submitted"),
        ("declare_ineligible", "ineligible"),
    ],
    "proofs_in_progress": [
        ("submit_candidature", "candidature_submitted"),
        ("declare_eligible", "eligible"),
        ("start_proofs", "proofs_in_progress"),
    ],
    "proofs_submitted": [
        ("submit_candidature", "candidature_submitted"),
        ("declare_eligible", "eligible"),
        ("start_proofs", "proofs_in_progress"),
        ("submit_proofs", "proofs_submitted"),
    ],
    "under_review": [
        ("submit_candidature", "candidature_submitted"),
        ("declare_eligible", "eligible"),
        ("start_proofs", "proofs_in_progress"),
        ("submit_proofs", "proofs_submitted"),
        ("start_review", "under_review"),
    ],
    "correction_requested": [
        ("submit_candidature", "candidature_submitted"),
        ("declare_eligible", "eligible"),
        ("start_proofs", "proofs_in_progress"),
        ("submit_proofs", "proofs_submitted"),
        ("start_review", "under_review"),
        ("request_correction", "correction_requested"),
    ],
    "proofs_resubmitted": [
        ("submit_candidature", "candidature_submitted"),
        ("declare_eligible", "eligible"),
        ("start_proofs", "proofs_in_progress"),
        ("submit_proofs", "proofs_submitted"),
        ("start_review", "under_review"),
        ("request_correction", "correction_requested"),
        ("resubmit_proofs", "proofs_resubmitted"),
    ],
    "referenced": [
        ("submit_candidature", "candidature_submitted"),
        ("declare_eligible", "eligible"),
        ("start_proofs", "proofs_in_progress"),
        ("submit_proofs", "proofs_submitted"),
        ("start_review", "under_review"),
        ("grant", "referenced"),
    ],
    "refused": [
        ("submit_candidature", "candidature_submitted"),
        ("declare_eligible", "eligible"),
        ("start_proofs", "proofs_in_progress"),
        ("submit_proofs", "proofs_submitted"),
        ("start_review", "under_review"),
        ("refuse", "refused"),
    ],
}
IN_FLIGHT_STATUSES = (
    "draft",
    "candidature_submitted",
    "eligible",
    "proofs_in_progress",
    "proofs_submitted",
    "under_review",
    "correction_requested",
    "proofs_resubmitted",
)
OTHER_DSRS = ("LGC-V1", "RI-V1", "DPI-V1", "PFI-V1", "RIS-V1")
CITIES = (
    "Lyon",
    "Marseille",
    "Lille",
    "Rennes",
    "Nantes",
    "Bordeaux",
    "Toulouse",
    "Strasbourg",
    "Montpellier",
    "Nice",
    "Dijon",
    "Grenoble",
    "Rouen",
    "Reims",
    "Brest",
    "Limoges",
    "Amiens",
    "Metz",
    "Besançon",
    "Orléans",
    "Clermont-Ferrand",
    "Tours",
    "Caen",
    "Poitiers",
    "Nancy",
    "Saint-Étienne",
    "Le Mans",
    "Angers",
    "Pau",
    "Ajaccio",
    "Fort-de-France",
    "Saint-Denis",
)
SGL_LINES = (
    # label, share of the Ségur total (the last line takes the rest), HT given
    ("Droits d'utilisation de la version référencée Ségur du SGL", 40, True),
    ("Installation, paramétrage et qualification", 25, True),
    ("Formation des utilisateurs", 10, False),
    ("Maintenance et hébergement 6 ans", None, False),
)
LOINC_LINES = (
    ("Licence du transcodeur LOINC référencé Ségur", 50, True),
    ("Transcodage du catalogue des examens", 30, False),
    ("Accompagnement au réimport dans le SGL", None, False),
)
OUT_OF_SCOPE_LINES = (
    ("Module statistiques avancées (option)", 120000, False),
    ("Montée de version de l'ancien SGL (rattrapage de dette technique)", 240000, True),
    ("Connecteur automate supplémentaire", 85000, False),
)

T0 = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f} s] {message}", flush=True)


# --- Small helpers ------------------------------------------------------------------------------


def esc(value: str) -> str:
    """A text value in COPY's text format (backslash, tab and line breaks escaped)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def cents(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


def pick(rng: random.Random, shares: tuple[tuple[str, float], ...]) -> str:
    roll = rng.random()
    total = 0.0
    for value, share in shares:
        total += share
        if roll < total:
            return value
    return shares[-1][0]


def luhn_complete(digits: str) -> str:
    from stdnum import luhn

    return digits + luhn.calc_check_digit(digits)


class Clock:
    """Timestamps as 'YYYY-MM-DD HH:MM:SS+00' strings from (ordinal day, second of day)."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def day(self, ordinal: int) -> str:
        text = self._days.get(ordinal)
        if text is None:
            text = self._days[ordinal] = date.fromordinal(ordinal).isoformat()
        return text

    def ts(self, ordinal: int, second: int) -> str:
        return f"{self.day(ordinal)} {second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}+00"


class Copy:
    """COPY FROM STDIN into one table on its own connection (COPYs cannot share a connection)."""

    def __init__(self, url: str, model, columns: list[str]) -> None:
        import psycopg

        table = model._meta.db_table
        expected = {f.column for f in model._meta.concrete_fields}
        if set(columns) != expected:
            raise SystemExit(
                f"{table}: the generator's columns differ from the model's "
                f"(missing {sorted(expected - set(columns))}, unknown {sorted(set(columns) - expected)})"
            )
        self.table = table
        self.conn = psycopg.connect(url, autocommit=False)
        self.conn.execute("SET session_replication_role = replica")
        self.conn.execute("SET synchronous_commit = off")
        self.cursor = self.conn.cursor()
        cols = ", ".join(f'"{c}"' for c in columns)
        self._cm = self.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN')
        self.copy = self._cm.__enter__()
        self.buffer: list[str] = []
        self.rows = 0

    def add(self, line: str) -> None:
        self.buffer.append(line)
        if len(self.buffer) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.copy.write("".join(self.buffer))
            self.rows += len(self.buffer)
            self.buffer.clear()

    def close(self) -> int:
        self.flush()
        self._cm.__exit__(None, None, None)
        self.conn.commit()
        self.conn.close()
        return self.rows


# --- Database preparation -------------------------------------------------------------------------


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def maintenance_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def psycopg_url(url: str) -> str:
    # dj-database-url accepts postgres://, libpq wants postgresql:// or postgres:// (both fine).
    return url


def database_recreate(url: str, *, force: bool) -> None:
    import psycopg

    name = database_name(url)
    if "bench" not in name and not force:
        raise SystemExit(
            f"Refusing to drop database {name!r}: its name must contain 'bench' (or pass --force)."
        )
    with psycopg.connect(maintenance_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    log(f"database {name} created")


def manage(url: str, *args: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "segur_funding.settings.dev",
    }
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        check=True,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "segur_funding.settings.dev"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


# --- Reference data ---------------------------------------------------------------------------------


class Reference:
    """What the generated rows point at: DSRs, active schemes (as the rules see them), windows."""

    def __init__(self) -> None:
        from segur_funding.referential.models import Dsr, FundingWindow, Requirement
        from segur_funding.referential.selectors import active_scheme_refs

        self.dsr_ids = dict(Dsr.objects.values_list("code", "id"))
        self.schemes = active_scheme_refs()
        missing = {"SGL-V1", "LOINC-V1"} - set(self.schemes)
        if missing:
            raise SystemExit(f"No active scheme in the reference data for {sorted(missing)}")
        self.window_ids: dict[str, int] = {}
        self.windows: dict[str, object] = {}
        for window in FundingWindow.objects.select_related("scheme__dsr").filter(
            scheme__is_active=True, number=1
        ):
            self.window_ids[window.scheme.dsr.code] = window.pk
            self.windows[window.scheme.dsr.code] = window
        self.requirements: dict[str, list[int]] = {}
        for req_id, code in Requirement.objects.order_by("position", "reference").values_list(
            "id", "dsr__code"
        ):
            self.requirements.setdefault(code, []).append(req_id)
        # Tier lookup by number of sites: (sites_from list, tiers) per DSR.
        self.tier_index = {
            code: ([t.sites_from for t in scheme.tiers], scheme.tiers)
            for code, scheme in self.schemes.items()
        }

    def tier(self, dsr: str, sites: int):
        starts, tiers = self.tier_index[dsr]
        position = bisect_left(starts, sites + 1) - 1
        return tiers[position]


# --- Generation -------------------------------------------------------------------------------------


class Generator:
    def __init__(self, url: str, scale: float, seed: int, history: bool) -> None:
        from django.contrib.auth.hashers import make_password

        self.url = url
        self.scale = scale
        self.history = history
        self.rng = random.Random(seed)
        self.ref = Reference()
        self.clock = Clock()
        self.password = make_password(PASSWORD)
        self.counts = {key: max(1, round(value * scale)) for key, value in FULL_SCALE.items()}
        self.today = date.today().toordinal()
        self.now_ts = self.clock.ts(self.today, 8 * 3600)
        self.milestone_cache: dict[int, tuple[int, int]] = {}
        self.stats: dict[str, int] = {}

    # -- money ------------------------------------------------------------------------------------

    def split(self, funded: int) -> tuple[int, int]:
        """(advance, balance) in cents, from the real rule (30 % half-up, balance the rest)."""
        cached = self.milestone_cache.get(funded)
        if cached is None:
            from segur_funding.referential.rules import milestones

            parts = milestones(Decimal(cents(funded)), SEED_ADVANCE_RATE)
            cached = self.milestone_cache[funded] = (int(parts.advance * 100), int(parts.balance * 100))
        return cached

    # -- users and organisations --------------------------------------------------------------

    def users_and_organizations(self) -> None:
        from django.contrib.auth.models import Group

        from segur_funding.organizations.constants import ANS_REVIEWERS_GROUP, ASP_REVIEWERS_GROUP
        from segur_funding.organizations.models import Membership, Organization, User
        from segur_funding.organizations.services import reviewer_groups_setup

        rng, clock = self.rng, self.clock
        n_editors, n_clients = self.counts["editors"], self.counts["clients"]
        start = date(2021, 8, 11).toordinal()

        users = Copy(
            self.url,
            User,
            [
                "id",
                "password",
                "last_login",
                "is_superuser",
                "first_name",
                "last_name",
                "is_staff",
                "is_active",
                "date_joined",
                "email",
            ],
        )
        joined = clock.ts(start, 9 * 3600)

        def user(uid: int, email: str, first: str, last: str, *, staff: bool = False, su: bool = False):
            users.add(
                f"{uid}\t{self.password}\t\\N\t{'t' if su else 'f'}\t{first}\t{last}\t"
                f"{'t' if staff else 'f'}\tt\t{joined}\t{email}\n"
            )

        user(1, "admin@bench.test", "Admin", "Bench", staff=True, su=True)
        user(2, "asp@bench.test", "Instructeur", "ASP", staff=True)
        user(3, "ans@bench.test", "Instructeur", "ANS", staff=True)
        self.asp_user, self.ans_user = 2, 3
        # Editor i (1-based) has user 100 + i; lab j has user 100 + n_editors + j.
        self.editor_user = lambda i: 100 + i
        self.client_user = lambda j: 100 + n_editors + j
        for i in range(1, n_editors + 1):
            user(self.editor_user(i), f"editeur-{i}@bench.test", "Éditeur", f"n° {i}")
        for j in range(1, n_clients + 1):
            user(self.client_user(j), f"labo-{j}@bench.test", "Biologiste", f"n° {j}")
        self.stats["users"] = users.close()

        orgs = Copy(
            self.url,
            Organization,
            [
                "id",
                "kind",
                "name",
                "siren",
                "siret",
                "finess",
                "client_kind",
                "geographic_sites",
                "address",
                "contact_email",
                "contact_phone",
                "created_at",
            ],
        )
        created = clock.ts(start, 10 * 3600)
        # Organisation ids: editors 1..E, clients E+1..E+C.
        for i in range(1, n_editors + 1):
            siren = luhn_complete(f"{rng.randrange(10**7, 10**8)}")
            name = f"Éditeur Santé n° {i} SAS"
            orgs.add(
                f"{i}\teditor\t{name}\t{siren}\t\t\t\t\\N\t{i} rue de la Santé\\n75014 Paris\t"
                f"contact@editeur-{i}.test\t01 40 00 {i % 100:02d} {i // 100 % 100:02d}\t{created}\n"
            )
        self.client_sites: list[int] = []
        self.client_names: list[str] = []
        self.client_sirets: list[str] = []
        for j in range(1, n_clients + 1):
            siret = luhn_complete(f"{rng.randrange(10**12, 10**13)}")
            if siret.startswith("356000000"):  # La Poste's SIRETs follow another rule
                siret = luhn_complete("4" + siret[1:13])
            roll = rng.random()
            sites = (
                1
                if roll < 0.30
                else rng.randint(2, 21)
                if roll < 0.80
                else rng.randint(22, 42)
                if roll < 0.90
                else rng.randint(43, 63)
                if roll < 0.95
                else rng.randint(64, 180)
            )
            city = CITIES[j % len(CITIES)]
            hospital = rng.random() < 0.15
            kind = "hospital_lab" if hospital else "city_lab"
            name = (
                f"Laboratoire du CH de {city} n° {j}"
                if hospital
                else f"Laboratoire BioAnalyses {city} n° {j}"
            )
            finess = (
                luhn_complete(f"{rng.randint(1, 95):02d}{rng.randrange(10**5, 10**6)}") if hospital else ""
            )
            self.client_sites.append(sites)
            self.client_names.append(name)
            self.client_sirets.append(siret)
            orgs.add(
                f"{n_editors + j}\tclient\t{name}\t\t{siret}\t{finess}\t{kind}\t{sites}\t"
                f"{j} avenue de la Biologie\\n{city}\tcontact@labo-{j}.test\t\t{created}\n"
            )
        self.stats["organizations"] = orgs.close()
        self.client_org = lambda j: n_editors + j

        members = Copy(
            self.url, Membership, ["id", "user_id", "organization_id", "role", "created_at", "is_admin"]
        )
        # Each organisation's one person is its administrator (as an approved account request).
        for i in range(1, n_editors + 1):
            members.add(f"{i}\t{self.editor_user(i)}\t{i}\teditor_member\t{created}\tt\n")
        for j in range(1, n_clients + 1):
            members.add(
                f"{n_editors + j}\t{self.client_user(j)}\t{self.client_org(j)}\tlab_member\t{created}\tt\n"
            )
        self.stats["memberships"] = members.close()

        groups = reviewer_groups_setup()
        User.groups.through.objects.bulk_create(
            [
                User.groups.through(user_id=self.asp_user, group_id=groups[ASP_REVIEWERS_GROUP].pk),
                User.groups.through(user_id=self.ans_user, group_id=groups[ANS_REVIEWERS_GROUP].pk),
            ]
        )
        assert Group.objects.count() >= 2
        log(f"{n_editors} editors, {n_clients} clients, {n_editors + n_clients + 3} accounts")

    # -- referencing -------------------------------------------------------------------------------

    def referencing(self) -> None:
        """Solutions, versions and dossiers of every editor, with proofs, history and corrections.

        Every editor files an SGL-V1 dossier (85 % referenced in the wave), 30 % a LOINC-V1 one,
        40 % a dossier for another DSR (in instruction now); 10 % retry after a refusal.
        """
        from segur_funding.referencing.models import (
            CorrectionRequest,
            Dossier,
            DossierEvent,
            Proof,
            Solution,
            SolutionVersion,
        )
        from segur_funding.referencing.rules import ELIGIBILITY_DAYS, INSTRUCTION_DAYS

        rng, clock, ref = self.rng, self.clock, self.ref
        n_editors = self.counts["editors"]
        solutions = Copy(self.url, Solution, ["id", "editor_id", "name", "created_at"])
        versions = Copy(
            self.url,
            SolutionVersion,
            [
                "id",
                "solution_id",
                "label",
                "obsolete_versions",
                "created_at",
            ],
        )
        dossiers = Copy(
            self.url,
            Dossier,
            [
                "id",
                "editor_id",
                "solution_version_id",
                "dsr_id",
                "status",
                "created_by_id",
                "created_at",
                "contact_name",
                "contact_email",
                "contact_phone",
                "referencing_profile",
                "candidature_note",
                "honour_declaration",
                "candidature_submitted_at",
                "eligibility_decided_at",
                "proofs_complete_on",
                "decided_at",
                "referencing_number",
                "referenced_on",
                "certificate",
                "clock_phase",
                "clock_deadline",
                "verification_token",
                "withdrawn_on",
                "withdrawal_reason",
                "assigned_to_id",
            ],
        )
        proofs = Copy(
            self.url,
            Proof,
            [
                "id",
                "dossier_id",
                "requirement_id",
                "status",
                "reviewer_comment",
                "reviewed_at",
                "reviewed_by_id",
            ],
        )
        events = Copy(
            self.url,
            DossierEvent,
            [
                "id",
                "dossier_id",
                "kind",
                "actor_id",
                "actor_role",
                "from_status",
                "to_status",
                "comment",
                "created_at",
            ],
        )
        corrections = Copy(
            self.url,
            CorrectionRequest,
            [
                "id",
                "dossier_id",
                "reason",
                "message",
                "opened_at",
                "opened_by_id",
                "resolved_at",
            ],
        )
        ids = {"solution": 0, "version": 0, "dossier": 0, "proof": 0, "event": 0, "correction": 0}
        sequences: dict[tuple[str, int], int] = {}
        # editor -> {dsr: (dossier id, referenced_on ordinal, proofs_complete_on ordinal)}
        self.referenced: dict[int, dict[str, tuple[int, int, int]]] = {}
        wave_start = date(2021, 9, 1).toordinal()

        def next_id(kind: str) -> int:
            ids[kind] += 1
            return ids[kind]

        def dossier(editor: int, dsr: str, status: str, solution_name: str, label: str, *, in_wave: bool):
            sol = next_id("solution")
            solutions.add(f"{sol}\t{editor}\t{esc(solution_name)}\t{clock.ts(wave_start, 9 * 3600)}\n")
            version = next_id("version")
            versions.add(
                f"{version}\t{sol}\t{label}\tVersions antérieures à {label} : plus maintenues.\t"
                f"{clock.ts(wave_start, 9 * 3600)}\n"
            )
            did = next_id("dossier")
            user = self.editor_user(editor)
            path = DOSSIER_PATHS[status]
            # Dates: the wave's dossiers move in 2021-2022; the in-flight ones now.
            if in_wave:
                referenced_on = wave_start + 30 + rng.randrange(0, 200)  # 1 Oct 2021 .. Apr 2022
                created = referenced_on - rng.randrange(60, 120)
            else:
                referenced_on = None
                created = self.today - rng.randrange(10, 90)
            step_day = created
            submitted = eligibility = proofs_complete = decided = None
            event_rows = [("dossier_create", "draft", "draft", created)]
            for kind, to in path:
                if kind == "grant":
                    step_day = referenced_on
                else:
                    step_day = min(step_day + rng.randrange(1, 8), (referenced_on or self.today) - 1)
                    step_day = max(step_day, created)
                if kind == "submit_candidature":
                    submitted = step_day
                elif kind in ("declare_eligible", "declare_ineligible"):
                    eligibility = step_day
                elif kind == "submit_proofs":
                    proofs_complete = step_day
                elif kind in ("grant", "refuse"):
                    decided = step_day
                event_rows.append((kind, event_rows[-1][2], to, step_day))
            if status == "referenced":
                proofs_complete = min(proofs_complete, referenced_on - 10)
                year = date.fromordinal(referenced_on).year
                seq = sequences[(dsr, year)] = sequences.get((dsr, year), 0) + 1
                number = f"{dsr}-{year:04d}-{seq:04d}"
            else:
                number = None
            phase, deadline = "", None
            if status == "candidature_submitted":
                phase, deadline = "eligibility", submitted + ELIGIBILITY_DAYS
            elif status in ("proofs_submitted", "under_review", "proofs_resubmitted"):
                phase, deadline = "instruction", proofs_complete + INSTRUCTION_DAYS
            elif status == "correction_requested":
                phase = "instruction"
            referenced_on_value = referenced_on if status == "referenced" else None

            def ts(day):
                return clock.ts(day, 10 * 3600 + rng.randrange(0, 8 * 3600)) if day else "\\N"

            def day(value):
                return clock.day(value) if value else "\\N"

            dossiers.add(
                f"{did}\t{editor}\t{version}\t{ref.dsr_ids[dsr]}\t{status}\t{user}\t{ts(created)}\t"
                f"Responsable référencement {editor}\treferencement@editeur-{editor}.test\t"
                f"01 40 00 00 00\t{dsr} — tous profils\tCandidature de la solution {esc(solution_name)}.\t"
                f"{'f' if status == 'draft' else 't'}\t{ts(submitted)}\t{ts(eligibility)}\t"
                f"{day(proofs_complete)}\t{ts(decided)}\t{number or chr(92) + 'N'}\t"
                f"{day(referenced_on_value)}\t"
                f"{'referencing/certificates/attestation-' + number + '.pdf' if number else ''}\t"
                f"{phase}\t{day(deadline)}\t\\N\t\\N\t\t\\N\n"
            )
            for kind, frm, to, when in event_rows:
                ans = kind in (
                    "declare_eligible",
                    "declare_ineligible",
                    "start_review",
                    "request_correction",
                    "grant",
                    "refuse",
                )
                events.add(
                    f"{next_id('event')}\t{did}\t{kind}\t{self.ans_user if ans else user}\t"
                    f"{'ans' if ans else 'editor'}\t{frm}\t{to}\t\t{ts(when)}\n"
                )
            requirements = ref.requirements.get(dsr, [])
            proofs_sent = status in (
                "proofs_submitted",
                "under_review",
                "correction_requested",
                "proofs_resubmitted",
                "referenced",
                "refused",
            )
            for position, req in enumerate(requirements):
                if status == "referenced":
                    proof = ("accepted", "", ts(decided), str(self.ans_user))
                elif status == "refused" and position == 0:
                    proof = ("rejected", "Preuve non conforme au scénario.", ts(decided), str(self.ans_user))
                elif status == "correction_requested" and position == 0:
                    proof = ("rejected", "Vidéo illisible.", ts(step_day), str(self.ans_user))
                elif proofs_sent or (status == "proofs_in_progress" and position % 2 == 0):
                    proof = ("submitted", "", "\\N", "\\N")
                else:
                    proof = ("missing", "", "\\N", "\\N")
                proofs.add(
                    f"{next_id('proof')}\t{did}\t{req}\t{proof[0]}\t{proof[1]}\t{proof[2]}\t{proof[3]}\n"
                )
            if status in ("correction_requested", "proofs_resubmitted"):
                resolved = ts(step_day) if status == "proofs_resubmitted" else "\\N"
                corrections.add(
                    f"{next_id('correction')}\t{did}\tnon_conform_proof\tMerci de fournir une vidéo "
                    f"lisible du scénario.\t{ts(step_day)}\t{self.ans_user}\t{resolved}\n"
                )
            if status == "referenced":
                self.referenced.setdefault(editor, {})[dsr] = (did, referenced_on, proofs_complete)

        for editor in range(1, n_editors + 1):
            roll = rng.random()
            if roll < 0.85 or editor == 1:  # at least one editor can write quotes, at any scale
                dossier(editor, "SGL-V1", "referenced", f"BioSGL {editor}", "2022.1", in_wave=True)
            else:
                status = rng.choice(IN_FLIGHT_STATUSES)
                dossier(editor, "SGL-V1", status, f"BioSGL {editor}", "2026.1", in_wave=False)
            if rng.random() < 0.30:
                dossier(editor, "LOINC-V1", "referenced", f"TransLOINC {editor}", "1.0", in_wave=True)
            if rng.random() < 0.40:
                dsr = rng.choice(OTHER_DSRS)
                status = rng.choice((*IN_FLIGHT_STATUSES, "referenced"))
                dossier(
                    editor, dsr, status, f"Suite {dsr} {editor}", "2026.1", in_wave=status == "referenced"
                )
            if rng.random() < 0.10:
                dsr = rng.choice(OTHER_DSRS)
                status = rng.choice(("refused", "ineligible"))
                dossier(editor, dsr, status, f"Ancienne suite {dsr} {editor}", "2021.4", in_wave=True)
        for name, copy in (
            ("solutions", solutions),
            ("versions", versions),
            ("referencing dossiers", dossiers),
            ("proofs", proofs),
            ("dossier history", events),
            ("dossier corrections", corrections),
        ):
            self.stats[name] = copy.close()
        log(f"{self.stats['referencing dossiers']} referencing dossiers, {self.stats['proofs']} proofs")

    # -- quotes, funding requests and payments -------------------------------------------------------

    def quotes(self) -> None:
        from segur_funding.funding.models import CorrectionRequest as FundingCorrection
        from segur_funding.funding.models import FundingRequest, Payment, RequestEvent
        from segur_funding.funding.rules import quote_next_step
        from segur_funding.quotes.documents import parse_quote_document
        from segur_funding.quotes.models import Quote, QuoteEvent, QuoteLine
        from segur_funding.quotes.rules import check_quote
        from segur_funding.referential.constants import CONDITIONAL_ORDER_MENTION, STATE_FUNDING_WORDING

        rng, clock, ref = self.rng, self.clock, self.ref
        n_quotes = self.counts["quotes"]
        n_clients = self.counts["clients"]
        # Big and small editors: a Zipf-like share of the quotes.
        editors = sorted(e for e, dsrs in self.referenced.items() if "SGL-V1" in dsrs)
        weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(editors))]
        rng.shuffle(editors)
        loinc_editors = [e for e in editors if "LOINC-V1" in self.referenced[e]]
        loinc_weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(loinc_editors))]
        signature_deadline = ref.windows["SGL-V1"].order_signature_deadline.toordinal()
        completion_deadline = ref.windows["SGL-V1"].service_completion_deadline.toordinal()
        advance_deadline = ref.windows["SGL-V1"].advance_request_deadline.toordinal()
        balance_deadline = ref.windows["SGL-V1"].balance_request_deadline.toordinal()

        # 1. Plan every quote (plain tuples), then write them in creation order so that ids grow
        # with time, as they do in production.
        log("planning the quotes…")
        plan = []
        picks = rng.choices(editors, weights=weights, k=n_quotes)
        loinc_picks = (
            iter(rng.choices(loinc_editors, weights=loinc_weights, k=n_quotes)) if loinc_editors else None
        )
        for k in range(n_quotes):
            if loinc_picks is not None and rng.random() < 0.15:
                editor, dsr = next(loinc_picks), "LOINC-V1"
            else:
                editor, dsr = picks[k], "SGL-V1"
            dossier_id, referenced_on, proofs_complete = self.referenced[editor][dsr]
            status = pick(rng, QUOTE_STATUS_SHARES)
            if rng.random() < 0.08:
                # Ordered before referencing, inside the 120 days before the complete proofs.
                order = proofs_complete - rng.randrange(0, 115)
                order = min(order, referenced_on - 1)
            else:
                order = rng.randrange(referenced_on, signature_deadline - 5)
            created_day = order - rng.randrange(0, 10)
            created_second = rng.randrange(7 * 3600, 19 * 3600)
            plan.append(
                (
                    created_day,
                    created_second,
                    editor,
                    dsr,
                    rng.randrange(1, n_clients + 1),
                    status,
                    order,
                    dossier_id,
                    referenced_on,
                    proofs_complete,
                )
            )
        plan.sort()
        log(f"{n_quotes} quotes planned")

        quotes = Copy(
            self.url,
            Quote,
            [
                "id",
                "origin",
                "number",
                "editor_id",
                "editor_name",
                "client_id",
                "dsr_id",
                "dossier_id",
                "window_id",
                "order_date",
                "signature_date",
                "delivered_on",
                "mentions",
                "conditions",
                "status",
                "next_step",
                "document",
                "check_report",
                "verdict",
                "check_status",
                "check_error",
                "checked_at",
                "overrides",
                "pdf",
                "issued_at",
                "created_by_id",
                "created_at",
                "updated_at",
                "verification_token",
                "signed_document",
                "signatory_name",
                "signatory_role",
            ],
        )
        lines = Copy(
            self.url,
            QuoteLine,
            [
                "id",
                "quote_id",
                "position",
                "label",
                "scope",
                "dsr_codes",
                "is_technical_debt",
                "amount_ht",
                "amount_ttc",
                "declined",
            ],
        )
        qevents = (
            Copy(
                self.url,
                QuoteEvent,
                [
                    "id",
                    "quote_id",
                    "kind",
                    "from_status",
                    "to_status",
                    "actor_id",
                    "at",
                    "comment",
                ],
            )
            if self.history
            else None
        )
        line_id = qevent_id = 0
        numbers: dict[int, int] = {}
        requests_plan = []
        state_label = STATE_FUNDING_WORDING

        for quote_id, (
            created_day,
            created_second,
            editor,
            dsr,
            client,
            status,
            order,
            dossier_id,
            referenced_on,
            proofs_complete,
        ) in enumerate(plan, start=1):
            numbers[editor] = seq = numbers.get(editor, 0) + 1
            number = f"D{editor:04d}-{seq:07d}"
            sites = self.client_sites[client - 1]
            tier = ref.tier(dsr, sites)
            cap = int(tier.cap_ttc * 100)
            segur_total = cap if rng.random() < 0.7 else cap - rng.randrange(0, cap // 5)
            # Ségur lines: fixed shares, the last one takes the rest (amounts add up to the cent).
            templates = SGL_LINES if dsr == "SGL-V1" else LOINC_LINES
            quote_lines = []
            rest = segur_total
            for label, share, with_ht in templates:
                amount = rest if share is None else segur_total * share // 100
                rest -= amount
                ht = (amount * 10 + 6) // 12 if with_ht else None  # TTC / 1.2, half-up
                quote_lines.append((label, "segur", dsr, False, ht, amount))
            draft_remainder = status == "draft" and rng.random() < 0.3
            state = segur_total - (rng.randrange(1, 300) * 500 if draft_remainder else 0)
            state = max(state, 0)
            quote_lines.append((state_label, "state_funding", "", False, None, state))
            extra = rng.randrange(0, 3) if dsr == "SGL-V1" else rng.randrange(1, 4)
            for label, amount, debt in rng.sample(OUT_OF_SCOPE_LINES, extra):
                quote_lines.append((label, "out_of_scope", "", debt, None, amount))

            # Quote.mentions keeps the editor's own mentions; the §3.2 mention of an order placed
            # before referencing is added to the document by the selectors (document_build).
            mentions = [CONDITIONAL_ORDER_MENTION] if order < referenced_on else []
            issued = status != "draft"
            signed = status in ("signed", "delivered")
            issued_day = created_day + rng.randrange(0, 3) if issued else None
            signature = (
                min(max(order, issued_day) + rng.randrange(0, 10), signature_deadline) if signed else None
            )
            delivered = (
                min(signature + rng.randrange(20, 90), completion_deadline) if status == "delivered" else None
            )
            checked_day = signature or issued_day or created_day
            document_lines = []
            for label, scope, dsr_codes, _debt, ht, ttc in quote_lines:
                item = {"label": label, "scope": scope}
                if dsr_codes:
                    item["dsr"] = [dsr_codes]
                item["amount_ttc"] = cents(ttc)
                if ht is not None:
                    item["amount_ht"] = cents(ht)
                document_lines.append(item)
            document = {
                "number": number,
                "dsr": dsr,
                "client": {
                    "name": self.client_names[client - 1],
                    "siret": self.client_sirets[client - 1],
                    "geographic_sites": sites,
                },
                "referencing": {
                    "referenced_on": clock.day(referenced_on),
                    "proofs_complete_on": clock.day(proofs_complete),
                },
                "order_date": clock.day(order),
                "signature_date": clock.day(signature) if signature else None,
                "mentions": mentions,
                "conditions": [],
                "lines": document_lines,
            }
            if state == segur_total:
                advance, balance = self.split(state)
                report = {
                    "verdict": "conform",
                    "tier": tier.code,
                    "cap_ttc": f"{tier.cap_ttc:.2f}",
                    "cap_ht": f"{tier.cap_ht:.2f}",
                    "segur_total_ttc": cents(segur_total),
                    "state_funding_ttc": cents(state),
                    "client_remainder_ttc": "0.00",
                    "advance_ttc": cents(advance),
                    "balance_ttc": cents(balance),
                    "findings": [],
                }
            else:
                # A draft leaving the client something to pay: its report comes from the checker.
                report = check_quote(
                    parse_quote_document(document),
                    scheme=ref.schemes[dsr],
                    today=date.fromordinal(checked_day),
                ).to_dict()
            created_ts = clock.ts(created_day, created_second)
            checked_ts = clock.ts(checked_day, created_second + 600)
            issued_ts = clock.ts(issued_day, created_second + 1200) if issued else "\\N"
            last_day = delivered or signature or issued_day or created_day
            updated_ts = clock.ts(last_day, created_second + 1800)
            pdf_name = f"devis/{self.client_org(client)}/{quote_id}/devis-{number}.pdf" if issued else ""
            # The requests are planned before the quote row is written (no random draw in between
            # moved): the quote's next step is the rule's answer on them, as the moves keep it.
            planned = (
                self.plan_requests(
                    quote_id,
                    editor,
                    state,
                    advance,
                    signature,
                    delivered,
                    advance_deadline=advance_deadline,
                    balance_deadline=balance_deadline,
                )
                if signed
                else []
            )
            requests_plan.extend(planned)
            milestone_status = {r[2]: r[3] for r in planned}
            step = quote_next_step(
                quote_status=status,
                origin="web",
                advance=milestone_status.get("advance"),
                balance=milestone_status.get("balance"),
            )
            quotes.add(
                f"{quote_id}\tweb\t{number}\t{editor}\t\t{self.client_org(client)}\t{ref.dsr_ids[dsr]}\t"
                f"{dossier_id}\t{ref.window_ids[dsr]}\t{clock.day(order)}\t"
                f"{clock.day(signature) if signature else chr(92) + 'N'}\t"
                f"{clock.day(delivered) if delivered else chr(92) + 'N'}\t\t\t"
                f"{status}\t{step}\t"
                f"{esc(json.dumps(document, ensure_ascii=False)) if issued else chr(92) + 'N'}\t"
                f"{esc(json.dumps(report, ensure_ascii=False))}\t{report['verdict']}\tdone\t\t{checked_ts}\t"
                f"{{}}\t{pdf_name}\t"
                f"{issued_ts}\t{self.editor_user(editor)}\t{created_ts}\t{updated_ts}\t\\N\t"
                # No option declined: what was signed is the issued document (signed_document NULL).
                f"{NULL}\t"
                f"{'Dr Claire Martin' if signed else ''}\t"
                f"{'biologiste responsable' if signed else ''}\n"
            )
            for position, (label, scope, dsr_codes, debt, ht, ttc) in enumerate(quote_lines):
                line_id += 1
                lines.add(
                    f"{line_id}\t{quote_id}\t{position}\t{esc(label)}\t{scope}\t{dsr_codes}\t"
                    f"{'t' if debt else 'f'}\t{cents(ht) if ht is not None else NULL}\t{cents(ttc)}\tf\n"
                )
            if qevents is not None:
                editor_user = self.editor_user(editor)
                client_user = self.client_user(client)
                moves = [("created", "", "draft", editor_user, created_ts)]
                if issued:
                    moves.append(("issued", "draft", "issued", editor_user, issued_ts))
                    moves.append(("pdf_rendered", "", "", None, clock.ts(issued_day, created_second + 1260)))
                if status == "cancelled":
                    moves.append(("cancelled", "issued", "cancelled", editor_user, updated_ts))
                if signed:
                    moves.append(
                        ("signed", "issued", "signed", client_user, clock.ts(signature, created_second))
                    )
                if delivered:
                    moves.append(("delivered", "signed", "delivered", client_user, updated_ts))
                for kind, frm, to, actor, at in moves:
                    qevent_id += 1
                    qevents.add(
                        f"{qevent_id}\t{quote_id}\t{kind}\t{frm}\t{to}\t"
                        f"{actor if actor else chr(92) + 'N'}\t{at}\t\n"
                    )
            if quote_id % 100_000 == 0:
                log(f"{quote_id} quotes written")
        self.stats["quotes"] = quotes.close()
        self.stats["quote lines"] = lines.close()
        if qevents is not None:
            self.stats["quote history"] = qevents.close()
        log(f"{self.stats['quotes']} quotes, {self.stats['quote lines']} lines")

        # 2. Requests in the order they were filed (drafts, never filed, last), then payments in
        # the order they were recorded.
        requests_plan.sort(key=lambda r: (r[5] is None, r[5] or 0, r[0], r[2]))
        requests = Copy(
            self.url,
            FundingRequest,
            [
                "id",
                "quote_id",
                "editor_id",
                "milestone",
                "status",
                "funded_amount",
                "amount",
                "invoice",
                "signed_quote",
                "delivery_declaration",
                "editor_comment",
                "submitted_at",
                "decided_at",
                "created_at",
                "updated_at",
                "assigned_to_id",
            ],
        )
        revents = (
            Copy(
                self.url,
                RequestEvent,
                [
                    "id",
                    "request_id",
                    "from_status",
                    "to_status",
                    "actor_id",
                    "at",
                    "comment",
                ],
            )
            if self.history
            else None
        )
        fcorrections = Copy(
            self.url,
            FundingCorrection,
            [
                "id",
                "request_id",
                "editor_id",
                "reasons",
                "comment",
                "requested_by_id",
                "requested_at",
                "resolved_at",
                "answer_comment",
                "answered_by_id",
                "changes",
                "bank_account_id",
            ],
        )
        payments_plan = []
        revent_id = correction_id = 0
        for request_id, (
            quote_id,
            editor,
            milestone,
            status,
            funded,
            submitted,
            decided,
            paid_on,
            amount,
            second,
            base,
        ) in enumerate(requests_plan, start=1):
            created = submitted - 1 if submitted else base
            created_ts = clock.ts(created, second)
            submitted_ts = clock.ts(submitted, second) if submitted else "\\N"
            decided_ts = clock.ts(decided, second + 1800) if decided else "\\N"
            updated_ts = clock.ts(paid_on or decided or submitted or created, second + 3600)
            reference = f"ASP-{'AV' if milestone == 'advance' else 'SO'}-{request_id:08d}"
            invoice = f"financement/{quote_id}/{milestone}/facture.pdf" if milestone == "balance" else ""
            requests.add(
                f"{request_id}\t{quote_id}\t{editor}\t{milestone}\t{status}\t{cents(funded)}\t{cents(amount)}\t"
                f"{invoice}\t\t\t\t{submitted_ts}\t{decided_ts}\t{created_ts}\t{updated_ts}\t\\N\n"
            )
            if revents is not None:
                previous = "draft"
                editor_user = self.editor_user(editor)
                for step, to in enumerate(TRANSITIONS_TO[status]):
                    revent_id += 1
                    actor = editor_user if to in ("submitted", "resubmitted") else self.asp_user
                    day = submitted if step == 0 else (paid_on if to == "paid" else decided or submitted)
                    comment = (
                        f"Versement {reference} du {date.fromordinal(day):%d/%m/%Y}" if to == "paid" else ""
                    )
                    revents.add(
                        f"{revent_id}\t{request_id}\t{previous}\t{to}\t{actor}\t"
                        f"{clock.ts(day, second + 600 * (step + 1))}\t{comment}\n"
                    )
                    previous = to
            if status in ("to_modify", "resubmitted"):
                correction_id += 1
                answered = status == "resubmitted"
                resolved = clock.ts(decided, second + 3000) if answered else "\\N"
                answer = "Facture corrigée." if answered else ""
                answered_by = self.editor_user(editor) if answered else "\\N"
                fcorrections.add(
                    f'{correction_id}\t{request_id}\t{editor}\t["invoice_mismatch"]\t'
                    "Montant de la facture différent du devis.\t"
                    f"{self.asp_user}\t{clock.ts(decided or submitted, second + 1200)}\t"
                    f"{resolved}\t{answer}\t{answered_by}\t[]\t\\N\n"
                )
            if status == "paid":
                payments_plan.append((paid_on, request_id, quote_id, milestone, amount, second, reference))
        self.stats["funding requests"] = requests.close()
        if revents is not None:
            self.stats["request history"] = revents.close()
        self.stats["request corrections"] = fcorrections.close()
        del requests_plan

        payments_plan.sort()
        payments = Copy(
            self.url,
            Payment,
            [
                "id",
                "request_id",
                "quote_id",
                "milestone",
                "amount",
                "paid_on",
                "reference",
                "recorded_by_id",
                "recorded_at",
                "bank_account_id",
            ],
        )
        for payment_id, (paid_on, request_id, quote_id, milestone, amount, second, reference) in enumerate(
            payments_plan, start=1
        ):
            payments.add(
                f"{payment_id}\t{request_id}\t{quote_id}\t{milestone}\t{cents(amount)}\t{clock.day(paid_on)}\t"
                f"{reference}\t{self.asp_user}\t"
                f"{clock.ts(paid_on, second + 3600)}\t\\N\n"
            )
        self.stats["payments"] = payments.close()
        log(f"{self.stats['funding requests']} funding requests, {self.stats['payments']} payments")

    def plan_requests(
        self, quote_id, editor, funded, advance, signature, delivered, *, advance_deadline, balance_deadline
    ):
        """The advance (and, once the advance is paid and the service delivered, the balance)."""
        rng = self.rng
        second = rng.randrange(8 * 3600, 17 * 3600)
        status = pick(rng, ADVANCE_STATUS_SHARES)
        submitted, decided, paid_on = self._request_days(status, signature, advance_deadline, 30)
        out = [
            (quote_id, editor, "advance", status, funded, submitted, decided, paid_on, advance, second,
             signature + 2)
        ]
        if status != "paid" or delivered is None or rng.random() >= BALANCE_ASKED_SHARE:
            return out
        # The balance is what is left once the advance actually paid.
        status = pick(rng, BALANCE_STATUS_SHARES)
        start = max(delivered, paid_on)
        submitted, decided, paid_on = self._request_days(status, start, balance_deadline, 60)
        out.append(
            (quote_id, editor, "balance", status, funded, submitted, decided, paid_on, funded - advance,
             second + 7, start + 2)
        )
        return out

    def _request_days(self, status: str, start: int, deadline: int, filing_days: int):
        """Submission (within `filing_days` of `start`, never after the deadline), decision and
        payment days of one request in `status` (None where it has not happened)."""
        rng = self.rng
        submitted = None if status == "draft" else min(start + rng.randrange(1, filing_days), deadline)
        decided = (
            submitted + rng.randrange(3, 30)
            if status in ("validated", "refused", "paid", "to_modify", "resubmitted")
            else None
        )
        paid_on = decided + rng.randrange(2, 20) if status == "paid" else None
        return submitted, decided, paid_on


# --- After the load ----------------------------------------------------------------------------------


def indexes_drop(url: str, tables: list[str]) -> list[str]:
    """Drop the non-unique secondary indexes of `tables`; return their definitions to rebuild."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s) AND NOT i.indisunique AND NOT i.indisprimary
            """,
            (tables,),
        ).fetchall()
        for name, _definition in rows:
            conn.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in rows]


def indexes_create(url: str, definitions: list[str]) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        for definition in definitions:
            conn.execute(definition)


def sequences_reset(url: str, models: list) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for model in models:
            table = model._meta.db_table
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'COALESCE((SELECT max(id) FROM "{table}"), 0) + 1, false)'
            )


def vacuum_analyze(url: str, tables: list[str]) -> None:
    """What autovacuum would have done by the time a table is this big: statistics for the planner
    and a visibility map for index-only scans (counts)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for table in tables:
            conn.execute(f'VACUUM (ANALYZE) "{table}"')


def label(url: str, facts: dict) -> None:
    """What was generated, as the database's comment: `bench/run.py --scales` reuses a database
    whose comment names the scale it wants (and regenerates it otherwise)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'COMMENT ON DATABASE "{database_name(url)}" IS {sql.quote(json.dumps(facts))}')


def label_read(url: str) -> dict | None:
    import psycopg

    with psycopg.connect(url) as conn:
        raw = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        ).fetchone()[0]
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def verify(url: str, models: list, sample: int) -> None:
    """Orphans on every foreign key, the money invariants, and the real checker on a sample."""
    import psycopg
    from django.db import models as dj

    problems = []
    with psycopg.connect(url) as conn:
        for model in models:
            for field in model._meta.concrete_fields:
                if not isinstance(field, dj.ForeignKey):
                    continue
                table, column = model._meta.db_table, field.column
                target = field.related_model._meta.db_table
                count = conn.execute(
                    f'SELECT count(*) FROM "{table}" c LEFT JOIN "{target}" p ON p.id = c."{column}" '
                    f'WHERE c."{column}" IS NOT NULL AND p.id IS NULL'
                ).fetchone()[0]
                if count:
                    problems.append(f"{table}.{column}: {count} orphan references")
        checks = {
            "payment ≠ its paid request (quote, milestone, amount, status)": """
                SELECT count(*) FROM funding_payment p JOIN funding_fundingrequest r ON r.id = p.request_id
                WHERE r.status <> 'paid' OR r.quote_id <> p.quote_id OR r.milestone <> p.milestone
                   OR r.amount <> p.amount""",
            "paid request without a payment": """
                SELECT count(*) FROM funding_fundingrequest r
                WHERE r.status = 'paid'
                  AND NOT EXISTS (SELECT 1 FROM funding_payment p WHERE p.request_id = r.id)""",
            "advance ≠ 30 % of the funded amount, half-up to the cent": """
                SELECT count(*) FROM funding_fundingrequest
                WHERE milestone = 'advance' AND amount <> round(funded_amount * 0.3, 2)""",
            "advance + balance ≠ funded amount": """
                SELECT count(*) FROM funding_fundingrequest b JOIN funding_fundingrequest a
                  ON a.quote_id = b.quote_id AND a.milestone = 'advance'
                WHERE b.milestone = 'balance' AND a.amount + b.amount <> b.funded_amount""",
            "balance requested before the advance was paid": """
                SELECT count(*) FROM funding_fundingrequest b
                WHERE b.milestone = 'balance' AND NOT EXISTS (
                  SELECT 1 FROM funding_payment p
                  WHERE p.quote_id = b.quote_id AND p.milestone = 'advance')""",
            "request on an unsigned or non-conform quote, or funded amount ≠ report": """
                SELECT count(*) FROM funding_fundingrequest r JOIN quotes_quote q ON q.id = r.quote_id
                WHERE q.status NOT IN ('signed', 'delivered') OR q.verdict <> 'conform'
                   OR r.editor_id <> q.editor_id
                   OR r.funded_amount <> (q.check_report->>'state_funding_ttc')::numeric""",
            "State-funding line ≠ the report's funded amount": """
                SELECT count(*) FROM quotes_quote q JOIN quotes_quoteline l ON l.quote_id = q.id
                WHERE l.scope = 'state_funding'
                  AND l.amount_ttc <> (q.check_report->>'state_funding_ttc')::numeric""",
        }
        for label, sql in checks.items():
            count = conn.execute(sql).fetchone()[0]
            if count:
                problems.append(f"{label} : {count}")
    problems.extend(verify_reports(sample))
    if problems:
        raise SystemExit("Inconsistent data:\n  " + "\n  ".join(problems))
    log(f"verified: foreign keys, money invariants, {sample} reports re-computed by the checker")


def verify_reports(sample: int) -> list[str]:
    """The stored report of `sample` random quotes equals the real checker's on their document, and
    their next step the rule's answer on their funding requests."""
    from datetime import datetime as dt

    from django.utils import timezone

    from segur_funding.funding.selectors import quote_next_step
    from segur_funding.quotes.checker import quote_check_document
    from segur_funding.quotes.models import Quote
    from segur_funding.quotes.selectors import quote_document

    top = Quote.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rng = random.Random(1)
    ids = rng.sample(range(1, top + 1), min(sample, top))
    problems = []
    for quote in (
        Quote.objects.filter(id__in=ids).select_related("client", "dsr", "dossier").prefetch_related("lines")
    ):
        document = quote.document or quote_document(quote)
        checked = timezone.localtime(quote.checked_at).date() if isinstance(quote.checked_at, dt) else None
        report = quote_check_document(document, today=checked).to_dict()
        if report != quote.check_report:
            problems.append(f"quote {quote.pk}: stored report {quote.check_report} ≠ checker {report}")
        expected_step = quote_next_step(quote=quote)
        if quote.next_step != expected_step:
            problems.append(f"quote {quote.pk}: next step {quote.next_step!r} ≠ rule {expected_step!r}")
        if quote.document and quote.document != quote_document(quote, signature_date=quote.signature_date):
            problems.append(f"quote {quote.pk}: frozen document ≠ document rebuilt from its lines")
        if len(problems) > 5:
            break
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = national scale (default); 0.01 quick")
    parser.add_argument("--seed", type=int, default=20220715)
    parser.add_argument("--no-history", action="store_true", help="skip the quote and request history rows")
    parser.add_argument("--no-verify", action="store_true")
    parser.add_argument("--verify-sample", type=int, default=500)
    parser.add_argument("--force", action="store_true", help="allow a database name without 'bench'")
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must point to a PostgreSQL database.")

    database_recreate(url, force=options.force)
    manage(url, "migrate", "--noinput", "-v0")
    manage(url, "load_reference_data")
    log("migrated, reference data loaded")
    django_setup(url)

    from segur_funding.funding.models import CorrectionRequest as FundingCorrection
    from segur_funding.funding.models import FundingRequest, Payment, RequestEvent
    from segur_funding.organizations.models import Membership, Organization, User
    from segur_funding.quotes.models import Quote, QuoteEvent, QuoteLine
    from segur_funding.referencing.models import (
        CorrectionRequest,
        Dossier,
        DossierEvent,
        Proof,
        Solution,
        SolutionVersion,
    )

    loaded = [
        User,
        Organization,
        Membership,
        Solution,
        SolutionVersion,
        Dossier,
        DossierEvent,
        Proof,
        CorrectionRequest,
        Quote,
        QuoteLine,
        QuoteEvent,
        FundingRequest,
        RequestEvent,
        FundingCorrection,
        Payment,
    ]
    tables = [m._meta.db_table for m in loaded]
    definitions = indexes_drop(url, tables)
    log(f"{len(definitions)} secondary indexes dropped for the load")

    generator = Generator(url, options.scale, options.seed, history=not options.no_history)
    generator.users_and_organizations()
    generator.referencing()
    generator.quotes()

    log("building the indexes…")
    indexes_create(url, definitions)
    sequences_reset(url, loaded)
    log("VACUUM ANALYZE…")
    vacuum_analyze(url, tables)
    if not options.no_verify:
        verify(url, loaded, options.verify_sample)
    label(url, {"scale": options.scale, "seed": options.seed, "history": not options.no_history})
    width = max(len(k) for k in generator.stats)
    print(f"\nScale {options.scale:g} — {database_name(url)} — {time.monotonic() - T0:.0f} s")
    for name, count in generator.stats.items():
        print(f"  {name:<{width}} {count:>12,}".replace(",", "\u202f"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
