"""Request and answer bodies of the PBX API, in its two payload formats (JSON and XML)."""

from __future__ import annotations

import json
from typing import Any, Final
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml

from .errors import PbxResponseError

# An answer nested deeper than this is not one the PBX's API gives.
MAX_ANSWER_DEPTH: Final = 32


def encode_xml(fields: dict[str, str]) -> bytes:
    """Encode a request body the way the PBX's ``type=xml`` examples show it."""
    elements = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields.items())
    return f'<?xml version="1.0" encoding="UTF-8" ?><xml>{elements}</xml>'.encode()


def decode_xml(raw: bytes) -> dict[str, Any]:
    """Decode an XML answer into the same shape as its JSON twin.

    ``defusedxml`` refuses document type declarations, in whatever encoding they come: PBX answers
    never need one, and entity-expansion attacks ("billion laughs") are built from them.
    """
    try:
        root = parse_xml(raw, forbid_dtd=True)
    except DefusedXmlException:
        raise PbxResponseError("the PBX answered XML with a document type declaration") from None
    except (ParseError, ValueError, LookupError) as err:  # LookupError: an unknown encoding
        raise PbxResponseError(f"the PBX answered malformed XML: {err}") from None
    value = _xml_value(root, 0)
    if not isinstance(value, dict):
        raise PbxResponseError("the PBX answered XML without fields")
    return value


def _xml_value(element: Element, depth: int) -> Any:
    if depth > MAX_ANSWER_DEPTH:
        raise PbxResponseError("the PBX answered XML nested deeper than its API does")
    children = list(element)
    if not children:
        return (element.text or "").strip()
    if all(child.tag == "item" for child in children):
        return [_xml_value(child, depth + 1) for child in children]
    fields: dict[str, Any] = {}
    for child in children:
        value = _xml_value(child, depth + 1)
        if child.tag in fields:
            previous = fields[child.tag]
            fields[child.tag] = (
                [*previous, value] if isinstance(previous, list) else [previous, value]
            )
        else:
            fields[child.tag] = value
    return fields


def decode_json(raw: bytes) -> dict[str, Any]:
    """Decode a JSON answer that must be an object."""
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise PbxResponseError("the PBX answered something that is not JSON") from None
    if not isinstance(value, dict):
        raise PbxResponseError("the PBX answered JSON that is not an object")
    return value
