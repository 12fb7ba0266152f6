"""Revenue categories of XBRL members, from the dbt seed `revenue_member_map.csv` (the same rules dbt applies).

A rule's `member_pattern` is a case-sensitive regular expression searched in the member's local name
(`CloudServicesMember` for `btbt:CloudServicesMember`); the matching rule with the lowest precedence wins,
and a member no rule matches is "unclassified".
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.paths import SEEDS_DIR

if TYPE_CHECKING:
    from orchestration.sources.sec.xbrl import RevenueFact

SEED_FILE = "revenue_member_map.csv"
UNCLASSIFIED = "unclassified"
TOTAL = "total"
OTHER_AXIS = "other_axis"
CATEGORY_AXES = (
    "srt:ProductOrServiceAxis",
    "us-gaap:StatementBusinessSegmentsAxis",
    "ifrs-full:ProductsAndServicesAxis",
    "ifrs-full:SegmentsAxis",
)
_COLUMNS = ("rule_id", "precedence", "member_pattern", "category")


@dataclass(frozen=True)
class MemberRule:
    rule_id: str
    precedence: int
    pattern: re.Pattern[str]
    category: str


def load_member_rules(seeds_dir: Path = SEEDS_DIR) -> tuple[MemberRule, ...]:
    """The seed's rules, lowest precedence first. A malformed seed raises ValueError naming the file and rule."""
    path = Path(seeds_dir) / SEED_FILE
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)}")
        rules = [_rule(row, path.name) for row in reader]
    precedences = [r.precedence for r in rules]
    duplicated = sorted({p for p in precedences if precedences.count(p) > 1})
    if duplicated:
        raise ValueError(f"{path.name}: precedence {duplicated} used by more than one rule; the winner is ambiguous")
    return tuple(sorted(rules, key=lambda r: r.precedence))


def _rule(row: dict[str, str], file_name: str) -> MemberRule:
    rule_id = (row.get("rule_id") or "").strip()
    try:
        precedence = int((row.get("precedence") or "").strip())
    except ValueError:
        raise ValueError(
            f"{file_name}: rule {rule_id!r} has a non-integer precedence {row.get('precedence')!r}"
        ) from None
    try:
        pattern = re.compile(row.get("member_pattern") or "")
    except re.error as exc:
        raise ValueError(f"{file_name}: rule {rule_id!r} has an invalid member_pattern ({exc})") from None
    if not pattern.pattern or not (row.get("category") or "").strip():
        raise ValueError(f"{file_name}: rule {rule_id!r} needs a member_pattern and a category")
    return MemberRule(rule_id, precedence, pattern, row["category"].strip())


def classify_member(member: str | None, rules: tuple[MemberRule, ...] | list[MemberRule]) -> str:
    """The category of a member such as "btbt:CloudServicesMember" (matched on its local name)."""
    if not member:
        return UNCLASSIFIED
    local = member.rpartition(":")[2]
    for rule in sorted(rules, key=lambda r: r.precedence):
        if rule.pattern.search(local):
            return rule.category
    return UNCLASSIFIED


def fact_category(fact: RevenueFact, rules: tuple[MemberRule, ...] | list[MemberRule]) -> str:
    """ "total" without dimensions; the member's category on a product or segment axis; else "other_axis"."""
    if not fact.dimensions:
        return TOTAL
    if len(fact.dimensions) == 1 and fact.dimensions[0][0] in CATEGORY_AXES:
        return classify_member(fact.dimensions[0][1], rules)
    return OTHER_AXIS
