-- For events dated to the day, the reaction session can never precede the event. (Events with an
-- approximate date are excluded: their nominal date may fall after the real news.)
{{ config(severity='error', meta={'dagster': {'ref': {'name': 'mart_event_reactions'}}}) }}

with

reactions as (

    select
        ticker,
        event_id,
        event_date,
        session_date
    from {{ ref('mart_event_reactions') }}

),

events as (

    select
        event_id,
        event_date_precision
    from {{ ref('stg_reference__market_events') }}

)

select reactions.*
from reactions
inner join events
    on reactions.event_id = events.event_id
where events.event_date_precision = 'day'
    and reactions.session_date < reactions.event_date
