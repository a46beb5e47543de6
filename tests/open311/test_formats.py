"""The wire formats (GeoReport v2): XML with the UTF-8 declaration and nested lists, JSON lists, errors."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from gongzhi.open311.errors import Open311Error
from gongzhi.open311.formats import CONTENT_TYPES, render, to_xml


def test_xml_list_of_records_with_none_and_booleans():
    body = to_xml("services", "service", [{"service_code": "safety", "metadata": True, "description": None}])
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(body)
    service = root.find("service")
    assert root.tag == "services" and service is not None
    assert [(c.tag, c.text) for c in service] == [
        ("service_code", "safety"),
        ("metadata", "true"),
        ("description", None),
    ]


def test_xml_single_record_with_nested_attributes_and_values():
    record = {
        "service_code": "x",
        "attributes": [{"code": "severity", "values": [{"key": "major", "name": "重大"}]}],
    }
    root = ET.fromstring(to_xml("service_definition", None, record))
    assert root.findtext("service_code") == "x"
    assert root.findtext("attributes/attribute/code") == "severity"
    assert root.findtext("attributes/attribute/values/value/name") == "重大"


def test_json_keeps_chinese_and_nulls():
    body, content_type = render("json", "services", "service", [{"service_name": "安全", "lat": None}])
    assert content_type == CONTENT_TYPES["json"] and "安全".encode() in body
    assert json.loads(body) == [{"service_name": "安全", "lat": None}]


def test_error_records_carry_the_http_status_as_code():
    failure = Open311Error(403, "no", "api_key_invalid")
    body, content_type = render("xml", "errors", "error", failure.records())
    root = ET.fromstring(body)
    assert content_type.startswith("text/xml")
    assert (root.tag, root.findtext("error/code"), root.findtext("error/description")) == (
        "errors",
        "403",
        "no",
    )
