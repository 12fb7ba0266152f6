"""Which revenue facts count, and as what, for Python callers: dbt's own classification run in-process.

There is one classifier, the macros in dbt's `macros/revenue_classification.sql`. int_revenue_facts_classified
calls them on the warehouse; here the same macros run with DuckDB on the same staging SQL and seeds, so the
command line and the tests get what dbt gets (same regular-expression engine, precedence and exclusions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import jinja2
import pandas as pd

from orchestration.defs.sec.warehouse_io import ensure_tables
from orchestration.paths import DBT_PROJECT_DIR, SEEDS_DIR
from orchestration.sources.sec.xbrl import FilingFacts, NumericFact, fact_rows

MACROS = DBT_PROJECT_DIR / "macros" / "revenue_classification.sql"
STAGING = DBT_PROJECT_DIR / "models" / "staging"
UNCLASSIFIED = "unclassified"


@dataclass(frozen=True)
class Classification:
    fact_role: str  # total, category or excluded
    exclusion_reason: str | None  # why an excluded fact never counts
    revenue_category: str | None  # a counted category member's category (unclassified when no rule matches)
    member_category: str | None  # what the member map says of the fact's member, whatever the fact's role

    @property
    def label(self) -> str:
        """One word for an analyst: the category of a counted member, else "total" or "excluded"."""
        return self.revenue_category if self.fact_role == "category" and self.revenue_category else self.fact_role


def classify_filings(filings: Sequence[FilingFacts], seeds_dir: Path = SEEDS_DIR) -> list[list[Classification]]:
    """Each filing's facts' classifications, in order: one query for them all (a DuckDB session costs ~0.1 s)."""
    rows = [row for number, filing in enumerate(filings) for row in fact_rows(filing, "", "", str(number))]
    if not rows:
        return [[] for _ in filings]
    lineage = {"source": "", "is_synthetic": False, "loaded_at": datetime.now(UTC), "run_id": ""}
    with _session(seeds_dir) as connection:
        connection.register("parsed_facts", pd.DataFrame(rows).assign(**lineage))
        connection.execute("insert into raw.sec_revenue_facts by name select * from parsed_facts")
        _view(connection, STAGING / "sec" / "stg_sec__revenue_facts.sql")
        sql = _macros().classify_revenue_facts(
            "stg_sec__revenue_facts", "stg_reference__revenue_concept_rules", "stg_reference__revenue_member_map"
        )
        columns = "accession_number, concept, context_id, unit, fact_role, exclusion_reason, revenue_category"
        query = f"select {columns}, member_category from ({sql})"  # noqa: S608 - SQL of the project's own macro
        found = connection.execute(query).fetchall()
    # a filing has one fact per concept, context and unit (the reader's deduplication)
    by_key = {tuple(row[:4]): Classification(*row[4:]) for row in found}
    return [
        [by_key[(str(number), fact.concept, fact.context_id, fact.unit)] for fact in filing.facts]
        for number, filing in enumerate(filings)
    ]


def classify_facts(facts: Sequence[NumericFact], seeds_dir: Path = SEEDS_DIR) -> list[Classification]:
    """The classifications of one filing's facts, in order."""
    return classify_filings([FilingFacts("", None, None, None, None, None, None, None, tuple(facts))], seeds_dir)[0]


def classify_members(members: Iterable[str], seeds_dir: Path = SEEDS_DIR) -> dict[str, str]:
    """The member map's category of each member ("btbt:CloudServicesMember" -> "hpc_ai"), else "unclassified"."""
    facts = [_product_fact(member) for member in dict.fromkeys(members)]
    return {
        fact.dimensions[0][1]: found.member_category or UNCLASSIFIED
        for fact, found in zip(facts, classify_facts(facts, seeds_dir), strict=True)
    }


def revenue_concepts(concepts: Iterable[str], seeds_dir: Path = SEEDS_DIR) -> set[str]:
    """The concepts the concept rules count as revenue (us-gaap:Revenues, not us-gaap:CostOfRevenue)."""
    with _session(seeds_dir) as connection:
        connection.register("named_concepts", pd.DataFrame({"concept": sorted(set(concepts))}, dtype="string"))
        sql = _macros().revenue_concept_matches("named_concepts", "stg_reference__revenue_concept_rules")
        query = f"select concept from ({sql}) where concept_exclusion_reason is null"  # noqa: S608 - the project's own macro
        rows = connection.execute(query).fetchall()
    return {concept for (concept,) in rows}


def _product_fact(member: str) -> NumericFact:
    """A counted quarter's fact on the product axis, so only the member decides its category."""
    return NumericFact(
        concept="us-gaap:Revenues",
        context_id=member,
        period_start=date(2024, 1, 1),
        period_end=date(2024, 3, 31),
        dimensions=(("srt:ProductOrServiceAxis", member),),
        unit="USD",
        decimals="0",
        scale=0,
        sign=1,
        formatted="1",
        value=None,
        is_nil=False,
        fact_id=None,
    )


def _template(path: Path) -> jinja2.Template:
    """dbt SQL as plain Jinja: the callers supply `ref` and `source`, or call the macros with relation names."""
    return jinja2.Environment(autoescape=False).from_string(path.read_text(encoding="utf-8"))  # noqa: S701


def _macros():
    return _template(MACROS).module


def _view(connection: duckdb.DuckDBPyConnection, model: Path, ref: Callable[[str], str] = str) -> None:
    """A staging model as a view named after it, its `ref`s and `source`s resolved to in-memory tables."""
    sql = _template(model).render(ref=ref, source=lambda _source, table: f"raw.{table}")
    connection.execute(f"create view {model.stem} as {sql}")  # noqa: S608 - the project's own staging model


@contextmanager
def _session(seeds_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB with the raw SEC tables, and the two rule seeds staged as dbt stages them."""
    connection = duckdb.connect()
    try:
        ensure_tables(connection)
        for seed in ("revenue_concept_rules", "revenue_member_map"):
            connection.read_csv(str(Path(seeds_dir) / f"{seed}.csv"), header=True, all_varchar=True).create(seed)
            _view(connection, STAGING / "reference" / f"stg_reference__{seed}.sql")
        yield connection
    finally:
        connection.close()
