"""Fill `Quote.next_step` for the quotes that existed before the column: the moves keep it from
now on. The answer is the one rule the moves call (`funding.rules.quote_next_step`), read on each
signed quote's requests, by batches of quote ids so that a national table (a million quotes) is
never held in memory. Quotes neither signed nor delivered keep the default (nothing waits)."""

from django.db import migrations

BATCH = 5000


def fill(apps, schema_editor):
    from segur_funding.funding.rules import quote_next_step

    Quote = apps.get_model("quotes", "Quote")
    FundingRequest = apps.get_model("funding", "FundingRequest")
    signed = Quote.objects.filter(status__in=("signed", "delivered"), origin="web").order_by("pk")
    last = 0
    while True:
        quotes = list(signed.filter(pk__gt=last).values_list("pk", "status", "origin")[:BATCH])
        if not quotes:
            return
        last = quotes[-1][0]
        statuses: dict[int, dict[str, str]] = {}
        for quote_id, milestone, status in FundingRequest.objects.filter(
            quote_id__in=[q[0] for q in quotes]
        ).values_list("quote_id", "milestone", "status"):
            statuses.setdefault(quote_id, {})[milestone] = status
        by_step: dict[str, list[int]] = {}
        for quote_id, status, origin in quotes:
            requests = statuses.get(quote_id, {})
            step = quote_next_step(
                quote_status=status,
                origin=origin,
                advance=requests.get("advance"),
                balance=requests.get("balance"),
            )
            by_step.setdefault(str(step), []).append(quote_id)
        for step, ids in by_step.items():
            if step:  # "" is the column's default already
                Quote.objects.filter(pk__in=ids).update(next_step=step)


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0004_fundingrequest_assigned_to"),
        ("quotes", "0005_quote_next_step"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
