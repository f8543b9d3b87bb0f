"""Node-set functions: counting, positions, `randomize` and `indexed-repeat`.

`current()` and `instance()` reach into the evaluation itself; the evaluator implements them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from forms.errors import FormError
from forms.xpath.context import Context
from forms.xpath.functions.arguments import bad_argument, java_int, java_long, nodeset, truncate
from forms.xpath.functions.registry import function
from forms.xpath.tree import Node
from forms.xpath.values import Value, to_number

_PARK_MILLER_MODULUS = 2147483647
_PARK_MILLER_MULTIPLIER = 16807


@function("count", 1)
def count(ctx: Context, args: list[Value]) -> Value:
    return float(len(nodeset("count", args[0])))


@function("count-non-empty", 1)
def count_non_empty(ctx: Context, args: list[Value]) -> Value:
    return float(sum(1 for node in nodeset("count-non-empty", args[0]) if node.string_value()))


@function("position", 0, 1)
def position(ctx: Context, args: list[Value]) -> Value:
    """Without an argument the context position; with one, the 1-based position of its
    (first) node among same-named siblings: `position(..)` is the repeat instance number.
    An empty node-set gives 0, as in JavaRosa.
    """
    if not args:
        return float(ctx.position)
    nodes = nodeset("position", args[0])
    return float(nodes[0].position()) if nodes else 0.0


@function("last", 0)
def last(ctx: Context, args: list[Value]) -> Value:
    return float(ctx.size)


class ParkMiller:
    """The Park-Miller ("minimal standard") generator JavaRosa seeds `randomize` with.

    Reproduces `org.javarosa.xform.parse.ParkMiller`: the seed is reduced modulo
    2^31 - 1 (moved into range when not positive), each step multiplies by 16807, and
    `next_double()` is (state - 1) / (2^31 - 2). Same seed, same order as ODK Collect.
    """

    def __init__(self, seed: int) -> None:
        state = math.fmod(float(seed), _PARK_MILLER_MODULUS)
        if state <= 0:
            state += _PARK_MILLER_MODULUS - 1
        self.state = int(state)

    def next_double(self) -> float:
        self.state = self.state * _PARK_MILLER_MULTIPLIER % _PARK_MILLER_MODULUS
        return (self.state - 1) / (_PARK_MILLER_MODULUS - 1)


def inside_out_shuffle(items: list[Node], draw: Callable[[], float]) -> list[Node]:
    """The "inside-out" Fisher-Yates shuffle of the spec, with JavaRosa's index rule
    `j = (int) (nextDouble() * (i + 1))`. Linear in the number of nodes.
    """
    result: list[Node] = []
    for i, item in enumerate(items):
        j = int(draw() * (i + 1))
        if j == i:
            result.append(item)
        else:
            result.append(result[j])
            result[j] = item
    return result


@function("randomize", 1, 2)
def randomize(ctx: Context, args: list[Value]) -> Value:
    """The node-set shuffled; with a seed, in the order ODK Collect gives for that seed.

    The seed goes through Java's `Double.longValue()` (truncated; NaN is 0) first.
    """
    nodes = nodeset("randomize", args[0])
    if len(args) == 1:
        return inside_out_shuffle(nodes, ctx.env.rng.random)
    seed = to_number(args[1])
    return inside_out_shuffle(nodes, ParkMiller(java_long(seed)).next_double)


def _relative_names(ancestor: str, descendant: str) -> list[str] | None:
    if not descendant.startswith(ancestor + "/"):
        return None
    return descendant[len(ancestor) + 1 :].split("/")


def _descend(start: Node, names: list[str]) -> list[Node]:
    """Every node reached from `start` by the child names, in document order."""
    level = [start]
    for name in names:
        level = [child for node in level for child in node.children if child.name == name]
    return level


@function("indexed-repeat", 3, None)
def indexed_repeat(ctx: Context, args: list[Value]) -> Value:
    """`indexed-repeat(/path/field, /path/repeat, i [, /path/repeat/inner, j ...])`.

    The arguments arrive as node-sets; the field and repeats are located by their
    paths: starting from the i-th repeat instance (1-based; JavaRosa reads an index
    below 1 as 1), each nested repeat's j-th instance inside it is chosen, then the
    field below it. Returns that node (empty node-set when it does not exist).
    """
    if len(args) % 2 == 0:
        raise FormError.of(
            "xpath.arg_count", name="indexed-repeat", expected="3, 5, 7...", given=len(args)
        )
    target = nodeset("indexed-repeat", args[0])
    if not target:
        return []
    target_path = target[0].path()
    chosen: Node | None = None
    chosen_path = ""
    for k in range(1, len(args), 2):
        repeats = nodeset("indexed-repeat", args[k])
        index = max(java_int(truncate(to_number(args[k + 1]))), 1)
        if not repeats:
            return []
        repeat_path = repeats[0].path()
        if _relative_names(repeat_path, target_path) is None:
            raise bad_argument(
                "indexed-repeat", repeat_path, f"it is not a repeat that holds {target_path}"
            )
        if chosen is None:  # every instance, even when evaluated inside one of them
            candidates = _descend(repeats[0].root(), repeat_path.strip("/").split("/"))
        else:
            names = _relative_names(chosen_path, repeat_path)
            if names is None:
                raise bad_argument(
                    "indexed-repeat", repeat_path, f"it is not inside the repeat {chosen_path}"
                )
            candidates = _descend(chosen, names)
        if index > len(candidates):
            return []
        chosen, chosen_path = candidates[index - 1], repeat_path
    assert chosen is not None
    names = _relative_names(chosen_path, target_path)
    assert names is not None
    found = _descend(chosen, names)
    return found[:1]
