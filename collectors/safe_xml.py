"""Parse an untrusted device answer: no DTD, no entities, no network, no huge trees."""

from __future__ import annotations

from lxml import etree

from collectors.errors import BadResponse

SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


def _parser() -> etree.XMLParser:
    # A fresh parser per document: lxml parsers are not safe to share across threads, and
    # building one costs microseconds.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_document(body: bytes) -> etree._Element:
    """Return the root element of body, refusing DTDs and entity declarations (BadResponse)."""
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise BadResponse("answer is not well-formed XML") from exc
    # Any DOCTYPE is refused, even one without entities: a camera has no reason to send one,
    # and it is the vehicle of billion-laughs and external-entity attacks.
    if root.getroottree().docinfo.doctype:
        raise BadResponse("answer carries a DTD")
    return root


def soap_body(body: bytes) -> etree._Element:
    """Return the first child of the SOAP Body of body (BadResponse if it is not a SOAP envelope)."""
    root = parse_document(body)
    namespace = etree.QName(root).namespace
    if etree.QName(root).localname != "Envelope" or namespace not in (SOAP12_ENV, SOAP11_ENV):
        raise BadResponse("answer is not a SOAP envelope")
    soap_body_element = root.find(f"{{{namespace}}}Body")
    if soap_body_element is None or len(soap_body_element) == 0:
        raise BadResponse("SOAP envelope has no body")
    return soap_body_element[0]
