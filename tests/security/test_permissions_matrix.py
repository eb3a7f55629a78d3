"""Every URL of the project, for every demo role, with the ids of another organisation's objects.

The URL list is walked from the resolver (site pages, admin, API), never written by hand: a new
page is in the matrix the day it is added, and a new URL argument without a mapping below fails
the test with the URL's name, so that whoever adds it says which object it takes.

For each role (anonymous, two editors, two labs, the ANS and ASP reviewers), each URL is asked
GET then POST with real ids of objects the role does not own:
- the answer reveals nothing: 404 for a member of another organisation, 302 to the login page for
  an anonymous visitor, 401/403 for the API, 403 for an admin page without the permission
  (405 is fine too: the method does not exist);
- no answer is a server error;
- no page a role can open shows another organisation's private markers (quote numbers, payment
  references, the name of a solution not yet referenced);
- after all the POSTs, not one row of the business tables has changed.

Besides: the ANS reviewers cannot touch payments, the ASP reviewers cannot grant a referencing,
and every HTML page carries the Content-Security-Policy with a nonce on each inline script.
"""

import base64
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib import admin
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from segur_funding.alerts.models import QuoteAlert
from segur_funding.funding.models import FundingRequest, Payment
from segur_funding.notifications.models import Notification
from segur_funding.organizations.models import User
from segur_funding.quotes.models import Quote, QuoteStatus
from segur_funding.referencing.models import Dossier, Proof, ProofFile, Solution

from .conftest import ROLES

pytestmark = pytest.mark.django_db

# Pages that would end the session in the middle of the matrix (they are plain Django views).
SKIPPED = {"logout", "admin:logout"}

# Markers of what only their owners may read. The demo's referenced solution (« BioLab SGL »)
# is public; « LabSoft SGL » is still under review, so only its editor, its client and ANS know it.
EDITOR_MARKERS = ("D-DEMO-0001", "D-DEMO-0002", "D-DEMO-0003", "D-DEMO-0004", "ASP-DEMO-AV-0003")
EDITOR2_MARKERS = ("D2-DEMO-0001", "LabSoft SGL")
FORBIDDEN_MARKERS = {
    "anonymous": EDITOR_MARKERS + EDITOR2_MARKERS,
    "editeur": EDITOR2_MARKERS,
    "editeur2": EDITOR_MARKERS,
    "labo": ("D-DEMO-0004", *EDITOR2_MARKERS),  # a draft never reaches the lab
    "labo2": EDITOR_MARKERS,
    "ans": ("D-DEMO-0001", "D-DEMO-0004", "D2-DEMO-0001", "ASP-DEMO-AV-0003"),
    "asp": (),
}

# What a role may legitimately reach in another organisation: reviewers read every dossier's
# proofs and certificates (ANS) or every funding request (ASP), each through their own API.
LEGITIMATE = {
    "ans": ("referencing:proof_file_download", "referencing:certificate_download", "api:ans-dossier-"),
    # The ASP compares the documents of every editor's answers to « à modifier ».
    "asp": ("api:asp-funding-request-", "funding:correction_document"),
}
PUBLIC = ("api:public-",)
# The API's documentation shows the demo's quote numbers as examples: text, not data.
NOT_DATA = {"api-schema", "api-docs"}


SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
HANDLER = re.compile(r"""<[a-z][^>]*?\son[a-z]+\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
NONCE = re.compile(r"'nonce-([^']+)'")


# --- URL walk ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    name: str  # namespaced name, or the route when the pattern has none
    parts: tuple  # the pattern objects from the root to the view
    callback: object

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:")

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:") or self.name.startswith("api-")

    @property
    def arguments(self) -> list[str]:
        names = []
        for part in self.parts:
            if isinstance(part, RoutePattern):
                names += [m.group(2) for m in ROUTE_ARG.finditer(str(part))]
            elif isinstance(part, RegexPattern):
                names += [m.group(1) or f"#{i}" for i, m in enumerate(REGEX_ARG.finditer(str(part)))]
        return names


ROUTE_ARG = re.compile(r"<(?:(\w+):)?(\w+)>")
REGEX_ARG = re.compile(r"\((?:\?P<(\w+)>)?[^)]*\)")


def walk(patterns=None, parts=(), namespace="") -> Iterator[Url]:
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}".strip(":") if p.namespace else namespace
            yield from walk(p.url_patterns, (*parts, p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = "".join(str(x) for x in (*parts, p.pattern))
            name = f"{namespace}:{p.name}".strip(":") if p.name else f"{namespace}:{route}".strip(":")
            yield Url(name=name, parts=(*parts, p.pattern), callback=p.callback)


def concrete_path(url: Url, values: dict[str, str]) -> str:
    out = []
    for part in url.parts:
        text = str(part)
        if isinstance(part, RoutePattern):
            text = ROUTE_ARG.sub(lambda m: values[m.group(2)], text)
        else:
            positions = iter(range(100))
            text = REGEX_ARG.sub(
                lambda m, positions=positions: values[m.group(1) or f"#{next(positions)}"], text
            )
            text = text.removeprefix("^").removesuffix("$").replace("\\", "")
        out.append(text)
    return "/" + "".join(out)


# --- Objects of the other organisations --------------------------------------------------------


def _first(qs):
    obj = qs.order_by("pk").first()
    return None if obj is None else obj


def admin_model_for(url: Url):
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if url.name.startswith(prefix):
            return model
    return None


class Victims:
    """Objects of one editor and one lab the acting role is no member of."""

    def __init__(self, *, editor, lab, world) -> None:
        self.editor, self.lab, self.world = editor, lab, world
        dossier = Dossier.objects.filter(editor=editor).order_by("-referenced_on", "pk").first()
        self.objects = {
            "dossier": dossier,
            "solution": _first(Solution.objects.filter(editor=editor)),
            "proof": _first(Proof.objects.filter(dossier=dossier)) if dossier else None,
            "proof_file": _first(ProofFile.objects.filter(proof__dossier__editor=editor)),
            "editor_quote": Quote.objects.filter(editor=editor)
            .order_by("-status", "pk")
            .first(),
            "signed_quote": _first(Quote.objects.filter(editor=editor, status=QuoteStatus.SIGNED))
            or _first(Quote.objects.filter(editor=editor)),
            "lab_quote": _first(Quote.objects.filter(client=lab).exclude(status=QuoteStatus.DRAFT)),
            "funding_request": _first(FundingRequest.objects.filter(editor=editor)),
            "notification": _first(
                Notification.objects.filter(recipient__memberships__organization__in=[editor, lab])
            ),
            "user": _first(User.objects.filter(memberships__organization=editor)),
            "alert": _first(QuoteAlert.objects.filter(client=lab, editor=editor)),
        }

    def pk(self, key: str) -> str | None:
        obj = self.objects.get(key)
        return None if obj is None else str(obj.pk)

    def admin_pk(self, model) -> str:
        preferred = {
            Dossier: "dossier",
            Quote: "editor_quote",
            FundingRequest: "funding_request",
            Solution: "solution",
            Notification: "notification",
        }
        if model in preferred and self.pk(preferred[model]):
            return self.pk(preferred[model])
        if not model._meta.managed:  # a page of figures dressed as a model: no table to read
            return "1"
        obj = model._default_manager.order_by("pk").first()
        return str(obj.pk) if obj is not None else "999999"


# kwarg → victim object, per URL name (prefix match, the longest wins).
SITE_ARGUMENTS = {
    "referencing:solution_version_add": {"pk": "solution"},
    "referencing:proof_file_download": {"pk": "proof_file"},
    "referencing:": {"pk": "dossier", "proof_pk": "proof"},
    "quotes:editor_": {"pk": "editor_quote"},
    "quotes:lab_": {"pk": "lab_quote"},
    "funding:": {"quote_pk": "signed_quote", "pk": "funding_request"},
    "notifications:": {"notification_id": "notification"},
    "alerts:": {"quote_pk": "lab_quote", "pk": "alert"},
    "api:editor-solution-": {"pk": "solution"},
    "api:editor-dossier-": {"pk": "dossier", "proof_pk": "proof"},
    "api:ans-dossier-": {"pk": "dossier", "proof_pk": "proof"},
    "api:editor-quote-": {"pk": "editor_quote"},
    "api:lab-quote-": {"pk": "lab_quote"},
    "api:editor-funding-request-": {"pk": "funding_request"},
    "api:asp-funding-request-": {"pk": "funding_request"},
}
LITERALS = {
    "action": "submit_proofs",
    "token": "jeton-inconnu-" + "0" * 20,
    "code": "SGL-V1",
    "app_label": "funding",
    "url": "inexistant/",
    "uidb64": "MQ",  # user 1, with the unknown token above: a set-password link that must not work
    # An answer's document: the request (pk) scopes it; the demo has no answered correction.
    "correction_pk": "1",
    "index": "0",
    "side": "new",
}


def arguments_for(url: Url, victims: Victims) -> dict[str, str] | None:
    """The URL's arguments pointing at the victims' objects; None when they have no such object."""
    values: dict[str, str] = {}
    model = admin_model_for(url) if url.is_admin else None
    mapping = next(
        (m for prefix, m in sorted(SITE_ARGUMENTS.items(), key=lambda kv: -len(kv[0]))
         if url.name.startswith(prefix)),
        {},
    )
    for arg in url.arguments:
        if arg in LITERALS:
            values[arg] = LITERALS[arg]
        elif url.is_admin:
            if url.name == "admin:referencing_dossier_proof_review" and arg == "proof_id":
                values[arg] = victims.pk("proof") or "999999"
            elif url.name == "admin:view_on_site" and arg == "content_type_id":
                from django.contrib.contenttypes.models import ContentType

                values[arg] = str(ContentType.objects.get_for_model(Quote).pk)
            elif url.name == "admin:auth_user_password_change":
                values[arg] = victims.pk("user") or "999999"
            elif arg == "#1":  # simple_history: the history row id
                values[arg] = "1"
            else:
                values[arg] = victims.admin_pk(model or Quote)
        elif arg in mapping:
            pk = victims.pk(mapping[arg])
            if pk is None:
                return None
            values[arg] = pk
        else:
            pytest.fail(
                f"URL {url.name} : l'argument « {arg} » n'a pas d'objet associé dans "
                "tests/security/test_permissions_matrix.py (SITE_ARGUMENTS ou LITERALS)."
            )
    return values


def victims_for(role: str, world) -> list[Victims]:
    editors = [e for e in (world.editor, world.editor2) if not (role == "editeur" and e == world.editor)
               and not (role == "editeur2" and e == world.editor2)]
    labs = [lab for lab in (world.lab, world.lab2) if not (role == "labo" and lab == world.lab)
            and not (role == "labo2" and lab == world.lab2)]
    # Pair them up so that each editor and each lab is tried at least once.
    count = max(len(editors), len(labs))
    return [
        Victims(editor=editors[i % len(editors)], lab=labs[i % len(labs)], world=world)
        for i in range(count)
    ]


# --- Snapshot of the business tables ---------------------------------------------------------


def snapshot(*, acting_user) -> dict[str, list]:
    """Every row of the tables that hold states, money, files and people, as plain values.

    The acting user's own notifications, preferences, tokens and calendar feeds are left out:
    "mark all as read" or "new API token" are theirs to change.
    """
    from django.apps import apps

    from segur_funding.organizations.models import Membership, Organization

    models = [
        Dossier, Proof, ProofFile, Solution, Quote, FundingRequest, Payment, Organization,
        Membership, User, Notification,
        apps.get_model("referencing", "SolutionVersion"),
        apps.get_model("referencing", "CorrectionRequest"),
        apps.get_model("referencing", "DossierEvent"),
        apps.get_model("quotes", "QuoteLine"),
        apps.get_model("quotes", "QuoteEvent"),
        apps.get_model("funding", "RequestEvent"),
        apps.get_model("funding", "CorrectionRequest"),
        apps.get_model("referential", "Dsr"),
        apps.get_model("referential", "FundingWindow"),
        apps.get_model("auth", "Group"),
        apps.get_model("organizations", "ApiToken"),
    ]
    for optional in ("NotificationPreference", "CalendarFeed"):
        try:
            models.append(apps.get_model("notifications", optional))
        except LookupError:
            pass
    rows = {}
    for model in models:
        qs = model._default_manager.all()
        owner = next(
            (f.name for f in model._meta.fields if f.name in ("recipient", "user")
             and f.related_model is User),
            None,
        )
        if acting_user is not None and owner:
            qs = qs.exclude(**{owner: acting_user})
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
        rows[model._meta.label] = list(qs.order_by("pk").values_list(*fields))
    return rows


# --- The matrix --------------------------------------------------------------------------------


def _client(world, role: str) -> Client:
    client = Client(raise_request_exception=False)
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return client


def _admin_rights(user, model) -> tuple[bool, bool]:
    """(may view, may change) this admin model, as the ModelAdmin itself decides."""
    if user is None or not user.is_staff or model is None:
        return False, False
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    model_admin = admin.site._registry[model]
    return model_admin.has_view_or_change_permission(request), model_admin.has_change_permission(request)


def _legitimate(role: str, url: Url) -> bool:
    return any(url.name.startswith(prefix) for prefix in (*LEGITIMATE.get(role, ()), *PUBLIC))


def _ask(client: Client, method: str, path: str):
    """One request in a savepoint: a server error's broken transaction (PostgreSQL) must not
    turn every later answer into an error too."""
    response = None
    try:
        with transaction.atomic():
            response = client.get(path) if method == "GET" else client.post(path, {})
    except DatabaseError:
        pass  # rolled back to the savepoint; the 500 is in `response`
    return response


def _refused(role: str, url: Url, response) -> bool:
    code = response.status_code
    if code in (404, 405):
        return True
    if role == "anonymous" or url.is_admin:
        if code == 302:
            target = response.headers.get("Location", "")
            # A staff member without the permission is sent back inside the admin.
            return "/connexion/" in target or target.startswith("/admin/")
        return code in (401, 403)
    return (url.is_api and code in (401, 403)) or (url.is_admin and code == 403)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.mark.parametrize("role", ROLES)
def test_no_role_reads_or_changes_another_organisations_objects(world, role):
    client = _client(world, role)
    user = world.user(role)
    urls = [u for u in walk() if u.name not in SKIPPED]
    before = snapshot(acting_user=user)
    problems: list[str] = []
    victims = victims_for(role, world)
    for url in urls:
        model = admin_model_for(url) if url.is_admin else None
        tried = set()
        # Admin pages are not scoped by organisation (reviewers see every row or none): one
        # victim is enough there; the site and the API are asked with each victim.
        has_object = any(arg not in LITERALS for arg in url.arguments)
        for victim in victims if has_object and not url.is_admin else victims[:1]:
            values = arguments_for(url, victim)
            if values is None:
                continue
            path = concrete_path(url, values)
            if path in tried:
                continue
            tried.add(path)
            may_view, may_change = _admin_rights(user, model)
            legit = _legitimate(role, url)
            for method in ("GET", "POST"):
                if method == "POST" and (may_change or legit):
                    continue  # a reviewer's own job: not a cross-organisation question
                # A reviewer who may read an admin model reads every organisation's rows: the
                # question there is only that nothing changes (the snapshot below).
                admin_ok = may_view
                response = _ask(client, method, path)
                where = f"{role} {method} {path} ({url.name}) → {response.status_code}"
                if response.status_code >= 500:
                    problems.append(f"{where} : erreur serveur")
                    continue
                if has_object and not (admin_ok or legit) and not _refused(role, url, response):
                    problems.append(f"{where} : un objet d'une autre organisation est accessible")
                if response.status_code == 200 and url.name not in NOT_DATA:
                    body = _body(response)
                    leaked = [m for m in FORBIDDEN_MARKERS[role] if m in body]
                    if leaked:
                        problems.append(f"{where} : affiche {', '.join(leaked)}")
                    if method == "GET" and "text/html" in response.get("Content-Type", ""):
                        problems += [f"{where} : {p}" for p in csp_problems(response, body)]
                if role != "anonymous" and world.user(role) and "_auth_user_id" not in client.session:
                    client.force_login(user)  # a view logged us out: keep asking as the role
    after = snapshot(acting_user=user)
    changed = [label for label in before if before[label] != after[label]]
    assert not problems, "\n".join(problems)
    assert not changed, f"{role} : lignes modifiées dans {', '.join(changed)}"


def test_every_url_argument_is_mapped(world):
    """Also a guard for new URLs: each argument must point at a real object of the demo."""
    victims = Victims(editor=world.editor, lab=world.lab, world=world)
    unmapped = [u.name for u in walk() if arguments_for(u, victims) is None]
    assert unmapped == [], unmapped
    assert len(list(walk())) > 150  # the admin and the API are in the walk


# --- Reviewers stay in their lane ------------------------------------------------------------


def test_ans_reviewer_cannot_touch_funding_requests_or_payments(world):
    client = _client(world, "ans")
    queued = FundingRequest.objects.filter(editor=world.editor, status="submitted").first()
    before = snapshot(acting_user=None)
    for name in ("valider", "a-modifier", "refuser", "versement", "facture"):
        response = client.post(
            f"/admin/funding/fundingrequest/{queued.pk}/{name}/",
            {"paid_on": date.today().isoformat(), "reference": "PIRATE", "comment": "x",
             "reasons": ["invoice"]},
        )
        assert response.status_code == 403, name
    response = client.post(
        "/admin/funding/fundingrequest/",
        {"action": "validate_selected", "_selected_action": [queued.pk]},
    )
    assert response.status_code == 403
    for path in ("/admin/funding/payment/", "/admin/funding/fundingrequest/", "/admin/quotes/quote/"):
        assert client.get(path).status_code == 403, path
    for name in ("validate", "send-back", "refuse", "payment"):
        response = client.post(
            f"/api/asp/funding-requests/{queued.pk}/{name}/",
            {"paid_on": "2022-06-20", "reference": "PIRATE", "comment": "x"},
            content_type="application/json",
        )
        assert response.status_code == 403, name
    assert snapshot(acting_user=None) == before


def test_asp_reviewer_cannot_grant_refuse_or_review_a_referencing(world):
    client = _client(world, "asp")
    dossier = Dossier.objects.get(editor=world.editor2)  # under review: every ANS move is open
    proof = dossier.proofs.first()
    before = snapshot(acting_user=None)
    for action in ("grant", "refuse", "start_review", "request_correction", "accept_submitted"):
        response = client.post(
            f"/admin/referencing/dossier/{dossier.pk}/instruction/{action}/",
            {"referenced_on": "2024-01-01", "comment": "x"},
        )
        assert response.status_code == 403, action
    response = client.post(
        f"/admin/referencing/dossier/{dossier.pk}/preuves/{proof.pk}/revue/", {"decision": "accept"}
    )
    assert response.status_code == 403
    response = client.post(
        "/admin/referencing/dossier/",
        {"action": "accept_submitted_proofs", "_selected_action": [dossier.pk]},
    )
    assert response.status_code in (200, 302, 403)  # the action is not offered: nothing done
    for action in ("grant", "refuse", "start-review", "accept-submitted-proofs", "eligibility"):
        response = client.post(
            f"/api/ans/dossiers/{dossier.pk}/{action}/",
            {"referenced_on": "2024-01-01", "comment": "x", "eligible": True},
            content_type="application/json",
        )
        assert response.status_code == 403, action
    assert snapshot(acting_user=None) == before


def test_editors_and_labs_never_reach_the_admin(world):
    for role in ("editeur", "editeur2", "labo", "labo2"):
        client = _client(world, role)
        response = client.get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response.headers["Location"]


# --- Headers on every page -------------------------------------------------------------------



def csp_problems(response, body: str) -> list[str]:
    """What the page's Content-Security-Policy would block: inline scripts without the page's
    nonce, inline event handlers whose hash the policy does not list."""
    policy = response.get("Content-Security-Policy", "")
    if "script-src" not in policy and "default-src 'none'" not in policy:
        return ["pas d'en-tête Content-Security-Policy"]
    problems = []
    nonces = set(NONCE.findall(policy))
    for attrs in SCRIPT.findall(body):
        if "src=" in attrs:
            continue
        found = re.search(r'nonce="([^"]+)"', attrs)
        if not found or found.group(1) not in nonces:
            problems.append("script en ligne sans le nonce de la page")
    # An inline event handler runs only if the policy lists its hash with 'unsafe-hashes'.
    for double, single in HANDLER.findall(body):
        code = double or single
        digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
        if "'unsafe-hashes'" not in policy or f"'sha256-{digest}'" not in policy:
            problems.append(f"gestionnaire d'événement en ligne « {code[:60]} »")
    return problems


def test_security_headers_on_a_page(world):
    response = _client(world, "editeur").get("/devis/editeur/nouveau/")
    policy = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'",
                      "base-uri 'self'", "form-action 'self'"):
        assert directive in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_nonce_changes_on_every_response(world):
    client = _client(world, "editeur")
    first = NONCE.findall(client.get("/devis/editeur/nouveau/")["Content-Security-Policy"])
    second = NONCE.findall(client.get("/devis/editeur/nouveau/")["Content-Security-Policy"])
    assert first and second and first != second


# --- CSRF everywhere ---------------------------------------------------------------------------


def test_every_post_without_the_csrf_token_is_refused(world):
    """A logged-in browser tricked into posting (no CSRF token) gets 403 on every URL, the
    API included (DRF enforces CSRF for session-authenticated requests)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["editeur"])
    victims = Victims(editor=world.editor, lab=world.lab, world=world)  # its own objects
    before = snapshot(acting_user=None)
    accepted = []
    for url in walk():
        if url.name in SKIPPED or url.name.startswith(PUBLIC):
            continue  # the public API ignores the session: no ambient authority to abuse
        values = arguments_for(url, victims)
        if values is None:
            continue
        path = concrete_path(url, values)
        response = _ask(client, "POST", path)
        # 415: once a page has set the CSRF cookie (the French CSRF-failure page carries the header's
        # logout form), DRF reads the body to look for the token, and a form body the API does not
        # parse is refused before anything runs (the snapshot below proves nothing changed).
        if response.status_code not in (403, 405, 415):
            accepted.append(f"{path} ({url.name}) → {response.status_code}")
    assert not accepted, "POST sans jeton CSRF accepté :\n" + "\n".join(accepted)
    assert snapshot(acting_user=None) == before


def test_no_site_view_is_exempt_from_csrf():
    exempt = []
    for url in walk():
        view = url.callback
        if getattr(view, "csrf_exempt", False) and not hasattr(view, "cls"):
            exempt.append(url.name)  # DRF views carry `cls` and check CSRF in SessionAuthentication
    assert exempt == []


def test_api_docs_page_runs_under_the_csp(client):
    """Swagger UI's default page starts itself with an inline script, which the policy blocks:
    the docs must be served by drf-spectacular's CSP-friendly view (its start script is a file
    of its own: SpectacularSwaggerSplitView)."""
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert csp_problems(response, _body(response)) == []
