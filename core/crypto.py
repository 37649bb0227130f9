"""Field encryption and keyed hashes for personal data (ID numbers, phones).

Both keys are derived from ``FIELD_ENCRYPTION_KEY`` with HKDF, one per purpose.
Values are encrypted with AES-GCM under a fresh nonce, so the same ID number
never encrypts to the same text; look-ups go through an HMAC of the value
(or of its last digits), which cannot be reversed without the key.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import os
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

VERSION = "v1"


@functools.lru_cache(maxsize=4)
def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"laobing-field-keys", info=purpose).derive(secret.encode())


@functools.lru_cache(maxsize=4)
def _aead_for(secret: str) -> AESGCM:
    return AESGCM(_derive(secret, b"encrypt"))


def _aead() -> AESGCM:
    return _aead_for(settings.FIELD_ENCRYPTION_KEY)


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(12)
    sealed = _aead().encrypt(nonce, plaintext.encode(), VERSION.encode())
    return f"{VERSION}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    version, _, body = token.partition(":")
    if version != VERSION:
        raise ValueError(f"unknown encryption version {version!r}")
    raw = base64.b64decode(body)
    return _aead().decrypt(raw[:12], raw[12:], VERSION.encode()).decode()


def decrypt_many(tokens: list[str]) -> list[str]:
    """``decrypt`` of each, with the key looked up once; an empty value stays empty (a list page's phones)."""
    aead, version, b64decode = _aead(), VERSION.encode(), binascii.a2b_base64
    prefix = f"{VERSION}:"
    found = []
    for token in tokens:
        if not token:
            found.append("")
            continue
        if not token.startswith(prefix):
            raise ValueError(f"unknown encryption version {token.partition(':')[0]!r}")
        raw = b64decode(token[len(prefix) :])
        found.append(aead.decrypt(raw[:12], raw[12:], version).decode())
    return found


@functools.lru_cache(maxsize=4)
def _hash_key(secret: str) -> bytes:
    return _derive(secret, b"hash")


def keyed_hash(value: str, purpose: str) -> str:
    """HMAC-SHA256 of ``value``; ``purpose`` keeps the hashes of different fields apart."""
    return hmac.digest(_hash_key(settings.FIELD_ENCRYPTION_KEY), f"{purpose}\x00{value}".encode(), "sha256").hex()


def keyed_hasher() -> Callable[[str, str], str]:
    """``keyed_hash`` with the key looked up once, for a loop over many values (an import).

    The hashes of short values are kept: the last 4 or 5 digits of 100,000 ID numbers and phones take
    at most 10,000 and 100,000 values, most of them many times over."""
    key, digest = _hash_key(settings.FIELD_ENCRYPTION_KEY), hmac.digest
    short: dict[str, str] = {}

    def keyed(value: str, purpose: str) -> str:
        message = f"{purpose}\x00{value}"
        if len(value) > 5:
            return digest(key, message.encode(), "sha256").hex()
        found = short.get(message)
        if found is None:
            found = short[message] = digest(key, message.encode(), "sha256").hex()
        return found

    return keyed


def encrypter() -> Callable[[str], str]:
    """``encrypt`` with the key looked up once."""
    aead, version, urandom, b64encode = _aead(), VERSION.encode(), os.urandom, base64.b64encode
    prefix = f"{VERSION}:"

    def seal(plaintext: str) -> str:
        nonce = urandom(12)
        return prefix + b64encode(nonce + aead.encrypt(nonce, plaintext.encode(), version)).decode()

    return seal


class EncryptedTextField(models.TextField):
    """Text kept only encrypted at rest (a grid leader's or a station's phone): ``encrypt`` on the way in,
    ``decrypt`` on the way out, so the model and its forms see the plain value. Empty stays empty.

    A look-up cannot go through it: each encryption has a fresh nonce, so ``filter(phone=…)`` matches
    nothing but the empty value. A value that must be found is kept as a keyed hash beside it."""

    def from_db_value(self, value: str | None, expression: object, connection: object) -> str | None:
        return decrypt(value) if value else value

    def get_prep_value(self, value: object) -> object:
        value = super().get_prep_value(value)
        return encrypt(value) if isinstance(value, str) and value else value


def is_encrypted(value: str) -> bool:
    """Whether a stored value is already ``encrypt``'s output (a data migration runs once per row)."""
    return value.startswith(f"{VERSION}:")


def encrypt_column(model: type[models.Model], field: str) -> int:
    """A data migration's step: encrypt the plain values of ``field`` (a text column still without
    EncryptedTextField in the migration's state); a value already encrypted is left, so it runs once."""
    seal = encrypter()
    done = 0
    rows = model._default_manager.exclude(**{field: ""}).values_list("pk", field)
    for pk, value in rows.iterator(chunk_size=2000):
        if value and not is_encrypted(value):
            model._default_manager.filter(pk=pk).update(**{field: seal(value)})
            done += 1
    return done


def decrypt_column(model: type[models.Model], field: str) -> int:
    """The reverse of ``encrypt_column``."""
    done = 0
    rows = model._default_manager.exclude(**{field: ""}).values_list("pk", field)
    for pk, value in rows.iterator(chunk_size=2000):
        if value and is_encrypted(value):
            model._default_manager.filter(pk=pk).update(**{field: decrypt(value)})
            done += 1
    return done
