"""A death recorded in the registry ends the person's entitlements in the same transaction (see
``veterans.signals``): nobody is paid for a month after their death."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext

from benefits.entitlements import record_death
from veterans.search import id_lookup_hash
from veterans.signals import veteran_deceased


@receiver(veteran_deceased)
def end_entitlements_on_death(sender: Any, veteran: Any, actor: Any, **kwargs: Any) -> None:
    from core.crypto import decrypt

    id_hash = id_lookup_hash(decrypt(veteran.id_number_enc))
    with translation.override(settings.LANGUAGE_CODE):  # kept in the bureau's language, whoever records it
        source = gettext("the registry")
    record_death(actor=actor, id_hash=id_hash, died_on=veteran.deceased_on, source=source)
