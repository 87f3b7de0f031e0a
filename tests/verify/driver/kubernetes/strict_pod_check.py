#!/usr/bin/python3
"""Checks a Pod manifest (JSON file) against the official Kubernetes Python client's models.

The client deserializes leniently: fields its models do not know are dropped without a word.
So every key is walked here against each model's attribute_map and openapi_types, recursively,
and any unknown field or wrongly typed value fails; then the client's own deserialization into
V1Pod must succeed (it enforces required fields). Exit 0 on success, 1 with one line per problem.
"""
import json
import re
import sys

import kubernetes.client
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


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    problems = []
    check(json.loads(text), "V1Pod", "pod", problems)
    try:
        pod = kubernetes.client.ApiClient().deserialize(_Response(text), "V1Pod")
        if not isinstance(pod, models.V1Pod):
            problems.append(f"pod: deserialized into {type(pod).__name__}, not V1Pod")
    except Exception as e:  # the client raises ValueError for missing required fields
        problems.append(f"pod: the client cannot deserialize it: {e}")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
