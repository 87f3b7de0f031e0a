#!/usr/bin/env python3
"""Validates kiln-server's OpenAPI document, then every response a test collected from the
running server against what the document says of it: the status is documented for that
operation, the Content-Type is one of its media types, and a JSON body validates against its
schema (the response schemas allow no other properties, so a field the server sends that the
document lacks fails).

The document is checked against the OpenAPI 3.1 specification's own JSON Schema
(oas-3.1-schema.json beside this file), with python3-jsonschema (Debian's package).

Usage: check.py <openapi.json> <samples.json>; samples are
[{"method", "path" (the route's template), "status", "content_type", "body", "schema"?}], where
"schema" names a components schema for a response no operation describes (a 405).
Prints one line per problem and exits 1 when there is any.
"""
import json
import pathlib
import sys

import jsonschema
from jsonschema import Draft202012Validator

document_path, samples_path = sys.argv[1:3]
document = json.loads(pathlib.Path(document_path).read_text())
samples = json.loads(pathlib.Path(samples_path).read_text())
problems = []

oas_schema = json.loads((pathlib.Path(__file__).parent / "oas-3.1-schema.json").read_text())
for error in Draft202012Validator(oas_schema).iter_errors(document):
    where = "/".join(str(p) for p in error.absolute_path)
    problems.append(f"the document is not valid OpenAPI 3.1 at /{where}: {error.message}")

for name, schema in document.get("components", {}).get("schemas", {}).items():
    try:
        Draft202012Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        problems.append(f"components.schemas.{name} is not a JSON Schema 2020-12: {e.message}")


def pointer(*parts):
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def resolve(place):
    node = document
    for part in place.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        node = node.get(part) if isinstance(node, dict) else None
    return node


def deref(value, place):
    """A Reference Object of the document ("#/components/responses/NotFound") to its target and place."""
    while isinstance(value, dict) and "$ref" in value:
        place = value["$ref"][1:]
        value = resolve(place)
    return value, place


resolver = jsonschema.RefResolver(base_uri="kiln", referrer=document, store={"kiln": document})
for s in samples:
    what = f"{s['method']} {s['path']} -> {s['status']}"
    media_type = (s.get("content_type") or "").split(";")[0].strip()
    if s.get("schema"):
        place = pointer("components", "schemas", s["schema"])
    else:
        operation = document.get("paths", {}).get(s["path"], {}).get(s["method"].lower())
        if not operation:
            problems.append(f"{what}: the document has no operation {s['method'].lower()} under paths[\"{s['path']}\"]")
            continue
        responses = operation.get("responses", {})
        response, place = deref(responses.get(str(s["status"])),
                                pointer("paths", s["path"], s["method"].lower(), "responses", str(s["status"])))
        if not response:
            problems.append(f"{what}: status {s['status']} is not among the documented responses ({', '.join(responses)})")
            continue
        content = response.get("content", {})
        if not content:
            # A response documented without content (a 204) must have no body.
            if s["body"]:
                problems.append(f"{what}: the document gives this response no content, but it has a body")
            continue
        if media_type not in content:
            problems.append(f"{what}: Content-Type {media_type} is not documented ({', '.join(content) or 'no content'})")
            continue
        if media_type != "application/json":
            continue
        place = place + pointer("content", media_type, "schema")
    try:
        body = json.loads(s["body"])
    except ValueError as e:
        problems.append(f"{what}: the body is not JSON: {e}")
        continue
    validator = Draft202012Validator({"$ref": "kiln#" + place}, resolver=resolver)
    errors = [f"/{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    if errors:
        problems.append(f"{what}: the body does not match the documented schema: {'; '.join(errors)}\n  body: {s['body'][:2000]}")

for p in problems:
    print(p)
print(f"{len(samples)} responses checked, {len(problems)} problems")
sys.exit(1 if problems else 0)
