"""A model field that stores a Weblink token encrypted, bound to its owner, company and field."""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from reports_admin.connection.token_keys import (
    FORMAT_VERSION,
    UnreadableTokenError,
    configured_keys,
    decrypt_token,
    encrypt_token,
    is_ciphertext,
    key_id_of,
    version_of,
)


class EncryptedTokenField(models.TextField):
    """A token kept encrypted, bound (as AES-GCM associated data) to the owner's id in
    ``associated_data_field``, the company in ``company_field`` and this field's name, so a
    ciphertext copied to another row, company or field does not decrypt. (Ciphertexts of
    format v1 bind the owner alone; they are still read, and rotate_token_keys rewrites them.)

    The column and the instance attribute ``<name>_ciphertext`` hold only ciphertext, so
    save(), refresh_from_db(), querysets and bulk_update() move ciphertext and never the
    token. The attribute ``<name>`` encrypts on write and decrypts on read; a stored value
    that no configured key can read (unknown key, tampered, another owner's) reads as None,
    and ``is_unreadable`` tells that apart from no token at all.
    """

    def __init__(
        self, *args: Any, associated_data_field: str, company_field: str = "company", **kwargs: Any
    ) -> None:
        self.associated_data_field = associated_data_field
        self.company_field = company_field
        # Never in a form or the admin: there is nothing a person should see or type there.
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        kwargs["associated_data_field"] = self.associated_data_field
        if self.company_field != "company":
            kwargs["company_field"] = self.company_field
        return name, path, args, kwargs

    def get_attname(self) -> str:
        return f"{self.name}_ciphertext"

    def contribute_to_class(self, cls: type[models.Model], name: str, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, **kwargs)
        setattr(cls, self.name, _TokenAttribute(self))

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        # A guard for update(access_token=...) and the like, which bypass the attribute.
        if value and not is_ciphertext(value):
            raise ValueError(
                f"{self.name} stores only ciphertext: set the token through the model attribute."
            )
        return value

    def read(self, instance: models.Model) -> str | None:
        """The token, or None when none is stored; UnreadableTokenError when no key reads it."""
        ciphertext = getattr(instance, self.attname)
        if not ciphertext:
            return None
        # Decrypted once per instance, ciphertext and owner: a page checks and uses a token
        # several times.
        cache_name = f"_{self.name}_decrypted"
        associated_data = self._associated_data(instance, version_of(ciphertext))
        cached = instance.__dict__.get(cache_name)
        if cached is not None and cached[:2] == (ciphertext, associated_data):
            return cached[2]
        token = decrypt_token(ciphertext, associated_data=associated_data)
        instance.__dict__[cache_name] = (ciphertext, associated_data, token)
        return token

    def write(self, instance: models.Model, token: str | None) -> None:
        """Encrypts ``token`` with the newest key for the instance's owner (None clears it)."""
        ciphertext = (
            encrypt_token(token, associated_data=self._associated_data(instance, FORMAT_VERSION))
            if token
            else None
        )
        setattr(instance, self.attname, ciphertext)

    def is_unreadable(self, instance: models.Model) -> bool:
        """Whether a token is stored that no configured key can read."""
        try:
            self.read(instance)
        except UnreadableTokenError:
            return True
        return False

    def reencrypt(self, instance: models.Model) -> bool:
        """Re-encrypts the stored token with the newest key and format; False when already so.

        Raises UnreadableTokenError, leaving the value as it is, when no key can read it.
        """
        token = self.read(instance)
        if token is None:
            return False
        ciphertext = getattr(instance, self.attname)
        newest = (key_id_of(ciphertext), version_of(ciphertext))
        if newest == (configured_keys()[0].id, FORMAT_VERSION):
            return False
        self.write(instance, token)
        return True

    def _associated_data(self, instance: models.Model, version: str) -> bytes:
        owner_id = getattr(instance, self.associated_data_field)
        if owner_id is None:
            raise ValueError(
                f"Set {self.associated_data_field} before {self.name}: the token is bound to it."
            )
        if version == "v1":
            return str(owner_id).encode()
        company = getattr(instance, self.company_field) or ""
        # JSON: no two different tuples give the same bytes.
        return json.dumps([version, str(owner_id), company, self.name]).encode()


class _TokenAttribute:
    """The model attribute that reads and writes the token through its field."""

    def __init__(self, field: EncryptedTokenField) -> None:
        self.field = field

    def __get__(self, instance: models.Model | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        try:
            return self.field.read(instance)
        except UnreadableTokenError:
            return None

    def __set__(self, instance: models.Model, token: str | None) -> None:
        self.field.write(instance, token)
