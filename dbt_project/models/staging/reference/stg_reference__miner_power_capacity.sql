with

source as (

    select * from {{ ref('miner_power_capacity') }}

),

renamed as (

    select
        cast(capacity_id as integer) as capacity_id,
        cast(ticker as varchar) as ticker,
        cast(as_of_date as date) as as_of_date,
        cast(as_of_date_precision as varchar) as as_of_date_precision,
        cast(kind as varchar) as kind,
        cast(scope as varchar) as scope,
        cast(site as varchar) as site,
        cast(mw_basis as varchar) as mw_basis,
        cast(power_mw as double) as power_mw,
        cast(sums_to_company as boolean) as sums_to_company,
        cast(source_url as varchar) as source_url,
        cast(quote as varchar) as quote,
        cast(confidence as varchar) as confidence,
        cast(notes as varchar) as notes,
        cast(published_date as date) as published_date,
        cast(published_date_basis as varchar) as published_date_basis

    from source
    where {{ in_universe() }}  -- rows about the universe's companies only

)

select * from renamed
