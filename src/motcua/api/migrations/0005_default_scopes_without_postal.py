"""Tokens that got every scope by default (migration 0004, or created without naming scopes)
lose ``postal``: with it any such token could report deliveries as the postal service. A token
issued with chosen scopes (the postal partner's ``--scope postal``) keeps them."""

from typing import Any

from django.db import migrations

# The default before this migration: every scope but payment_callback.
OLD_DEFAULT = {"read", "intake", "process", "postal", "catalog"}


def postal_drop(apps: Any, schema_editor: Any) -> None:
    ApiToken = apps.get_model("api", "ApiToken")
    for token in ApiToken.objects.all():
        if set(token.scopes or ()) == OLD_DEFAULT:
            token.scopes = [s for s in token.scopes if s != "postal"]
            token.save(update_fields=["scopes"])


class Migration(migrations.Migration):
    dependencies = [("api", "0004_token_scopes")]

    operations = [migrations.RunPython(postal_drop, migrations.RunPython.noop, elidable=True)]
