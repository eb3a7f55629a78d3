"""The REST API, mounted under /api/ (schema at /api/schema/, docs at /api/docs/).

One prefix per audience, like the web pages: `editor/` (éditeurs), `lab/` (laboratoires,
clients), `ans/` and `asp/` (instructeurs), `public/` (sans compte).
"""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from segur_funding.dashboard.apis import StatisticsView
from segur_funding.funding.apis import AspFundingRequestViewSet, EditorFundingRequestViewSet
from segur_funding.organizations.apis import ClientViewSet, MeView
from segur_funding.quotes.apis import (
    EditorQuoteViewSet,
    LabQuoteViewSet,
    PublicQuoteCheckView,
    QuoteCheckView,
)
from segur_funding.referencing.apis import (
    AnsDossierViewSet,
    EditorDossierViewSet,
    ReferencedSolutionViewSet,
    SolutionViewSet,
)
from segur_funding.referential.apis import DsrViewSet

router = SimpleRouter()
router.register("editor/solutions", SolutionViewSet, basename="editor-solution")
router.register("editor/dossiers", EditorDossierViewSet, basename="editor-dossier")
router.register("editor/quotes", EditorQuoteViewSet, basename="editor-quote")
router.register("editor/funding-requests", EditorFundingRequestViewSet, basename="editor-funding-request")
router.register("editor/clients", ClientViewSet, basename="editor-client")
router.register("lab/quotes", LabQuoteViewSet, basename="lab-quote")
router.register("ans/dossiers", AnsDossierViewSet, basename="ans-dossier")
router.register("asp/funding-requests", AspFundingRequestViewSet, basename="asp-funding-request")
router.register("public/solutions", ReferencedSolutionViewSet, basename="public-solution")
router.register("public/dsrs", DsrViewSet, basename="public-dsr")

app_name = "api"

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("lab/quote-check/", QuoteCheckView.as_view(), name="lab-quote-check"),
    path("public/quote-check/", PublicQuoteCheckView.as_view(), name="public-quote-check"),
    path("public/statistics/", StatisticsView.as_view(), name="public-statistics"),
    path("", include(router.urls)),
]
