"""A TLS endpoint's certificate, fetched without trusting it and read with `cryptography`.

Cameras are untrusted and often old: the handshake accepts any certificate (self-signed, expired, a 1024-bit key,
SHA-1) and TLS 1.0 upwards, because the point is to see what the device offers, not to talk to it. Nothing is
sent after the handshake. The read is bounded by the time limit and by OpenSSL's certificate-list limit
(100 KiB); a certificate larger than ``MAX_CERTIFICATE_BYTES`` is not parsed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ssl
from datetime import UTC
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

from collectors.base import Certificate, TlsEndpoint

MAX_CERTIFICATE_BYTES = 64 * 1024
_KEY_TYPES: tuple[tuple[type, str], ...] = (
    (rsa.RSAPublicKey, "RSA"),
    (ec.EllipticCurvePublicKey, "EC"),
    (dsa.DSAPublicKey, "DSA"),
    (ed25519.Ed25519PublicKey, "Ed25519"),
    (ed448.Ed448PublicKey, "Ed448"),
)


def _context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    # See what old firmware offers: the oldest TLS OpenSSL still speaks, every cipher, weak keys (security level 0).
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    context.set_ciphers("ALL:@SECLEVEL=0")
    return context


_CONTEXT = _context()


def _name(name: x509.Name) -> str:
    return name.rfc4514_string()[:300]


def _key(certificate: x509.Certificate) -> tuple[str, int | None]:
    try:
        key = certificate.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return "unknown", None
    for kind, label in _KEY_TYPES:
        if isinstance(key, kind):
            return label, getattr(key, "key_size", None) or (256 if label == "Ed25519" else 456)
    return "unknown", None


def _self_signed(certificate: x509.Certificate) -> bool:
    """Issued by itself: the issuer is the subject and its own key verifies the signature."""
    if certificate.issuer != certificate.subject:
        return False
    try:
        certificate.verify_directly_issued_by(certificate)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _signature_algorithm(certificate: x509.Certificate) -> str:
    oid = certificate.signature_algorithm_oid
    return getattr(oid, "_name", None) or oid.dotted_string


def read_certificate(der: bytes) -> Certificate:
    """What a DER certificate says; ValueError when it cannot be read."""
    if len(der) > MAX_CERTIFICATE_BYTES:
        raise ValueError(f"certificate of {len(der)} bytes is over the {MAX_CERTIFICATE_BYTES}-byte limit")
    certificate = x509.load_der_x509_certificate(der)
    key_type, key_bits = _key(certificate)
    return Certificate(
        subject=_name(certificate.subject),
        issuer=_name(certificate.issuer),
        not_before=certificate.not_valid_before_utc.astimezone(UTC),
        not_after=certificate.not_valid_after_utc.astimezone(UTC),
        key_type=key_type,
        key_bits=key_bits,
        signature_algorithm=_signature_algorithm(certificate),
        self_signed=_self_signed(certificate),
        sha256=hashlib.sha256(der).hexdigest(),
    )


async def _peer_der(host: str, port: int, timeout: float) -> bytes | None:
    async with asyncio.timeout(timeout):
        _reader, writer = await asyncio.open_connection(
            host, port, ssl=_CONTEXT, server_hostname="", ssl_handshake_timeout=timeout
        )
    try:
        secured = writer.get_extra_info("ssl_object")
        return secured.getpeercert(binary_form=True) if secured is not None else None
    finally:
        writer.transport.abort()
        with contextlib.suppress(OSError, ssl.SSLError):
            await writer.wait_closed()


async def probe(service: Literal["https", "rtsps"], host: str, port: int, timeout: float) -> TlsEndpoint | None:
    """The endpoint's certificate, or why there is none; None when nothing listens on the port."""
    try:
        der = await _peer_der(host, port, timeout)
    except ConnectionRefusedError:
        return None
    except TimeoutError:
        return TlsEndpoint(service, port, None, f"no TLS handshake within {timeout:g} s")
    except ssl.SSLError as error:
        return TlsEndpoint(service, port, None, f"TLS handshake failed ({error.reason or type(error).__name__})")
    except OSError as error:
        return TlsEndpoint(service, port, None, f"connection failed ({type(error).__name__})")
    if not der:
        return TlsEndpoint(service, port, None, "no certificate presented")
    try:
        return TlsEndpoint(service, port, read_certificate(der))
    except ValueError as error:
        return TlsEndpoint(service, port, None, f"certificate could not be read ({str(error)[:120]})")
