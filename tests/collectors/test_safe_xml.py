"""The safe parser refuses DTDs, entities and garbage before anything reads them."""

from __future__ import annotations

import pytest

from collectors.errors import BadResponse
from collectors.safe_xml import parse_document, soap_body
from tests.peers.hostile import BILLION_LAUGHS, EXTERNAL_ENTITY, HTML_ERROR
from tests.peers.onvif_replay import system_date_and_time


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS,
        EXTERNAL_ENTITY,
        b"\x00\xff garbage",
        b"",
        b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd"><x/>',
    ],
    ids=["billion-laughs", "external-entity", "garbage", "empty", "external-dtd"],
)
def test_hostile_documents_are_refused(body: bytes) -> None:
    with pytest.raises(BadResponse):
        parse_document(body)


def test_html_is_not_a_soap_envelope() -> None:
    with pytest.raises(BadResponse, match="not a SOAP envelope"):
        soap_body(HTML_ERROR)


def test_soap_body_returns_the_answer_element() -> None:
    from datetime import UTC, datetime

    element = soap_body(system_date_and_time(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)))
    assert element.tag == "{http://www.onvif.org/ver10/device/wsdl}GetSystemDateAndTimeResponse"
