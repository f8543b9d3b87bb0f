"""Helpers for the XPath function tests: evaluate, with typed nodes when needed, and compare."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Mapping

from forms.xpath import Context, Environment, compile_expr, evaluate, load_document, resolve
from forms.xpath.values import Value, to_string

FIXED_NOW = dt.datetime(2024, 3, 5, 14, 30, 15, 250000, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def fixed_env(seed: int = 7) -> Environment:
    return Environment(now=lambda: FIXED_NOW, rng=random.Random(seed))


def run(
    expr: str,
    xml: str | None = None,
    *,
    context: str | None = None,
    types: Mapping[str, str] | None = None,
    instances: Mapping[str, str] | None = None,
    env: Environment | None = None,
) -> Value:
    """Evaluate through the public API; with `types` (path -> bind type), through a tree
    whose nodes carry those types (what a form session builds from the binds)."""
    env = env or fixed_env()
    if not types:
        return evaluate(expr, xml, context, instances=instances, env=env)
    main = load_document(xml or "<data/>")
    for path, kind in types.items():
        node = resolve(main, path)
        for sibling in node.parent.children if node.parent else [node]:
            if sibling.name == node.name:
                sibling.datatype = kind
    node = resolve(main, context) if context else main.children[0]
    secondary = {k: load_document(v) for k, v in (instances or {}).items()}
    return compile_expr(expr)(Context(node, main, node, secondary, env))


def same(result: Value, expected: object) -> bool:
    """Node-sets compare by their string value; numbers by value (NaN equals NaN)."""
    if isinstance(expected, float) and not isinstance(result, bool):
        if not isinstance(result, float):
            return False
        if math.isnan(expected):
            return math.isnan(result)
        return math.isclose(result, expected, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(result, list) and isinstance(expected, str):
        return to_string(result) == expected
    return type(result) is type(expected) and result == expected
