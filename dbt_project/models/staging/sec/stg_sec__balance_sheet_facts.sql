with

source as (

    select * from {{ source('sec', 'sec_balance_sheet_facts') }}

),

renamed as (

    select
        cik,
        ticker,
        accession_number,
        concept,
        context_id,
        period_end,
        dimension_count,
        axis,
        member,
        unit,
        cast(value as decimal(38, 4)) as value,
        is_nil,
        source,
        is_synthetic

    from source

)

select * from renamed
