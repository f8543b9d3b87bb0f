"""Select answers (space-separated choice values) and secondary-instance lookups."""

from __future__ import annotations

from forms.errors import FormError
from forms.xpath.context import Context
from forms.xpath.functions.arguments import java_int, truncate
from forms.xpath.functions.registry import function
from forms.xpath.tree import Node
from forms.xpath.values import Value, parse_number, to_number, to_string, unpack


def _choices(value: Value) -> list[str]:
    return to_string(unpack(value)).split()


@function("selected", 2, -1, "is-selected")
def selected(ctx: Context, args: list[Value]) -> Value:
    """Whether the value is one of the space-separated choices.

    JavaRosa's test is `(" " + list + " ").contains(" " + value.trim() + " ")`; it is
    reproduced exactly (so a value holding a space matches consecutive choices). A number
    as the value is read as its string (JavaRosa refuses it; Enketo accepts it).
    """
    answer = to_string(unpack(args[0]))
    wanted = to_string(unpack(args[1])).strip()
    return f" {wanted} " in f" {answer} "


@function("selected-at", 2)
def selected_at(ctx: Context, args: list[Value]) -> Value:
    """The choice at a 0-based index (JavaRosa), or empty when there is none."""
    choices = _choices(args[0])
    index = java_int(truncate(to_number(args[1])))
    return choices[index] if 0 <= index < len(choices) else ""


@function("count-selected", 1)
def count_selected(ctx: Context, args: list[Value]) -> Value:
    return float(len(_choices(args[0])))


def _rows(document: Node) -> list[Node]:
    """The rows of a secondary instance: the children of its root element."""
    return [row for root in document.children for row in root.children]


def _matches(cell: Node | None, key: Value) -> bool:
    if cell is None:
        return False
    text = cell.string_value()
    if isinstance(key, float):
        return parse_number(text) == key
    return text == to_string(key)


@function("pulldata", 4)
def pulldata(ctx: Context, args: list[Value]) -> Value:
    """`pulldata('id', 'wanted', 'key_column', key)`: the `wanted` column of the first row
    of instance `id` whose `key_column` equals `key` (as
    `instance('id')/root/item[key_column = key]/wanted`), or empty when none does.
    """
    instance_id, wanted, column = (to_string(a) for a in args[:3])
    key = unpack(args[3])
    document = ctx.instances.get(instance_id)
    if document is None:
        raise FormError.of("xpath.unknown_instance", id=instance_id)
    if isinstance(key, bool):
        key = to_string(key)
    elif not isinstance(key, float | str):
        key = to_string(key)
    for row in _rows(document):
        if _matches(row.child(column), key):
            cell = row.child(wanted)
            return cell.string_value() if cell is not None else ""
    return ""
