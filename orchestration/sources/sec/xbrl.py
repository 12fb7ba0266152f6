"""The revenue and balance sheet facts of one SEC filing, read with lxml from its inline XBRL (.htm) or XBRL
instance (.xml).

Only what the models need is read: the contexts and units, every numeric fact named after revenue
(`is_revenue_named`, kept as filed), the facts of the valuation's concepts (shares outstanding, cash and
debt: `balance_sheet_concepts`, kept as filed, every axis) and a few dei cover facts. Anything unexpected in
those raises `SecDataError` with the document (and the accession and CIK when the caller gave them) in the
message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from functools import cache
from pathlib import Path

from lxml import etree

from orchestration.sources.errors import SecDataError
from orchestration.universe import load_seed

# Raised when the reader keeps different facts: filings parsed by an older version are parsed again (2: every
# fact named after revenue is kept, as filed; 3: the balance sheet concepts too).
READER_VERSION = 3

NS_XBRLI = "http://www.xbrl.org/2003/instance"
NS_XBRLDI = "http://xbrl.org/2006/xbrldi"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_IX = ("http://www.xbrl.org/2013/inlineXBRL", "http://www.xbrl.org/2008/inlineXBRL")
NS_IXT_PREFIX = "http://www.xbrl.org/inlineXBRL/transformation/"
NS_IXT_SEC_PREFIX = "http://www.sec.gov/inlineXBRL/transformation/"
XSI_NIL = f"{{{NS_XSI}}}nil"

_CANONICAL_NAMESPACES = (
    (re.compile(r"^https?://fasb\.org/(us-gaap|srt)/\d{4}"), None),
    (re.compile(r"^https?://xbrl\.sec\.gov/(dei|country|currency|exch|naics|sic|stpr|ecd|cyd|spac|rr)/\d{4}"), None),
    (re.compile(r"^https?://xbrl\.ifrs\.org/taxonomy/[\d-]+/ifrs-full"), "ifrs-full"),
)

_DEI_FIELDS = {
    "EntityCentralIndexKey": "cik",
    "DocumentType": "document_type",
    "DocumentPeriodEndDate": "period_end_date",
    "DocumentFiscalYearFocus": "fiscal_year_focus",
    "DocumentFiscalPeriodFocus": "fiscal_period_focus",
    "AmendmentFlag": "amendment",
    "CurrentFiscalYearEndDate": "current_fiscal_year_end",
}


# The raw tables store amounts as decimal(38, 4): below 1e34 once rounded to four decimals. DuckDB refuses a larger
# one, and with it the whole load, so a fact or companyfacts value that would not fit is that item's error instead.
AMOUNT_LIMIT = Decimal("1e34")


def fits_amount_column(value: Decimal) -> bool:
    """Whether `value`, rounded to four decimals half away from zero as DuckDB stores it, is below AMOUNT_LIMIT."""
    size = value.copy_abs()  # exact (abs() would round to the context's 28 digits)
    if size >= AMOUNT_LIMIT:
        return False
    with localcontext() as context:
        context.prec = 60  # room for 34 digits before the point and 4 after: the rounding below is exact
        return size.quantize(Decimal("0.0001"), ROUND_HALF_UP) < AMOUNT_LIMIT


def is_revenue_named(local: str) -> bool:
    """Whether the reader keeps a numeric fact: its concept's local name mentions revenue.

    The reader keeps them all, as filed (instants, counts, other units, every axis); which of them count
    as revenue, and why the others do not, is decided in dbt (the revenue_concept_rules seed and
    int_revenue_facts_classified), in one place.
    """
    return "Revenue" in local


@cache
def balance_sheet_concepts() -> frozenset[str]:
    """The concepts the valuation reads (shares outstanding, cash, debt): the `balance_sheet_concepts` seed, where
    dbt reads which input each one is and in what order of preference."""
    return frozenset(row["concept"] for row in load_seed("balance_sheet_concepts"))


def _kept(concept: str) -> bool:
    return is_revenue_named(concept.rpartition(":")[2]) or concept in balance_sheet_concepts()


@dataclass(frozen=True)
class NumericFact:
    """One numeric fact as filed (`ix:nonFraction` or an instance item): a revenue fact or a balance-sheet one."""

    concept: str
    context_id: str
    period_start: date | None
    period_end: date
    dimensions: tuple[tuple[str, str], ...]
    unit: str | None
    decimals: str | None
    scale: int
    sign: int
    formatted: str
    value: Decimal | None
    is_nil: bool
    fact_id: str | None

    @property
    def axis(self) -> str | None:
        return self.dimensions[0][0] if len(self.dimensions) == 1 else None

    @property
    def member(self) -> str | None:
        return self.dimensions[0][1] if len(self.dimensions) == 1 else None


@dataclass(frozen=True)
class FilingFacts:
    document: str
    cik: str | None
    document_type: str | None
    period_end_date: date | None
    fiscal_year_focus: str | None
    fiscal_period_focus: str | None
    amendment: bool | None
    current_fiscal_year_end: str | None
    facts: tuple[NumericFact, ...]
    balance_sheet_facts: tuple[NumericFact, ...] = ()  # shares outstanding, cash and debt, every axis, as filed


def fact_rows(filing: FilingFacts, cik: str, ticker: str, accession: str) -> list[dict]:
    """The filing's revenue facts as rows of raw.sec_revenue_facts (without the lineage columns): the loader
    writes them, and the in-process classifier runs dbt's staging SQL on them."""
    return _rows(filing, filing.facts, cik, ticker, accession)


