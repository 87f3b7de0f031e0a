#!/usr/bin/python3
"""Checks Kubernetes manifests against the official Kubernetes Python client's models.

Usage: strict_manifest_check.py FILE...   (JSON, or YAML with any number of documents)

Each document's apiVersion and kind name its model (v1 Pod -> V1Pod,
rbac.authorization.k8s.io/v1 Role -> V1Role, ...). The client deserializes leniently: fields its
models do not know are dropped without a word. So every key is walked here against each model's
attribute_map and openapi_types, recursively, and any unknown field or wrongly typed value
fails; then the client's own deserialization into the model must succeed (it enforces required
fields). Problems are printed one a line, prefixed with the document's path: the kind in lower
case ("pod.spec...") for a file of one document, "kind/name" otherwise. Exit 0 when there are
none, 1 otherwise. Run with /usr/bin/python3: Debian's python3-kubernetes lives there.
"""
import json
import re
import sys

import kubernetes.client
import yaml
from kubernetes.client import models

PRIMITIVES = {"str": str, "int": int, "bool": bool, "float": (int, float), "object": object,
              "date": str, "datetime": str}


def check(value, type_name, path, problems):
    if type_name.startswith("list["):
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list ({type_name})")
            return
        for i, item in enumerate(value):
            check(item, type_name[5:-1], f"{path}[{i}]", problems)
        return
    if type_name.startswith("dict("):
        inner = re.match(r"dict\(([^,]*), (.*)\)$", type_name).group(2)
        if not isinstance(value, dict):
            problems.append(f"{path}: expected a map ({type_name})")
            return
        for key, item in value.items():
            check(item, inner, f"{path}[{key!r}]", problems)
        return
    if type_name in PRIMITIVES:
        expected = PRIMITIVES[type_name]
        # bool is an int in Python; the API server would reject true for an integer field.
        if (type_name in ("int", "float") and isinstance(value, bool)) or not isinstance(value, expected):
            problems.append(f"{path}: expected {type_name}, got {type(value).__name__} {value!r}")
        return
    model = getattr(models, type_name, None)
    if model is None:
        problems.append(f"{path}: unknown model type {type_name}")
        return
    if not isinstance(value, dict):
        problems.append(f"{path}: expected an object ({type_name})")
        return
    by_json_name = {json_name: attr for attr, json_name in model.attribute_map.items()}
    for key, item in value.items():
        if key not in by_json_name:
            problems.append(f"{path}.{key}: unknown field of {type_name}")
            continue
        check(item, model.openapi_types[by_json_name[key]], f"{path}.{key}", problems)


class _Response:
    def __init__(self, data):
        self.data = data


def model_name(doc):
    """V1Pod for apiVersion v1 and kind Pod; V1Role for rbac.authorization.k8s.io/v1 and Role."""
    version = str(doc.get("apiVersion", "")).rsplit("/", 1)[-1]
    return version[:1].upper() + version[1:] + str(doc.get("kind", ""))


def check_document(doc, path, problems):
    if not isinstance(doc, dict) or "apiVersion" not in doc or "kind" not in doc:
        problems.append(f"{path}: not a Kubernetes object (no apiVersion and kind)")
        return
    name = model_name(doc)
    if getattr(models, name, None) is None:
        problems.append(f"{path}: the client has no model {name} for {doc['apiVersion']} {doc['kind']}")
        return
    check(doc, name, path, problems)
    try:
        obj = kubernetes.client.ApiClient().deserialize(_Response(json.dumps(doc)), name)
        if type(obj).__name__ != name:
            problems.append(f"{path}: deserialized into {type(obj).__name__}, not {name}")
    except Exception as e:  # the client raises ValueError for missing required fields
        problems.append(f"{path}: the client cannot deserialize it into {name}: {e}")


def main():
    problems = []
    for file_name in sys.argv[1:]:
        with open(file_name, encoding="utf-8") as f:
            text = f.read()
        try:
            docs = [json.loads(text)] if file_name.endswith(".json") else list(yaml.safe_load_all(text))
        except (ValueError, yaml.YAMLError) as e:
            problems.append(f"{file_name}: cannot parse: {e}")
            continue
        docs = [d for d in docs if d is not None]
        if not docs:
            problems.append(f"{file_name}: no documents")
        for doc in docs:
            kind = str(doc.get("kind", "document")).lower() if isinstance(doc, dict) else "document"
            name = (doc.get("metadata") or {}).get("name", "") if isinstance(doc, dict) else ""
            path = kind if len(docs) == 1 else f"{kind}/{name}"
            check_document(doc, path, problems)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
