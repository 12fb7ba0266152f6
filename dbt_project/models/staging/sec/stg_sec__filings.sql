with

source as (

    select * from {{ source('sec', 'sec_filings') }}

),

renamed as (

    select
        cik,
        ticker,
        accession_number,
        form,
        form like '%/A' as is_amendment,
        filing_date,
        report_date,
        acceptance_datetime as accepted_at,
        primary_document,
        items as form_8k_items,
        is_xbrl,
        is_inline_xbrl,
        source,
        is_synthetic,
        loaded_at

    from source

)

select * from renamed
