"""A person may hold one connection per company.

Existing rows carry over as they are: each token's ciphertext is bound to its owner and
company (EncryptedTokenField's associated data), neither of which changes, so nothing is
encrypted again.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports_admin", "0009_activity_previewed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="weblinkconnection",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="weblink_connections",
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
            ),
        ),
        migrations.AlterModelOptions(
            name="weblinkconnection",
            options={
                "ordering": ["company"],
                "verbose_name": "Weblink connection",
                "verbose_name_plural": "Weblink connections",
            },
        ),
        migrations.AddConstraint(
            model_name="weblinkconnection",
            constraint=models.UniqueConstraint(
                fields=("user", "company"), name="one_connection_per_company"
            ),
        ),
    ]
