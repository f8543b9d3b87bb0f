"""Numbers, dates and plurals the way each language writes them (read from its `_meta`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class LanguageFormats:
    decimal: str
    group: str
    date_pattern: str
    """With `{day}`, `{month}` (a name from `months`), `{month_number}`, `{year}`."""
    months: tuple[str, ...]
    plural_one: frozenset[int]
    """The counts written with the `.one` form (English: 1; French: 0 and 1)."""

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any]) -> LanguageFormats:
        return cls(
            decimal=str(meta["decimal"]),
            group=str(meta["group"]),
            date_pattern=str(meta["date_pattern"]),
            months=tuple(str(m) for m in meta["months"]),
            plural_one=frozenset(int(n) for n in meta["plural_one"]),
        )

    def plural(self, count: int) -> str:
        return "one" if count in self.plural_one else "other"

    def number(self, value: float, decimals: int | None = None) -> str:
        return format_number_with(self, value, decimals)


def format_number_with(rules: LanguageFormats, value: float, decimals: int | None = None) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    text = f"{value:,.{decimals}f}" if decimals is not None else f"{value:,.6f}".rstrip("0")
    text = text.rstrip(".") if decimals is None else text
    whole, _, fraction = text.partition(".")
    whole = whole.replace(",", rules.group)
    return f"{whole}{rules.decimal}{fraction}" if fraction else whole


def format_date_with(rules: LanguageFormats, value: dt.date) -> str:
    return rules.date_pattern.format(
        day=value.day,
        month=rules.months[value.month - 1],
        month_number=f"{value.month:02d}",
        year=value.year,
    )


def relative(
    translate: Callable[..., str], rules: LanguageFormats, moment: dt.datetime, now: dt.datetime
) -> str:
    """How long ago `moment` was, in words; the date itself beyond a week."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return str(translate("time.just_now"))
    if seconds < 3600:
        return str(translate("time.minutes_ago", count=int(seconds // 60)))
    if seconds < 86400:
        return str(translate("time.hours_ago", count=int(seconds // 3600)))
    days = (now.date() - moment.date()).days
    if days <= 1:
        return str(translate("time.yesterday"))
    if days < 7:
        return str(translate("time.days_ago", count=days))
    return format_date_with(rules, moment.date())
