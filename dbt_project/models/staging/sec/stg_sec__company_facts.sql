with

source as (

    select * from {{ source('sec', 'sec_company_facts') }}

),

renamed as (

    select
        cik,
        ticker,
        taxonomy,
        concept,
        unit,
        period_start,
        period_end,
        cast(value as decimal(38, 4)) as value,
        accession_number,
        -- companyfacts' fy/fp describe the filing, not the fact's period: renamed to say so
        fiscal_year as filing_fiscal_year,
        fiscal_period as filing_fiscal_period,
        form,
        filed as filing_date,
        frame as calendar_frame,
        source,
        is_synthetic

    from source

)

select * from renamed
