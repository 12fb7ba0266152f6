with

source as (

    select * from {{ ref('miner_power_capacity') }}

),

renamed as (

    select
        cast(capacity_id as integer) as capacity_id,
        cast(ticker as varchar) as ticker,
        cast(as_of_date as date) as as_of_date,
        cast(scope as varchar) as capacity_scope,
        cast(site as varchar) as site,
        cast(power_mw as double) as power_mw,
        cast(source_url as varchar) as source_url,
        cast(confidence as varchar) as confidence,
        cast(notes as varchar) as notes

    from source

)

select * from renamed
