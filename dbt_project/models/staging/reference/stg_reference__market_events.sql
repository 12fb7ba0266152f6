with

source as (

    select * from {{ ref('market_events') }}

),

renamed as (

    select
        cast(event_id as varchar) as event_id,
        cast(event_date as date) as event_date,
        cast(event_date_precision as varchar) as event_date_precision,
        cast(first_us_session as date) as first_us_session,
        cast(event as varchar) as event_name,
        cast(detail as varchar) as detail,
        cast(source_url as varchar) as source_url,
        cast(confidence as varchar) as confidence,
        cast(event_date_as_reported as varchar) as event_date_as_reported,
        cast(first_us_session_as_reported as varchar) as first_us_session_as_reported,
        cast(category as varchar) as category

    from source

)

select * from renamed