def balance_sheet_rows(filing: FilingFacts, cik: str, ticker: str, accession: str) -> list[dict]:
    """The filing's balance sheet facts as rows of raw.sec_balance_sheet_facts (same columns as the revenue facts)."""
    return _rows(filing, filing.balance_sheet_facts, cik, ticker, accession)


def _rows(filing: FilingFacts, facts: Iterable[NumericFact], cik: str, ticker: str, accession: str) -> list[dict]:
    return [
        {
            "cik": cik,
            "ticker": ticker,
            "accession_number": accession,
            "document": filing.document,
            "concept": fact.concept,
            "context_id": fact.context_id,
            "period_start": fact.period_start,
            "period_end": fact.period_end,
            "dimensions": "|".join(f"{axis}={member}" for axis, member in fact.dimensions) or None,
            "dimension_count": len(fact.dimensions),
            "axis": fact.axis,
            "member": fact.member,
            "unit": fact.unit,
            "decimals": fact.decimals,
            "scale": fact.scale,
            "sign": fact.sign,
            "formatted": fact.formatted,
            "value": None if fact.value is None else str(fact.value),
            "is_nil": fact.is_nil,
            "fact_id": fact.fact_id,
        }
        for fact in facts
    ]


@dataclass(frozen=True)
class _Context:
    period_start: date | None
    period_end: date
    dimensions: tuple[tuple[str, str], ...]
    entity: str | None


def parse_file(path: Path) -> FilingFacts:
    """Read one filing document from disk (the document is named by its file name)."""
    path = Path(path)
    return parse_filing(path.read_bytes(), path.name)


def parse_filing(content: bytes, document: str, *, cik: str | None = None, accession: str | None = None) -> FilingFacts:
    """The revenue facts and cover facts of one inline XBRL or XBRL instance document."""
    return _Reader(content, document, cik=cik, accession=accession).read()


