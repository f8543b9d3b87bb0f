"""Static checks of choice filters: a column the choices lack, or a filter that leaves
no choice whatever is answered to the selects it reads (tried for every combination
of their answers, up to `MAX_COMBINATIONS`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from forms.definition import Control, FormDefinition
from forms.errors import FormError, Place, Problem
from forms.session_graph import resolve_read
from forms.session_paths import nodes_at
from forms.testdrive_lint import Locate, Sandbox, name_of
from forms.xpath import Context, compile_expr, references
from forms.xpath.values import to_string

MAX_COMBINATIONS = 2000


def _filtered_selects(definition: FormDefinition) -> Iterator[tuple[Control, str, str]]:
    """Selects with a filtered itemset: (control, items path, instance id)."""
    for control in definition.controls():
        itemset = control.itemset
        if itemset is None or control.ref is None or itemset.instance_id is None:
            continue
        text = itemset.nodeset.text.replace(" ", "")
        if "[" not in text:
            continue
        yield control, text.split("[", 1)[0], itemset.instance_id


def _columns(definition: FormDefinition, instance_id: str, items_path: str) -> set[str] | None:
    secondary = definition.secondary_instance(instance_id)
    if secondary is None or secondary.content is None:
        return None
    path = items_path.split(")", 1)[1]
    return {c.name for item in nodes_at(secondary.document(), path) for c in item.children}


def field_values(definition: FormDefinition, path: str) -> list[str] | None:
    """Every value a select at `path` can take, if it is a select with fixed choices."""
    control = definition.control_for(path)
    if control is None or control.kind not in ("select1", "select"):
        return None
    if control.items:
        return [i.value for i in control.items]
    itemset = control.itemset
    if itemset is None or itemset.instance_id is None or "[" in itemset.nodeset.text:
        return None
    secondary = definition.secondary_instance(itemset.instance_id)
    if secondary is None or secondary.content is None:
        return None
    sandbox = Sandbox(definition)
    items = sandbox.evaluate(itemset.nodeset, path)
    if not isinstance(items, list):
        return None
    value_of = compile_expr(itemset.value.text)
    return [
        to_string(value_of(Context(item, sandbox.doc, item, sandbox.instances, sandbox.env)))
        for item in items
    ]


def choice_filters(definition: FormDefinition, locate: Locate) -> list[Problem]:
    problems: list[Problem] = []
    for control, items_path, instance_id in _filtered_selects(definition):
        assert control.itemset is not None and control.ref is not None
        expression = control.itemset.nodeset
        name, place = name_of(control.ref), locate(control.ref, "choice_filter")
        columns = _columns(definition, instance_id, items_path)
        if columns is None:
            continue
        reads: list[str] = []
        unknown = False
        for reference in sorted(references(expression.ast)):
            if reference.startswith(items_path + "/"):
                column = reference[len(items_path) + 1 :].split("/", 1)[0]
                if column not in columns and not column.startswith("@"):
                    unknown = True
                    params = {
                        "name": name,
                        "column": column,
                        "list": instance_id,
                        "columns": ", ".join(sorted(columns)),
                    }
                    problems.append(Problem("check.filter_unknown_column", params, place))
            elif not reference.startswith("instance("):
                read = resolve_read(reference, control.ref)
                if read is not None:
                    reads.append(read.path)
        if not unknown:
            problems += _try_filter(definition, control, sorted(set(reads)), place)
    return problems


def _try_filter(
    definition: FormDefinition, control: Control, reads: list[str], place: Place
) -> list[Problem]:
    """Evaluate the filter for every combination of answers to the selects it reads."""
    assert control.itemset is not None and control.ref is not None
    choices = [field_values(definition, r) for r in reads]
    if not reads or any(c is None or not c for c in choices):
        return []
    combos = list(itertools.islice(itertools.product(*choices), MAX_COMBINATIONS))  # type: ignore[arg-type]
    sandbox = Sandbox(definition)
    empty_for: list[tuple[str, ...]] = []
    for combo in combos:
        for path, value in zip(reads, combo, strict=True):
            sandbox.set(path, value)
        try:
            found = sandbox.evaluate(control.itemset.nodeset, control.ref)
        except (FormError, LookupError):
            return []
        if not (isinstance(found, list) and found):
            empty_for.append(combo)
    refs = ", ".join(f"'{name_of(r)}'" for r in reads)
    expr = control.itemset.nodeset.text.strip()
    if len(empty_for) == len(combos):
        params = {"name": name_of(control.ref), "expr": expr, "refs": refs}
        return [Problem("check.filter_matches_nothing", params, place)]
    if empty_for and len(reads) == 1:
        answers = " or ".join(f"'{name_of(reads[0])}' is '{c[0]}'" for c in empty_for[:5])
        params = {"name": name_of(control.ref), "answers": answers}
        return [Problem("check.filter_empty_for", params, place, severity="warning")]
    return []
