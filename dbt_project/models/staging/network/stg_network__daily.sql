with

source as (

    select * from {{ source('network', 'network_daily') }}

),

renamed as (

    select
        cast(source."date" as date) as network_date,
        cast(source.hashrate_ths as double) / 1e6 as hashrate_ehs,
        cast(source.difficulty as double) as difficulty,
        cast(source.blocks as integer) as blocks,
        cast(source.block_subsidy_btc as double) as block_subsidy_btc,
        cast(source.issuance_btc as double) as issuance_btc,
        cast(source.issuance_usd as double) as issuance_usd,
        cast(source.fees_btc as double) as fees_btc,
        cast(source.price_usd as double) as price_usd,
        cast(source.miners_revenue_usd as double) as miners_revenue_usd,
        cast(source.field_sources as json) as field_sources,
        -- qualified: the column shares its name with the CTE
        cast(source.source as varchar) as source,
        cast(source.is_synthetic as boolean) as is_synthetic,
        cast(source.loaded_at as timestamp) as loaded_at,
        cast(source.run_id as varchar) as run_id

    from source

)

select * from renamed