class _Reader:
    def __init__(self, content: bytes, document: str, *, cik: str | None, accession: str | None) -> None:
        self.content = content
        self.document = document
        self.cik = cik
        self.accession = accession
        self._context_elements: dict[str, etree._Element] = {}
        self._contexts: dict[str, _Context] = {}
        self._units: dict[str, str] = {}

    # -- errors ---------------------------------------------------------------------------------------

    def where(self) -> str:
        extra = [f"accession {self.accession}" if self.accession else "", f"CIK {self.cik}" if self.cik else ""]
        extra = [e for e in extra if e]
        return f"{self.document} ({', '.join(extra)})" if extra else self.document

    def error(self, message: str) -> SecDataError:
        return SecDataError(f"{message} in {self.where()}")

    # -- parsing --------------------------------------------------------------------------------------

    def parse_xml(self) -> etree._Element:
        if not self.content or not self.content.strip():
            raise self.error("empty document")
        parser = etree.XMLParser(huge_tree=True, recover=False, resolve_entities=False, no_network=True)
        try:
            return etree.fromstring(self.content, parser)
        except etree.XMLSyntaxError as exc:
            xml_error = exc
        # Not well-formed XML. Inline XBRL has to be XHTML, so this is only a diagnosis: is it HTML without XBRL?
        try:
            html = etree.fromstring(self.content, etree.HTMLParser(huge_tree=True, no_network=True))
        except (etree.XMLSyntaxError, ValueError):
            html = None
        looks_like_html = b"<html" in self.content[:4096].lower()
        if looks_like_html and html is not None and html.tag == "html":
            has_ix = any(
                isinstance(el.tag, str) and el.tag.lower().startswith("ix:") for el in html.iter() if el is not None
            )
            if not has_ix:
                raise self.error("no inline XBRL facts")
            raise self.error(f"malformed inline XBRL, not well-formed XHTML ({xml_error})")
        raise self.error(f"cannot parse the document as XML or HTML ({xml_error})")

    def read(self) -> FilingFacts:
        root = self.parse_xml()
        if root.tag == f"{{{NS_XBRLI}}}xbrl":
            facts, dei = self.read_instance(root)
        else:
            ix_ns = next((ns for ns in NS_IX if root.find(f".//{{{ns}}}header") is not None), None)
            if ix_ns is None:
                ix_ns = next((ns for ns in NS_IX if next(root.iter(f"{{{ns}}}*"), None) is not None), None)
            if ix_ns is None:
                kind = "inline XBRL" if etree.QName(root).localname.lower() == "html" else "XBRL"
                raise self.error(f"no {kind} facts")
            facts, dei = self.read_inline(root, ix_ns)
        return self.assemble(facts, dei, root)

    def index_contexts_and_units(self, root: etree._Element) -> None:
        for el in root.iter(f"{{{NS_XBRLI}}}context"):
            context_id = el.get("id")
            if context_id:
                self._context_elements[context_id] = el
        for el in root.iter(f"{{{NS_XBRLI}}}unit"):
            unit_id = el.get("id")
            if unit_id:
                self._units[unit_id] = self.unit_name(el)

    # -- names ----------------------------------------------------------------------------------------

    @staticmethod
    def canonical_prefix(uri: str | None, prefix: str | None) -> str | None:
        if uri:
            for pattern, fixed in _CANONICAL_NAMESPACES:
                match = pattern.match(uri)
                if match:
                    return fixed or match.group(1)
        return prefix

    def resolve_qname(self, qname: str, el: etree._Element, what: str) -> str:
        """`prefix:local` as written in an attribute or text, with the prefix made canonical."""
        qname = qname.strip()
        prefix, _, local = qname.rpartition(":")
        if not local:
            raise self.error(f"{what} {qname!r} is not a name")
        uri = el.nsmap.get(prefix or None)
        if uri is None:
            raise self.error(f"{what} {qname!r} uses an undeclared prefix {prefix!r}")
        return f"{self.prefix_for(uri, prefix or None, el, f'{what} {qname!r}')}:{local}"

    def prefix_for(self, uri: str, prefix: str | None, el: etree._Element, what: str) -> str:
        """The canonical prefix of a standard taxonomy, else the document's prefix (one declared for a default ns)."""
        canonical = self.canonical_prefix(uri, prefix)
        if canonical is None:  # written without prefix, in the default namespace: find a prefix for the same namespace
            canonical = next((p for p, u in sorted(el.nsmap.items(), key=lambda i: i[0] or "") if p and u == uri), None)
        if canonical is None:
            raise self.error(f"{what} is in namespace {uri} without a prefix")
        return canonical

    def element_concept(self, el: etree._Element) -> str:
        """`prefix:local` of an element in an XBRL instance."""
        qname = etree.QName(el)
        prefix = self.prefix_for(qname.namespace or "", el.prefix, el, f"fact element {qname.localname}")
        return f"{prefix}:{qname.localname}"

    def unit_name(self, el: etree._Element) -> str:
        def measures(parent: etree._Element | None) -> str:
            if parent is None:
                return ""
            names = [(m.text or "").strip().rpartition(":")[2] for m in parent.findall(f"{{{NS_XBRLI}}}measure")]
            return "*".join(names)

        divide = el.find(f"{{{NS_XBRLI}}}divide")
        if divide is not None:
            numerator = measures(divide.find(f"{{{NS_XBRLI}}}unitNumerator"))
            denominator = measures(divide.find(f"{{{NS_XBRLI}}}unitDenominator"))
            return f"{numerator}/{denominator}"
        return measures(el)

    # -- contexts -------------------------------------------------------------------------------------

    def context(self, context_id: str | None, concept: str) -> _Context:
        if not context_id:
            raise self.error(f"fact {concept} has no contextRef")
        cached = self._contexts.get(context_id)
        if cached is not None:
            return cached
        el = self._context_elements.get(context_id)
        if el is None:
            raise self.error(f"missing context {context_id!r} for fact {concept}")
        parsed = self.parse_context(el, context_id)
        self._contexts[context_id] = parsed
        return parsed

    def parse_context(self, el: etree._Element, context_id: str) -> _Context:
        period = el.find(f"{{{NS_XBRLI}}}period")
        if period is None:
            raise self.error(f"context {context_id!r} has no period")
        start_el = period.find(f"{{{NS_XBRLI}}}startDate")
        end_el = period.find(f"{{{NS_XBRLI}}}endDate")
        instant_el = period.find(f"{{{NS_XBRLI}}}instant")
        if start_el is not None and end_el is not None:
            start = self.period_date(start_el.text, context_id, is_end=False)
            end = self.period_date(end_el.text, context_id, is_end=True)
        elif instant_el is not None:
            start, end = None, self.period_date(instant_el.text, context_id, is_end=True)
        else:
            raise self.error(f"context {context_id!r} has neither a duration nor an instant period")
        dimensions: list[tuple[str, str]] = []
        for container in (el.find(f"{{{NS_XBRLI}}}entity/{{{NS_XBRLI}}}segment"), el.find(f"{{{NS_XBRLI}}}scenario")):
            if container is None:
                continue
            for member in container:
                if member.tag == f"{{{NS_XBRLDI}}}explicitMember":
                    axis = self.resolve_qname(
                        member.get("dimension", ""), member, f"dimension in context {context_id!r}"
                    )
                    value = self.resolve_qname(member.text or "", member, f"member in context {context_id!r}")
                elif member.tag == f"{{{NS_XBRLDI}}}typedMember":
                    axis = self.resolve_qname(
                        member.get("dimension", ""), member, f"dimension in context {context_id!r}"
                    )
                    value = " ".join("".join(member.itertext()).split())
                else:
                    continue
                dimensions.append((axis, value))
        identifier = el.find(f"{{{NS_XBRLI}}}entity/{{{NS_XBRLI}}}identifier")
        entity = (identifier.text or "").strip() if identifier is not None else None
        return _Context(start, end, tuple(sorted(dimensions)), entity)

    def period_date(self, text: str | None, context_id: str, *, is_end: bool) -> date:
        raw = (text or "").strip()
        try:
            if "T" not in raw:
                return date.fromisoformat(raw)
            moment = datetime.fromisoformat(raw.removesuffix("Z"))
        except ValueError:
            raise self.error(f"context {context_id!r} has an invalid date {raw!r}") from None
        # A dateTime end at midnight is the exclusive end of the previous day.
        if is_end and moment.time() == datetime.min.time():
            return moment.date() - timedelta(days=1)
        return moment.date()

    # -- facts ----------------------------------------------------------------------------------------

    def read_inline(self, root: etree._Element, ix_ns: str) -> tuple[list[NumericFact], dict[str, str]]:
        self.index_contexts_and_units(root)
        facts: list[NumericFact] = []
        wanted_locals = {concept.rpartition(":")[2] for concept in balance_sheet_concepts()}
        for el in root.iter(f"{{{ix_ns}}}nonFraction"):
            name = el.get("name") or ""
            local = name.rpartition(":")[2]
            if not (is_revenue_named(local) or local in wanted_locals):
                continue
            concept = self.resolve_qname(name, el, "fact name")
            if _kept(concept):  # e.g. a filer's own LongTermDebtCurrent is not the us-gaap concept
                facts.append(self.inline_fact(el, concept))
        dei: dict[str, str] = {}
        for el in root.iter(f"{{{ix_ns}}}nonNumeric"):
            name = el.get("name") or ""
            local = name.rpartition(":")[2]
            if local not in _DEI_FIELDS or local in dei:
                continue
            if self.resolve_qname(name, el, "fact name") != f"dei:{local}":
                continue
            context = self._context_elements.get(el.get("contextRef") or "")
            if context is not None and self.context(el.get("contextRef"), name).dimensions:
                continue  # e.g. one co-registrant's cover facts: the filing's own come without dimensions
            dei[local] = self.non_numeric_value(el, ix_ns)
        return facts, dei

    def non_numeric_value(self, el: etree._Element, ix_ns: str) -> str:
        text = " ".join("".join(_text_without_excludes(el, f"{{{ix_ns}}}exclude")).split())
        fmt = el.get("format")
        if fmt:
            local = fmt.rpartition(":")[2]
            if local in ("fixed-false", "booleanfalse"):
                return "false"
            if local in ("fixed-true", "booleantrue"):
                return "true"
        return text

    def inline_fact(self, el: etree._Element, concept: str) -> NumericFact:
        label, is_nil = self.fact_label(el, concept), el.get(XSI_NIL) in ("true", "1")
        scale_text = (el.get("scale") or "0").strip()
        try:
            scale = int(scale_text)
            if not -(2**31) <= scale < 2**31:  # stored as an integer
                raise ValueError
        except ValueError:
            raise self.error(f"fact {label} has an invalid scale {scale_text!r}") from None
        sign_text = el.get("sign")
        if sign_text not in (None, "-"):  # inline XBRL 1.1: the only sign is "-" (a negative value)
            raise self.error(f"fact {label} has an invalid sign {sign_text!r}: the only sign is '-'")
        sign = -1 if sign_text == "-" else 1
        formatted = " ".join("".join(el.itertext()).split())
        value = None
        if not is_nil:
            number = self.transform(el, el.get("format"), formatted, label)
            try:
                value = self.amount(number.scaleb(scale) * sign, label, formatted)
            except ArithmeticError:  # e.g. scale="99999999": beyond what a Decimal holds
                raise self.error(f"fact {label}: {formatted!r} at scale {scale} is out of range") from None
        return self.revenue_fact(el, concept, label, scale=scale, sign=sign, formatted=formatted, value=value)

    def amount(self, value: Decimal, label: str, formatted: str) -> Decimal:
        """The fact's value in plain notation, if the raw table can store it (see AMOUNT_LIMIT)."""
        if not fits_amount_column(value):
            shown = f"value {value.normalize():e} (shown {formatted!r})"
            raise self.error(f"fact {label}: {shown} is out of range: amounts must be below 1e34")
        return _normalise(value)

    @staticmethod
    def fact_label(el: etree._Element, concept: str) -> str:
        """How errors name a fact: its concept, and its id when it has one."""
        fact_id = el.get("id")
        return f"{concept}{f' (id {fact_id})' if fact_id else ''}"

    def revenue_fact(
        self, el: etree._Element, concept: str, label: str, *, scale: int, sign: int, formatted: str, value
    ) -> NumericFact:
        """The fact with its context's period and dimensions and its unit (inline and instance alike)."""
        decimals = el.get("decimals")
        if decimals is not None and not _DECIMALS.fullmatch(decimals):  # XBRL 2.1 decimalsType
            raise self.error(f"fact {label} has an invalid decimals {decimals!r}: expected an integer or INF")
        context = self.context(el.get("contextRef"), label)
        return NumericFact(
            concept=concept,
            context_id=el.get("contextRef") or "",
            period_start=context.period_start,
            period_end=context.period_end,
            dimensions=context.dimensions,
            unit=self.unit(el.get("unitRef"), label),
            decimals=decimals,
            scale=scale,
            sign=sign,
            formatted=formatted,
            value=value,
            is_nil=el.get(XSI_NIL) in ("true", "1"),
            fact_id=el.get("id"),
        )

    def unit(self, unit_ref: str | None, label: str) -> str:
        if not unit_ref:
            raise self.error(f"numeric fact {label} has no unitRef")
        unit = self._units.get(unit_ref)
        if unit is None:
            raise self.error(f"missing unit {unit_ref!r} for fact {label}")
        return unit

    def transform(self, el: etree._Element, fmt: str | None, text: str, label: str) -> Decimal:
        if not fmt:
            return self.number(_PLAIN, text, "a plain number", label)
        prefix, _, local = fmt.strip().rpartition(":")
        uri = el.nsmap.get(prefix) if prefix else None
        family = None
        if uri and uri.startswith(NS_IXT_PREFIX):
            family = "ixt"
        elif uri and uri.startswith(NS_IXT_SEC_PREFIX):
            family = "ixt-sec"
        if family == "ixt" and local in _IXT_NUMBERS:
            return self.number(_IXT_NUMBERS[local], text, fmt, label)
        if family == "ixt" and local in _IXT_ZERO:
            if local in ("zerodash", "numdash") and not _DASHES.match(text):
                raise self.error(f"fact {label}: {text!r} is not a dash for {fmt}")
            return Decimal(0)
        if family == "ixt-sec" and local == "numwordsen":
            number = _number_words(text)
            if number is None:
                raise self.error(f"fact {label}: cannot read {text!r} as English number words ({fmt})")
            return Decimal(number)
        raise self.error(f"unknown number format {fmt!r} in fact {label}")

    def number(self, pattern: re.Pattern[str], text: str, fmt: str, label: str) -> Decimal:
        match = pattern.fullmatch(text)
        if not match:
            raise self.error(f"fact {label}: cannot read {text!r} as {fmt}")
        integer = re.sub(r"\D", "", match.group("int") or "") or "0"
        fraction = match.group("frac") or ""
        return Decimal(f"{integer}.{fraction}" if fraction else integer)

    def read_instance(self, root: etree._Element) -> tuple[list[NumericFact], dict[str, str]]:
        self.index_contexts_and_units(root)
        facts: list[NumericFact] = []
        dei: dict[str, str] = {}
        wanted_locals = {concept.rpartition(":")[2] for concept in balance_sheet_concepts()}
        for el in root:
            if not isinstance(el.tag, str) or el.get("contextRef") is None:
                continue
            local = etree.QName(el).localname
            if local in _DEI_FIELDS and local not in dei:
                if (
                    self.element_concept(el) == f"dei:{local}"
                    and not self.context(el.get("contextRef"), local).dimensions
                ):
                    dei[local] = " ".join((el.text or "").split())
                continue
            if el.get("unitRef") is None or not (is_revenue_named(local) or local in wanted_locals):
                continue
            concept = self.element_concept(el)
            if _kept(concept):
                facts.append(self.instance_fact(el, concept))
        return facts, dei

    def instance_fact(self, el: etree._Element, concept: str) -> NumericFact:
        label, is_nil = self.fact_label(el, concept), el.get(XSI_NIL) in ("true", "1")
        formatted = (el.text or "").strip()
        value = None
        if not is_nil:
            try:
                if not _XS_DECIMAL.fullmatch(formatted):
                    raise InvalidOperation
                number = Decimal(formatted)
            except InvalidOperation:
                raise self.error(f"fact {label}: {formatted!r} is not a number") from None
            value = self.amount(number, label, formatted)
        return self.revenue_fact(el, concept, label, scale=0, sign=1, formatted=formatted, value=value)

    # -- result ---------------------------------------------------------------------------------------

    def assemble(self, facts: list[NumericFact], dei: dict[str, str], root: etree._Element) -> FilingFacts:
        cik = _pad_cik(dei.get("EntityCentralIndexKey"))
        if cik is None:  # fall back on the contexts' entity identifier (scheme http://www.sec.gov/CIK)
            identifier = root.find(f".//{{{NS_XBRLI}}}identifier[@scheme='http://www.sec.gov/CIK']")
            cik = _pad_cik(identifier.text if identifier is not None else None)
        amendment = dei.get("AmendmentFlag")
        kept = self.deduplicate(facts)
        return FilingFacts(
            document=self.document,
            cik=cik,
            document_type=dei.get("DocumentType") or None,
            period_end_date=self.cover_date(dei.get("DocumentPeriodEndDate")),
            fiscal_year_focus=dei.get("DocumentFiscalYearFocus") or None,
            fiscal_period_focus=dei.get("DocumentFiscalPeriodFocus") or None,
            amendment=None if amendment is None else amendment.strip().lower() in ("true", "1", "yes"),
            current_fiscal_year_end=self.fiscal_year_end(dei.get("CurrentFiscalYearEndDate")),
            facts=tuple(f for f in kept if is_revenue_named(f.concept.rpartition(":")[2])),
            balance_sheet_facts=tuple(f for f in kept if not is_revenue_named(f.concept.rpartition(":")[2])),
        )

    def cover_date(self, text: str | None) -> date | None:
        if not text:
            return None
        cleaned = re.sub(r"\s*,\s*", ", ", " ".join(text.replace("\u00a0", " ").split()))
        cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", cleaned)
        for fmt in ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%m/%d/%Y", "%B %d %Y"):
            try:
                return datetime.strptime(cleaned, fmt).date()
            except ValueError:
                continue
        raise self.error(f"cannot read dei:DocumentPeriodEndDate {text!r} as a date")

    def fiscal_year_end(self, text: str | None) -> str | None:
        """dei:CurrentFiscalYearEndDate as an xs:gMonthDay ("--09-30"); filings also show "09-30" or "September 30"."""
        if not text:
            return None
        cleaned = " ".join(text.replace("\u00a0", " ").split())
        match = re.fullmatch(r"(?:--)?(\d{1,2})[-/.](\d{1,2})", cleaned)
        if match:
            month, day = int(match.group(1)), int(match.group(2))
        else:
            try:
                parsed = datetime.strptime(f"{cleaned} 2000", "%B %d %Y")
            except ValueError:
                raise self.error(f"cannot read dei:CurrentFiscalYearEndDate {text!r} as a month and day") from None
            month, day = parsed.month, parsed.day
        try:
            date(2000, month, day)
        except ValueError:
            raise self.error(f"cannot read dei:CurrentFiscalYearEndDate {text!r} as a month and day") from None
        return f"--{month:02d}-{day:02d}"

    def deduplicate(self, facts: Iterable[NumericFact]) -> tuple[NumericFact, ...]:
        """One fact per concept, period, dimensions and unit; a different value for the same key is an error."""
        kept: dict[tuple, NumericFact] = {}
        for fact in facts:
            key = (fact.concept, fact.period_start, fact.period_end, fact.dimensions, fact.unit)
            other = kept.get(key)
            if other is None:
                kept[key] = fact
                continue
            if fact.is_nil or other.is_nil:
                kept[key] = other if fact.is_nil else fact  # a reported value beats a nil
                continue
            if not _consistent(other, fact):
                raise self.error(
                    f"conflicting duplicate facts {fact.concept} context {other.context_id!r}"
                    f"{'' if fact.context_id == other.context_id else f' / {fact.context_id!r}'} unit {fact.unit}: "
                    f"{_plain(other.value)} (id {other.fact_id}, shown {other.formatted!r}) vs "
                    f"{_plain(fact.value)} (id {fact.fact_id}, shown {fact.formatted!r})"
                )
            if _decimals_rank(fact.decimals) > _decimals_rank(other.decimals):
                kept[key] = fact  # keep the more precise of two consistent facts
        return tuple(sorted(kept.values(), key=_sort_key))


