"""Existing DRF tokens become hashed API tokens: each keeps working (its digest is computed from
the clear key, once, here), gets a year from today, and the clear keys are deleted."""

import hashlib
from datetime import timedelta

from django.db import migrations
from django.utils import timezone

LIFETIME = timedelta(days=365)  # organizations.constants.API_TOKEN_LIFETIME_DAYS at the time


def forwards(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("organizations", "ApiToken")
    expires_at = timezone.now() + LIFETIME
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=token.user_id,
            digest=hashlib.sha256(token.key.encode("utf-8")).hexdigest(),
            prefix=token.key[:8],
            created_at=token.created,
            expires_at=expires_at,
        )
        for token in Token.objects.all()
    )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0002_api_token_hashed"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    # Backwards: the clear keys are gone for good (that is the point); the hashed rows are
    # dropped with the table by 0002's reversal.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
