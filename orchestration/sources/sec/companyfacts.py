"""Rows of raw.sec_company_facts from a companyfacts JSON: the revenue concepts, and the valuation's shares
outstanding, cash and debt (the `balance_sheet_concepts` seed).

companyfacts holds only non-dimensional facts. Its `fy`/`fp` describe the filing a fact came from, not
the fact's period, so periods come from `start`/`end` (kept as reported; `fy`/`fp` are kept for lineage).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from orchestration.sources.errors import SecDataError
from orchestration.sources.sec.classification import revenue_concepts
from orchestration.sources.sec.xbrl import balance_sheet_concepts, fits_amount_column, is_revenue_named

TEXT = ("accn", "fp", "form", "frame")  # strings when present


def wanted_concepts(concepts: Iterable[str]) -> set[str]:
    """The valuation's concepts (share counts, cash, debt), and the concepts named after revenue that dbt's
    revenue concept rules count as revenue (us-gaap:Revenues, not us-gaap:CostOfRevenue): raw.sec_company_facts
    holds USD totals, balances and share counts."""
    concepts = set(concepts)
    named = revenue_concepts(c for c in concepts if is_revenue_named(c.rpartition(":")[2]))
    return (concepts & balance_sheet_concepts()) | named


def _date(value: object, where: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise SecDataError(f"{where}: not a date: {value!r}") from error


def parse_company_facts(body: dict, cik: str, origin: str) -> list[dict]:
    """One dict per (concept, unit, period, accession); identical repeats are dropped."""
    where = f"CIK {cik} companyfacts ({origin})"
    facts = body.get("facts")
    if not isinstance(facts, dict):
        raise SecDataError(f"{where}: no facts object")
    if str(body.get("cik", cik)).lstrip("0") != cik.lstrip("0"):
        raise SecDataError(f"{where}: body is for CIK {body.get('cik')!r}, not {cik}")
    for taxonomy, concepts in facts.items():
        if not isinstance(concepts, dict):
            raise SecDataError(f"{where}: taxonomy {taxonomy!r} is not an object")
    wanted = wanted_concepts(f"{taxonomy}:{name}" for taxonomy, concepts in facts.items() for name in concepts)
    rows: dict[tuple, dict] = {}
    for taxonomy, concepts in facts.items():
        for name, concept_body in concepts.items():
            concept = f"{taxonomy}:{name}"
            if concept not in wanted:
                continue
            units = concept_body.get("units") if isinstance(concept_body, dict) else None
            if not isinstance(units, dict):
                raise SecDataError(f"{where}: {concept} has no units")
            for unit, entries in units.items():
                if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
                    raise SecDataError(f"{where}: {concept} units {unit} is {entries!r:.80}, not a list of facts")
                for entry in entries:
                    item = f"{where} {concept} accession {entry.get('accn')}"
                    for key in TEXT:
                        if not isinstance(entry.get(key), str | None):
                            raise SecDataError(f"{item}: {key} {entry[key]!r} is not a string")
                    fy = entry.get("fy")
                    if fy is not None and (not isinstance(fy, int) or isinstance(fy, bool) or not 1000 <= fy <= 9999):
                        raise SecDataError(f"{item}: fy {fy!r} is not a year")
                    try:
                        value = Decimal(str(entry["val"]))
                        if not value.is_finite():  # NaN/Infinity parse as Decimals but are not amounts
                            raise InvalidOperation
                    except (KeyError, InvalidOperation) as error:
                        raise SecDataError(f"{item}: missing or non-numeric val {entry.get('val')!r}") from error
                    if not fits_amount_column(value):
                        raise SecDataError(f"{item}: val {entry['val']!r} is out of range: amounts must be below 1e34")
                    end = _date(entry.get("end"), item)
                    if end is None:
                        raise SecDataError(f"{item}: no end date")
                    row = {
                        "cik": cik,
                        "taxonomy": taxonomy,
                        "concept": concept,
                        "unit": unit,
                        "period_start": _date(entry.get("start"), item),
                        "period_end": end,
                        "value": value,
                        "accession_number": entry.get("accn"),
                        "fiscal_year": entry.get("fy"),
                        "fiscal_period": entry.get("fp"),
                        "form": entry.get("form"),
                        "filed": _date(entry.get("filed"), item),
                        "frame": entry.get("frame"),
                    }
                    key = (concept, unit, row["period_start"], end, row["accession_number"])
                    if key in rows and rows[key]["value"] != value:
                        raise SecDataError(
                            f"{item}: conflicting values {rows[key]['value']} and {value} for {row['period_start']}"
                            f"..{end}"
                        )
                    rows.setdefault(key, row)
    return list(rows.values())
