with

source as (

    select * from {{ ref('miner_fleet_efficiency') }}

),

renamed as (

    select
        cast(efficiency_id as integer) as efficiency_id,
        cast(ticker as varchar) as ticker,
        cast(as_of_date as date) as as_of_date,
        cast(as_of_date_precision as varchar) as as_of_date_precision,
        cast(fleet_efficiency_jth as double) as fleet_efficiency_jth,
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
