"""Many more rows, quickly (bulk inserts), to show that pages keep their number of queries."""

from decimal import Decimal

from django.utils import timezone


def add_volume(demo, *, rows: int, referenced: bool = False) -> None:
    """`rows` more dossiers (under review, or referenced), signed quotes and paid advances,
    spread over the demo editors, labs and DSRs."""
    from segur_funding.funding.constants import Milestone, RequestStatus
    from segur_funding.funding.models import FundingRequest, Payment
    from segur_funding.organizations.constants import OrganizationKind
    from segur_funding.organizations.models import Organization
    from segur_funding.quotes.models import Quote, QuoteOrigin, QuoteStatus
    from segur_funding.referencing.constants import DossierStatus
    from segur_funding.referencing.models import Dossier, Solution, SolutionVersion
    from segur_funding.referential.models import Dsr

    now = timezone.now()
    editors = [demo.orgs["editor"], demo.orgs["editor2"]]
    labs = [demo.orgs["lab"], demo.orgs["lab2"]]
    dsrs = list(Dsr.objects.filter(code__in=["SGL-V1", "LOINC-V1"]))
    user = demo.users["editeur"]

    Organization.objects.bulk_create(
        Organization(kind=OrganizationKind.CLIENT, name=f"Laboratoire volume {i}", geographic_sites=1 + i)
        for i in range(rows)
    )
    solutions = Solution.objects.bulk_create(
        Solution(editor=editors[i % 2], name=f"Volume {i}") for i in range(rows)
    )
    versions = SolutionVersion.objects.bulk_create(
        SolutionVersion(solution=s, label="1.0", obsolete_versions="Aucune") for s in solutions
    )
    Dossier.objects.bulk_create(
        Dossier(
            editor_id=v.solution.editor_id,
            solution_version=v,
            dsr=dsrs[i % len(dsrs)],
            status=DossierStatus.REFERENCED if referenced else DossierStatus.UNDER_REVIEW,
            created_by=user,
            contact_name="Volume",
            contact_email="volume@demo.test",
            candidature_submitted_at=now,
            decided_at=now if referenced else None,
            referenced_on=timezone.localdate() if referenced else None,
            referencing_number=f"VOL-{i:05d}" if referenced else None,
        )
        for i, v in enumerate(versions)
    )
    quotes = Quote.objects.bulk_create(
        Quote(
            origin=QuoteOrigin.WEB,
            number=f"VOL-{i:05d}",
            editor=editors[i % 2],
            client=labs[i % 2],
            dsr=dsrs[i % len(dsrs)],
            status=QuoteStatus.SIGNED,
            verdict="conform",
            check_report={"state_funding_ttc": "3500.00", "client_remainder_ttc": "0.00"},
        )
        for i in range(rows)
    )
    requests = FundingRequest.objects.bulk_create(
        FundingRequest(
            quote=q,
            editor_id=q.editor_id,
            milestone=Milestone.ADVANCE,
            status=RequestStatus.PAID,
            funded_amount=Decimal("3500.00"),
            amount=Decimal("1050.00"),
            submitted_at=now,
            decided_at=now,
        )
        for q in quotes
    )
    Payment.objects.bulk_create(
        Payment(
            request=r,
            quote_id=r.quote_id,
            milestone=Milestone.ADVANCE,
            amount=r.amount,
            paid_on=timezone.localdate(),
            reference=f"VOL-{r.pk}",
        )
        for r in requests
    )
