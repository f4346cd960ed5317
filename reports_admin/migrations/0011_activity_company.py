"""The activity log says which Weblink company each entry acted on.

An entry from before takes its person's company when they have exactly one connection (all
they could have had then); otherwise it is left blank rather than guessed.
"""

from django.db import migrations, models
from django.db.models import Count


def fill_company(apps, schema_editor):
    Activity = apps.get_model("reports_admin", "Activity")
    WeblinkConnection = apps.get_model("reports_admin", "WeblinkConnection")
    single = (
        WeblinkConnection.objects.values("user_id")
        .annotate(count=Count("id"))
        .filter(count=1)
        .values_list("user_id", flat=True)
    )
    companies = dict(
        WeblinkConnection.objects.filter(user_id__in=list(single)).values_list("user_id", "company")
    )
    for user_id, company in companies.items():
        Activity.objects.filter(user_id=user_id, company="").update(company=company)


class Migration(migrations.Migration):
    dependencies = [
        ("reports_admin", "0010_connections_per_company"),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="company",
            field=models.CharField(
                blank=True, db_index=True, default="", max_length=100, verbose_name="company"
            ),
        ),
        migrations.RunPython(fill_company, migrations.RunPython.noop),
    ]
