"""Certificates for simulated cameras, made at run time with `cryptography` (nothing private is kept in the
repository): self-signed or issued by a test authority, expired, ending soon, with a weak key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True, slots=True)
class Made:
    """A certificate and its key as PEM, as a camera would load them."""

    certificate_pem: bytes
    key_pem: bytes
    not_after: datetime


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key(rsa_bits: int | None) -> PrivateKey:
    if rsa_bits is None:
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)


def make_certificate(
    common_name: str,
    *,
    valid_for: timedelta = timedelta(days=365),
    ended_ago: timedelta | None = None,
    rsa_bits: int | None = 2048,
    issuer: tuple[str, PrivateKey] | None = None,
) -> Made:
    """A certificate for common_name: valid from a year ago for ``valid_for`` from now, or ended ``ended_ago``;
    self-signed unless an issuer (its name and key) signs it; RSA of ``rsa_bits`` or EC P-256 when None."""
    key = _key(rsa_bits)
    now = datetime.now(UTC).replace(microsecond=0)
    not_after = now - ended_ago if ended_ago is not None else now + valid_for
    signer_name, signer_key = issuer if issuer is not None else (common_name, key)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(signer_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=400))
        .not_valid_after(not_after)
        .sign(signer_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return Made(certificate.public_bytes(serialization.Encoding.PEM), key_pem, not_after)


def make_authority(common_name: str = "Gemeente Test CA") -> tuple[str, PrivateKey]:
    """A signing name and key for certificates that are not self-signed."""
    return common_name, _key(None)
