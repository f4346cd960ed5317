from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from reports_admin.connection.encrypted_field import EncryptedTokenField
from reports_admin.connection.token_keys import UnreadableTokenError, configured_keys
from reports_admin.models import WeblinkConnection


class Command(BaseCommand):
    help = (
        "Re-encrypts every stored Weblink token with the newest key in WEBLINK_TOKEN_KEYS "
        "and the newest format (older formats bind less associated data), "
        "so that older keys can then be removed from the list."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        keys = configured_keys()
        if not keys:
            raise CommandError("WEBLINK_TOKEN_KEYS is not set: there is no key to rotate to.")
        fields = [
            field
            for field in WeblinkConnection._meta.concrete_fields
            if isinstance(field, EncryptedTokenField)
        ]
        total, changed, unreadable = 0, 0, []
        last_pk = 0
        while True:
            # One transaction per batch, with the rows locked, so that a person reconnecting
            # meanwhile is not overwritten by their old token.
            with transaction.atomic():
                batch = list(
                    WeblinkConnection.objects.select_for_update()
                    .filter(pk__gt=last_pk)
                    .order_by("pk")[:batch_size]
                )
                if not batch:
                    break
                rewritten = []
                for connection in batch:
                    try:
                        reencrypted = [field.reencrypt(connection) for field in fields]
                    except UnreadableTokenError:
                        unreadable.append(connection.pk)
                        continue
                    if any(reencrypted):
                        rewritten.append(connection)
                WeblinkConnection.objects.bulk_update(rewritten, [f.name for f in fields])
            total += len(batch)
            changed += len(rewritten)
            last_pk = batch[-1].pk

        self.stdout.write(
            f"Connections: {total}; re-encrypted with key {keys[0].id!r}: {changed}; "
            f"already on it: {total - changed - len(unreadable)}; unreadable: {len(unreadable)}."
        )
        if unreadable:
            ids = ", ".join(str(pk) for pk in unreadable)
            self.stdout.write(
                self.style.WARNING(
                    f"No configured key can read the connections with ids {ids}; they were "
                    "left as they are and their owners must connect again."
                )
            )
