"""The open corrections of an editor read from one index in calendar order (issue 17).

« Mon espace » shows an editor's first few open corrections in calendar order (dateless items by
their key, `funding-correction:<id>`, in "C" order). Reached through the requests « à modifier »,
that read meant hashing the editor's requests against every open correction of the programme
(6,234 rows at national scale, for 8 shown). The correction now carries its request's editor, and
a partial index over the open ones is keyed by (editor, id as text in "C" order): the first rows
of the index are the first corrections of the calendar.

The index exists on PostgreSQL only (SQLite has no "C" collation by that name, and the embedded
default never holds enough corrections for it to matter).
"""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "correction_editor_open_idx"


def editor_fill(apps, schema_editor):
    CorrectionRequest = apps.get_model("funding", "CorrectionRequest")
    FundingRequest = apps.get_model("funding", "FundingRequest")
    CorrectionRequest.objects.update(
        editor_id=models.Subquery(
            FundingRequest.objects.filter(pk=models.OuterRef("request_id")).values("editor_id")[:1]
        )
    )


def index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX {INDEX} ON funding_correctionrequest (editor_id, ((id)::text COLLATE "C"))'
            " WHERE resolved_at IS NULL"
        )


def index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("funding", "0010_mon_espace_indexes"),
        ("organizations", "0004_account_requests_admins_and_bank_accounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="correctionrequest",
            name="editor",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organizations.organization",
                verbose_name="éditeur",
            ),
        ),
        migrations.RunPython(editor_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="correctionrequest",
            name="editor",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organizations.organization",
                verbose_name="éditeur",
            ),
        ),
        migrations.RemoveIndex(model_name="correctionrequest", name="correction_open_idx"),
        migrations.RunPython(index_create, index_drop),
    ]
