"""One classifier: what `miners revenue-facts` and the Python tests get from the in-process classification is
what dbt's int_revenue_facts_classified says, for every fact of every snapshot filing."""

import gzip

import pandas as pd

from orchestration.paths import SNAPSHOT_DIR
from orchestration.sources.sec.classification import classify_filings
from orchestration.sources.sec.xbrl import parse_filing
from tests.pipeline_run import PipelineRun


def _plain(value: object) -> object:
    return None if pd.isna(value) else value


def _snapshot_document(cik: str, accession: str, document: str) -> bytes:
    folder = SNAPSHOT_DIR / "sec" / "archives" / cik.lstrip("0") / accession.replace("-", "")
    return gzip.decompress((folder / f"{document}.gz").read_bytes())


def test_in_process_classification_is_the_warehouse_one(pipeline: PipelineRun):
    warehouse = pipeline.query(
        "select accession_number, concept, context_id, unit, fact_role, exclusion_reason, revenue_category"
        " from intermediate.int_revenue_facts_classified"
    )
    expected = {
        tuple(_plain(v) for v in row[:4]): tuple(_plain(v) for v in row[4:]) for row in warehouse.itertuples(False)
    }
    documents = pipeline.query("select cik, accession_number, document from raw.sec_revenue_filings order by 1, 2")
    filings = [parse_filing(_snapshot_document(*row), row[2]) for row in documents.itertuples(False)]
    actual = {
        (accession, fact.concept, fact.context_id, fact.unit): (c.fact_role, c.exclusion_reason, c.revenue_category)
        for accession, filing, found in zip(documents.accession_number, filings, classify_filings(filings), strict=True)
        for fact, c in zip(filing.facts, found, strict=True)
    }
    assert len(filings) > 200 and len(actual) > 2000
    assert actual == expected
    members = {(f.concept, axis, member) for filing in filings for f in filing.facts for axis, member in f.dimensions}
    assert len(members) > 50  # every (concept, axis, member) of the snapshot is in the comparison
