"""Every schema of the API has a name of its own: the OpenAPI document keys its components by
the class name, so two modules' ``DueOut`` would be one component and one of the two operations
would be documented (and checked by the contract test) with the other's shape."""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict

from ninja import Schema

import congso.api


def test_no_two_api_schemas_share_a_name() -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for info in pkgutil.iter_modules(congso.api.__path__):
        module = importlib.import_module(f"congso.api.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Schema)
                and value.__module__ == module.__name__
            ):
                seen[value.__name__].add(module.__name__)
    shared = {name: sorted(modules) for name, modules in seen.items() if len(modules) > 1}
    assert shared == {}
