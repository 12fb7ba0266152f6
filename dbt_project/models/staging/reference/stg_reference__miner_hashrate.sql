with

source as (

    select * from {{ ref('miner_hashrate') }}

),

renamed as (

    select
        cast(hashrate_id as integer) as hashrate_id,
        cast(ticker as varchar) as ticker,
        cast(as_of_date as date) as as_of_date,
        cast(as_of_date_precision as varchar) as as_of_date_precision,
        cast(hashrate_basis as varchar) as hashrate_basis,
        cast(measure as varchar) as measure,
        cast(hashrate_ehs as double) as hashrate_ehs,
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
