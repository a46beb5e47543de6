"""GeoReport v2's two wire formats, pure Python (json and xml.etree from the standard library).

A document is a list of flat records under a root element, each record an element named after its kind:
`<services><service>…</service></services>`, `<service_requests><request>…</request></service_requests>`,
`<errors><error>…</error></errors>`. JSON is the same list of objects. A field holding a list of records
(a service definition's `attributes`, an attribute's `values`) nests the same way: `<attributes><attribute>`.
None is JSON null and an empty XML element; booleans are `true` / `false` in both.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# A nested list's element names: the container's name → each item's name.
ITEM_NAMES = {"attributes": "attribute", "values": "value"}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: ET.Element, record: dict[str, Any]) -> None:
    for key, value in record.items():
        child = ET.SubElement(parent, key)
        if isinstance(value, list):
            for item in value:
                _fill(ET.SubElement(child, ITEM_NAMES.get(key, "item")), item)
        else:
            child.text = _text(value)


def to_xml(root: str, item: str | None, records: list[dict[str, Any]] | dict[str, Any]) -> bytes:
    """`item` None: one record directly under the root (a service definition)."""
    top = ET.Element(root)
    if item is None:
        assert isinstance(records, dict)
        _fill(top, records)
    else:
        assert isinstance(records, list)
        for record in records:
            _fill(ET.SubElement(top, item), record)
    return XML_DECLARATION + ET.tostring(top, encoding="unicode").encode()


def to_json(records: list[dict[str, Any]] | dict[str, Any]) -> bytes:
    return json.dumps(records, ensure_ascii=False).encode()


def render(fmt: str, root: str, item: str | None, records: Any) -> tuple[bytes, str]:
    """The body and its content type in `fmt` ("json" or "xml")."""
    body = to_json(records) if fmt == "json" else to_xml(root, item, records)
    return body, CONTENT_TYPES[fmt]
