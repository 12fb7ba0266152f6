with

source as (

    select * from {{ ref('ticker_listings') }}

),

renamed as (

    select
        cast(ticker as varchar) as ticker,
        cast(first_valid_session as date) as first_valid_session,
        cast(predecessor as varchar) as predecessor,
        cast(source_url as varchar) as source_url,
        cast(note as varchar) as note

    from source
    where {{ in_universe() }}  -- rows about the universe's companies only

)

select * from renamed
