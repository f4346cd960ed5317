"""Signal handlers that keep Weblink connections in step with the accounts they belong to."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from reports_admin.connection.models import WeblinkConnection


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def connection_delete_when_deactivated(sender: type, instance: Any, **kwargs: Any) -> None:
    """A deactivated account loses its Weblink connection and with it the stored tokens."""
    if not instance.is_active:
        WeblinkConnection.objects.filter(user=instance).delete()
