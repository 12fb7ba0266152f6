-- One row per filing: shares outstanding, cash and debt as that filing reports them, and the day the market
-- could know them (known_from). Facts come from the filing's own XBRL (every source, the files folder
-- included) and from companyfacts (live and snapshot); a filing read both ways keeps its XBRL's facts.
-- The seed balance_sheet_concepts says which concept is which input and in what order of preference.

with

concepts as (

    select * from {{ ref('stg_reference__balance_sheet_concepts') }}

),

filings as (

    select * from {{ ref('int_filings_known_from') }}

),

-- consolidated facts only (no axis), except the cover's shares, which a filer with several classes of
-- common stock gives per class: those are summed (share_classes says how many)
xbrl_facts as (

    select
        ticker,
        accession_number,
        concept,
        period_end,
        coalesce(
            max(value) filter (where dimension_count = 0),
            sum(value) filter (where dimension_count = 1)
        ) as value,
        case
            when count(*) filter (where dimension_count = 0) > 0 then 1
            else count(*) filter (where dimension_count = 1)
        end as share_classes,
        'filing_xbrl' as fact_source,
        cast(null as date) as companyfacts_filed
    from {{ ref('stg_sec__balance_sheet_facts') }}
    where
        not is_nil
        and value is not null
        and unit in ('USD', 'shares')
        and (
            dimension_count = 0
            or (
                concept = 'dei:EntityCommonStockSharesOutstanding'
                and dimension_count = 1
                and axis = 'us-gaap:StatementClassOfStockAxis'
            )
        )
    group by ticker, accession_number, concept, period_end

),

companyfacts as (

    select
        company_facts.ticker,
        company_facts.accession_number,
        company_facts.concept,
        company_facts.period_end,
        max(company_facts.value) as value,
        1 as share_classes,
        'companyfacts' as fact_source,
        min(company_facts.filing_date) as companyfacts_filed
    from {{ ref('stg_sec__company_facts') }} as company_facts
    inner join concepts
        on company_facts.concept = concepts.concept
    where
        company_facts.period_start is null
        and company_facts.unit in ('USD', 'shares')
        and company_facts.accession_number is not null
    group by company_facts.ticker, company_facts.accession_number, company_facts.concept, company_facts.period_end

),

-- a filing read from its own XBRL does not also take companyfacts' copy of its facts
facts as (

    select * from xbrl_facts
    union all
    select companyfacts.*
    from companyfacts
    where not exists (
        select 1
        from xbrl_facts
        where
            xbrl_facts.ticker = companyfacts.ticker
            and xbrl_facts.accession_number = companyfacts.accession_number
    )

),

-- each concept at its latest date in the filing: the comparative columns are older
latest as (

    select
        facts.*,
        concepts.valuation_input,
        concepts.precedence
    from facts
    inner join concepts
        on facts.concept = concepts.concept
    qualify facts.period_end = max(facts.period_end) over (
        partition by facts.ticker, facts.accession_number, facts.concept
    )

),

balance_sheet_dates as (

    select
        ticker,
        accession_number,
        max(period_end) as balance_sheet_date
    from latest
    where valuation_input <> 'shares'
    group by ticker, accession_number

),

-- one concept per input and filing, the first by precedence; cash and debt at the balance sheet date
picked as (

    select latest.*
    from latest
    left join balance_sheet_dates
        on
            latest.ticker = balance_sheet_dates.ticker
            and latest.accession_number = balance_sheet_dates.accession_number
    where
        latest.valuation_input = 'shares'
        or latest.period_end = balance_sheet_dates.balance_sheet_date
    qualify row_number() over (
        partition by latest.ticker, latest.accession_number, latest.valuation_input
        order by latest.precedence
    ) = 1

),

by_filing as (

    select
        ticker,
        accession_number,
        any_value(fact_source) as fact_source,
        min(companyfacts_filed) as companyfacts_filed,
        max(value) filter (where valuation_input = 'shares') as shares_outstanding,
        max(period_end) filter (where valuation_input = 'shares') as shares_as_of,
        max(concept) filter (where valuation_input = 'shares') as shares_concept,
        max(share_classes) filter (where valuation_input = 'shares') as share_classes,
        max(period_end) filter (where valuation_input <> 'shares') as balance_sheet_date,
        max(value) filter (where valuation_input = 'cash') as cash,
        max(concept) filter (where valuation_input = 'cash') as cash_concept,
        max(value) filter (where valuation_input = 'debt_current') as debt_current,
        max(concept) filter (where valuation_input = 'debt_current') as debt_current_concept,
        max(value) filter (where valuation_input = 'debt_noncurrent') as debt_noncurrent,
        max(concept) filter (where valuation_input = 'debt_noncurrent') as debt_noncurrent_concept,
        max(value) filter (where valuation_input = 'debt_total') as debt_total,
        max(concept) filter (where valuation_input = 'debt_total') as debt_total_concept
    from picked
    group by ticker, accession_number

),

valued as (

    select
        by_filing.ticker,
        by_filing.accession_number,
        filings.form,
        by_filing.fact_source,
        -- point in time: known from the filing date, never from the period end (int_filings_known_from); a
        -- companyfacts accession missing from the filings index is known from the day companyfacts says it was filed
        coalesce(filings.known_from, by_filing.companyfacts_filed) as known_from,
        coalesce(filings.known_from_basis, case when by_filing.companyfacts_filed is not null then 'filing_date' end)
            as known_from_basis,
        by_filing.shares_outstanding,
        by_filing.shares_as_of,
        by_filing.shares_concept,
        by_filing.share_classes,
        by_filing.balance_sheet_date,
        by_filing.cash,
        by_filing.cash_concept,
        -- debt: the current line plus the noncurrent line; a total concept only when neither is tagged (filers
        -- also tag a note's subtotal or the noncurrent line alone with us-gaap:LongTermDebt); a balance sheet
        -- without any debt concept has none
        case
            when by_filing.debt_current is not null or by_filing.debt_noncurrent is not null
                then coalesce(by_filing.debt_current, 0) + coalesce(by_filing.debt_noncurrent, 0)
            when by_filing.debt_total is not null then by_filing.debt_total
            when by_filing.cash is not null then 0
        end as debt,
        case
            when by_filing.debt_current is not null or by_filing.debt_noncurrent is not null
                then 'current_plus_noncurrent'
            when by_filing.debt_total is not null then 'total'
            when by_filing.cash is not null then 'none_tagged'
        end as debt_rule,
        case
            when by_filing.debt_current is not null or by_filing.debt_noncurrent is not null
                then concat_ws(' + ', by_filing.debt_current_concept, by_filing.debt_noncurrent_concept)
            else by_filing.debt_total_concept
        end as debt_concepts
    from by_filing
    left join filings
        on
            by_filing.ticker = filings.ticker
            and by_filing.accession_number = filings.accession_number

)

select * from valued
