-- The day the market could know each filing's numbers (point in time: never the period end). EDGAR gives the
-- filing date; companyfacts gives the date it was filed for facts it carries; a local document has neither,
-- so its cover page's shares-outstanding date, which precedes filing by days, stands in for it.

with

filings as (

    select * from {{ ref('stg_sec__filings') }}

),

companyfacts_filed as (

    select
        accession_number,
        min(filing_date) as filed
    from {{ ref('stg_sec__company_facts') }}
    where accession_number is not null
    group by accession_number

),

cover_dates as (

    select
        accession_number,
        max(period_end) as cover_date
    from {{ ref('stg_sec__balance_sheet_facts') }}
    where concept = 'dei:EntityCommonStockSharesOutstanding'
    group by accession_number

),

final as (

    select
        filings.cik,
        filings.ticker,
        filings.accession_number,
        filings.form,
        filings.filing_date,
        filings.report_date,
        cover_dates.cover_date,
        coalesce(filings.filing_date, companyfacts_filed.filed, cover_dates.cover_date) as known_from,
        case
            when coalesce(filings.filing_date, companyfacts_filed.filed) is not null then 'filing_date'
            when cover_dates.cover_date is not null then 'cover_shares_date'
        end as known_from_basis

    from filings
    left join companyfacts_filed
        on filings.accession_number = companyfacts_filed.accession_number
    left join cover_dates
        on filings.accession_number = cover_dates.accession_number

)

select * from final