# -- number formats -----------------------------------------------------------------------------------

_WS = r"[ \t\n\r\u00a0]*"
_PLAIN = re.compile(r"(?P<int>\d+)?(?:\.(?P<frac>\d+))?(?<=\d)")
_DOT_DECIMAL = re.compile(_WS + r"(?P<int>\d{1,3}(?:[, \u00a0]\d{3})+|\d+)(?:\.(?P<frac>\d*))?" + _WS)
_COMMA_DECIMAL = re.compile(_WS + r"(?P<int>\d{1,3}(?:[. \u00a0]\d{3})+|\d+)(?:,(?P<frac>\d*))?" + _WS)
_IXT_NUMBERS = {
    "num-dot-decimal": _DOT_DECIMAL,
    "numdotdecimal": _DOT_DECIMAL,
    "numcommadot": _DOT_DECIMAL,  # transformation registry 1
    "num-comma-decimal": _COMMA_DECIMAL,
    "numcommadecimal": _COMMA_DECIMAL,
    "numdotcomma": _COMMA_DECIMAL,  # transformation registry 1
}
_IXT_ZERO = ("fixed-zero", "zerodash", "numdash")
_DASHES = re.compile(_WS + r"[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]+" + _WS)
_XS_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_DECIMALS = re.compile(r"[ \t\n\r]*(?:[+-]?\d+|INF)[ \t\n\r]*")  # xs:integer or INF, whitespace collapsed

