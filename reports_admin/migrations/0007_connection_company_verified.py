from django.db import migrations, models


def _pasted_tokens_unverified(apps, schema_editor):
    # A connection with no Weblink user name came from a pasted token: its company was typed.
    connections = apps.get_model("reports_admin", "WeblinkConnection")
    connections.objects.filter(username="").update(company_verified=False)


class Migration(migrations.Migration):
    dependencies = [
        ("reports_admin", "0006_bulk_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="weblinkconnection",
            name="company_verified",
            field=models.BooleanField(default=True, verbose_name="company verified"),
        ),
        migrations.RunPython(_pasted_tokens_unverified, migrations.RunPython.noop),
    ]
