"""Encryption of device credentials at rest (Fernet), keyed by the secret key or a generated key file."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from config.settings import Settings


class CredentialKeyError(Exception):
    """The stored credentials cannot be decrypted with this key (the key changed or the file is damaged)."""


def _derive(secret: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"camfleet device credentials").derive(
        secret.encode()
    )
    return base64.urlsafe_b64encode(raw)


def load_key(settings: Settings) -> bytes:
    """The Fernet key: derived from ``secret_key``, else read from (or first created in) the key file."""
    if settings.secret_key is not None:
        return _derive(settings.secret_key.get_secret_value())
    path = settings.key_file
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    # O_EXCL: two processes starting at once must not each write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    return key


class CredentialCipher:
    """Encrypts and decrypts a small JSON document of secrets."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)
        # A key of its own for fingerprints, from the same secret: comparing passwords never needs them in clear.
        self._fingerprint_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"camfleet password fingerprints"
        ).derive(base64.urlsafe_b64decode(key))

    def fingerprint(self, secret: str) -> str:
        """A keyed hash (HMAC-SHA256) of a secret: equal secrets give equal fingerprints, and without the key
        nobody can test a guess against it."""
        return hmac.new(self._fingerprint_key, secret.encode(), hashlib.sha256).hexdigest()

    def encrypt(self, secrets: dict[str, Any]) -> bytes:
        """Encrypt a mapping of secret values."""
        return self._fernet.encrypt(json.dumps(secrets, sort_keys=True).encode())

    def decrypt(self, token: bytes) -> dict[str, Any]:
        """Decrypt what :meth:`encrypt` produced."""
        try:
            value: dict[str, Any] = json.loads(self._fernet.decrypt(token))
        except InvalidToken as exc:
            raise CredentialKeyError(
                "device credentials cannot be decrypted: the secret key or key file has changed"
            ) from exc
        return value