_SMALL_NUMBERS = {
    word: n
    for n, word in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
        + ("thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
    )
}
_TENS = {
    w: 10 * (i + 2)
    for i, w in enumerate(("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"))
}
_MAGNITUDES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}


def _number_words(text: str) -> int | None:
    """English number words (ixt-sec:numwordsen): "no", "none", "twelve", "one hundred twenty-five", ..."""
    words = [w for w in re.split(r"[\s\u00a0-]+", text.strip().lower()) if w and w != "and"]
    if words in (["no"], ["none"]):
        return 0
    if not words:
        return None
    total, current, seen = 0, 0, False
    for word in words:
        if word in _SMALL_NUMBERS:
            current += _SMALL_NUMBERS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in _MAGNITUDES:
            total += (current or 1) * _MAGNITUDES[word]
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


# -- helpers --------------------------------------------------------------------------------------------


def _text_without_excludes(el: etree._Element, exclude_tag: str) -> Iterator[str]:
    if el.text:
        yield el.text
    for child in el:
        if child.tag != exclude_tag:
            yield from _text_without_excludes(child, exclude_tag)
        if child.tail:
            yield child.tail


def _normalise(value: Decimal) -> Decimal:
    """Plain notation: integral values without exponent (104108000, not 1.04108E+8), no negative zero."""
    if value == 0:
        return Decimal(0)
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def _plain(value: Decimal | None) -> str:
    return "nil" if value is None else format(value, "f")


def _decimals_rank(decimals: str | None) -> float:
    if decimals is None or decimals.strip() == "INF":
        return float("inf")
    try:
        return int(decimals)
    except ValueError:
        return float("-inf")


def _consistent(a: NumericFact, b: NumericFact) -> bool:
    """Equal once both are rounded to the less precise of the two `decimals`."""
    if a.value is None or b.value is None:  # nil facts are settled before any value is compared
        raise ValueError("a nil fact has no value to compare")
    least = min(_decimals_rank(a.decimals), _decimals_rank(b.decimals))
    if least in (float("inf"), float("-inf")):
        return a.value == b.value
    exponent = Decimal(1).scaleb(-int(least))
    return a.value.quantize(exponent, ROUND_HALF_EVEN) == b.value.quantize(exponent, ROUND_HALF_EVEN)


def _sort_key(fact: NumericFact) -> tuple:
    return (fact.concept, fact.period_end, fact.period_start or date.min, fact.dimensions, fact.unit or "")


def _pad_cik(text: str | None) -> str | None:
    digits = (text or "").strip()
    return digits.zfill(10) if digits.isdigit() else None
