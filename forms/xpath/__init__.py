"""ODK XPath: parse, compile and evaluate expressions over instance documents.

`evaluate()` is the one-call form for tests and the test-drive; a `FormSession`
compiles each bind's expression once with `compile_expr` and calls the result with
a `Context` it builds itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from forms.errors import FormError
from forms.xpath.ast import Expr, unparse
from forms.xpath.context import Context, Environment
from forms.xpath.evaluator import Compiled, compile_expr, compile_tree, evaluate_tree
from forms.xpath.parser import parse
from forms.xpath.references import references
from forms.xpath.tree import Node, parse_document
from forms.xpath.values import Value

__all__ = [
    "Compiled",
    "Context",
    "Environment",
    "Expr",
    "Node",
    "Value",
    "compile_expr",
    "compile_tree",
    "evaluate",
    "evaluate_tree",
    "load_document",
    "parse",
    "references",
    "resolve",
    "unparse",
]


def load_document(xml: str | bytes, what: str = "instance") -> Node:
    """Instance XML to a document node; malformed or unsafe XML is a `FormError`."""
    try:
        return parse_document(xml)
    except Exception as error:  # ParseError, DefusedXmlException, ValueError...
        raise FormError.of(
            "xpath.bad_xml", what=what, detail=str(error) or type(error).__name__
        ) from error


def resolve(document: Node, path: str) -> Node:
    """The node an absolute path like `/data/rep[2]/q` selects in `document`."""
    found = compile_expr(path)(Context(document, document, document))
    if not isinstance(found, list) or not found:
        raise FormError.of("xpath.no_context", path=path)
    return found[0]


def evaluate(
    expr: str,
    instance_xml: str | bytes | None = None,
    context: str | None = None,
    *,
    instances: Mapping[str, str | bytes] | None = None,
    env: Environment | None = None,
) -> Value:
    """Evaluate `expr` over `instance_xml` with the context node at the path `context`.

    Without XML the primary instance is an empty `<data/>`; without `context` the
    context node is the root element. `instances` are secondary instances by id.
    """
    main = load_document(instance_xml if instance_xml is not None else "<data/>")
    node = resolve(main, context) if context else main.children[0]
    secondary = {k: load_document(v, f"instance '{k}'") for k, v in (instances or {}).items()}
    ctx = Context(node, main, node, secondary, env or Environment())
    return compile_expr(expr)(ctx)
