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
    where concept = 'dei:EntityCommonStockSharesOutstanding' and not is_nil
    group by accession_number

),

dated as (

    select
        filings.cik,
        filings.ticker,
        filings.accession_number,
        filings.form,
        filings.filing_date,
        filings.report_date,
        cover_dates.cover_date,
        coalesce(filings.filing_date, companyfacts_filed.filed) as filed,
        -- a cover dated before the period it reports is a tagging error, not a filing date
        case
            when cover_dates.cover_date >= filings.report_date or filings.report_date is null
                then cover_dates.cover_date
        end as usable_cover_date

    from filings
    left join companyfacts_filed
        on filings.accession_number = companyfacts_filed.accession_number
    left join cover_dates
        on filings.accession_number = cover_dates.accession_number

),

final as (

    select
        cik,
        ticker,
        accession_number,
        form,
        filing_date,
        report_date,
        cover_date,
        coalesce(filed, usable_cover_date) as known_from,
        case
            when filed is not null then 'filing_date'
            when usable_cover_date is not null then 'cover_shares_date'
        end as known_from_basis

    from dated

)

select * from final
