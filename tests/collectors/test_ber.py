"""The BER reader against pysnmp's own encoding, and against broken bytes."""

from __future__ import annotations

import pytest
from pyasn1.codec.ber import decoder, encoder
from pysnmp.proto import api, rfc1902, rfc1905

from collectors.ber import (
    COUNTER32,
    GET_RESPONSE,
    NO_SUCH_OBJECT,
    OCTET_STRING,
    TIME_TICKS,
    BerError,
    Value,
    read_message,
)
from collectors.snmp_wire import encode_get

V2C = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]


def response(varbinds: list[tuple[str, object]], request_id: int = 12345678) -> bytes:
    pdu = V2C.ResponsePDU()
    V2C.apiPDU.set_defaults(pdu)
    V2C.apiPDU.set_request_id(pdu, request_id)
    V2C.apiPDU.set_varbinds(pdu, varbinds)
    message = V2C.Message()
    V2C.apiMessage.set_defaults(message)
    V2C.apiMessage.set_community(message, b"public")
    V2C.apiMessage.set_pdu(message, pdu)
    return bytes(encoder.encode(message))


def test_reads_what_pysnmp_writes() -> None:
    data = response(
        [
            ("1.3.6.1.2.1.1.1.0", rfc1902.OctetString(b"camera")),
            ("1.3.6.1.2.1.1.2.0", rfc1902.ObjectIdentifier("1.3.6.1.4.1.39165.1")),
            ("1.3.6.1.2.1.1.3.0", rfc1902.TimeTicks(4294967295)),
            ("1.3.6.1.2.1.2.2.1.14.1", rfc1902.Counter32(7)),
        ]
    )
    message = read_message(data)
    assert (message.version, message.community, message.pdu_tag) == (1, b"public", GET_RESPONSE)
    assert message.request_id == 12345678 and message.error_status == 0
    assert message.varbinds == [
        ("1.3.6.1.2.1.1.1.0", Value(OCTET_STRING, b"camera")),
        ("1.3.6.1.2.1.1.2.0", Value(0x06, "1.3.6.1.4.1.39165.1")),
        ("1.3.6.1.2.1.1.3.0", Value(TIME_TICKS, 4294967295)),
        ("1.3.6.1.2.1.2.2.1.14.1", Value(COUNTER32, 7)),
    ]


def test_reads_absent_markers() -> None:
    message = read_message(response([("1.3.6.1.2.1.1.5.0", rfc1905.noSuchObject)]))
    assert message.varbinds == [("1.3.6.1.2.1.1.5.0", Value(NO_SUCH_OBJECT, None))]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-1],  # truncated
        lambda data: data + b"\x00",  # trailing byte
        lambda data: b"\x30\x80" + data[2:],  # indefinite length
        lambda data: b"\x1f" + data[1:],  # multi-byte tag
        lambda data: data[:2] + b"\x04" + data[3:],  # version is not an INTEGER
        lambda data: b"\x30\x84\xff\xff\xff\xff" + data[2:],  # length past the end
        lambda data: b"",
    ],
    ids=["truncated", "trailing", "indefinite", "multibyte-tag", "wrong-type", "huge-length", "empty"],
)
def test_broken_messages_are_refused(damage: object) -> None:
    data = response([("1.3.6.1.2.1.1.1.0", rfc1902.OctetString(b"camera"))])
    with pytest.raises(BerError):
        read_message(damage(data))  # type: ignore[operator]


def test_request_template_carries_the_request_id_and_oids() -> None:
    oids = ("1.3.6.1.2.1.1.1.0", "1.3.6.1.4.1.39165.1.1.0")
    for request_id in (0x0080_0000, 0x1234_5678, 0x7FFF_FFFF):
        message, _ = decoder.decode(encode_get(b"secret", oids, request_id), asn1Spec=V2C.Message())
        pdu = V2C.apiMessage.get_pdu(message)
        assert int(V2C.apiPDU.get_request_id(pdu)) == request_id
        assert bytes(V2C.apiMessage.get_community(message)) == b"secret"
        assert tuple(str(oid) for oid, _ in V2C.apiPDU.get_varbinds(pdu)) == oids
