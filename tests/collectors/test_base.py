"""Targets, credentials and the error tree."""

from __future__ import annotations

import pytest

from collectors import AuthFailed, BadResponse, SnmpCredentials, Timeout, Unreachable, Unsupported
from collectors.errors import CollectorError
from collectors.mac import normalise_mac
from config.checks import CheckKind
from tests.collectors.conftest import PASSWORD, V3_AUTH_KEY, V3_PRIV_KEY, make_target


def test_target_repr_never_shows_secrets() -> None:
    credentials = SnmpCredentials(
        "3", community="public-ish", user="camfleet", auth_key=V3_AUTH_KEY, priv_key=V3_PRIV_KEY
    )
    target = make_target(snmp=credentials)
    shown = repr(target) + str(target) + repr(credentials)
    for secret in (PASSWORD, V3_AUTH_KEY, V3_PRIV_KEY, "public-ish"):
        assert secret not in shown
    assert "camfleet" in shown and "cam-test" in shown


def test_timeout_is_a_kind_of_unreachable() -> None:
    assert issubclass(Timeout, Unreachable)
    for error in (Unreachable, AuthFailed, BadResponse, Unsupported, Timeout):
        assert issubclass(error, CollectorError)


def test_check_kinds_are_the_contract() -> None:
    expected = ["reachability", "onvif_health", "onvif_identity", "snmp", "stream", "image", "recording", "security"]
    assert [kind.value for kind in CheckKind] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("AC:CC:8E:BE:CC:EA", "ac:cc:8e:be:cc:ea"),
        ("94-e1-ac-e4-6e-c7", "94:e1:ac:e4:6e:c7"),
        ("00047d36a54e", "00:04:7d:36:a5:4e"),
        ("not a mac", None),
        ("", None),
        (None, None),
    ],
)
def test_mac_normalised(raw: object, expected: str | None) -> None:
    assert normalise_mac(raw) == expected
