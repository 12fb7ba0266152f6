-- Factor returns side by side, one row per US session. Factors are picked by their role in the
-- factors seed, so swapping e.g. the AI bellwether is a seed change, not a code change.
-- A factor without a return on a session leaves its column null for that session.
-- btc_previous_return is bitcoin's return on the session before (the Dimson lag of the event study's
-- market_btc model): Yahoo's BTC-USD bar closes at 00:00 UTC, three (EST) or four (EDT) hours after
-- the US close, so part of a session's news reaches bitcoin's previous bar and bitcoin's evening
-- reaches the stock a session late.
--
-- Incremental, keyed by session (macros/incremental_by_session.sql): a build recomputes the sessions from
-- the first one whose factor returns were rebuilt since its last build, reading one session before it (for
-- bitcoin's previous return).

{{ config(
    materialized='incremental',
    unique_key='session_index',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{{ add_rebuilt_at_if_missing() }}",
) }}

with

sessions as (

    select
        session_date,
        session_index
    from {{ ref('int_us_sessions') }}

),

factor_returns as (

    select
        session_index,
        factor_role,
        daily_return,
        rebuilt_at
    from {{ ref('int_daily_returns') }}
    where factor_role is not null

),

{% if is_incremental() %}

recompute_from as (

    select coalesce(
        min(session_index),
        (select max(sessions.session_index) + 1 from sessions)
    ) as session_index
    from factor_returns
    where rebuilt_at > {{ last_rebuilt_at() }}

),

{% endif %}

pivoted as (

    select
        session_index,
        -- one ticker per role (tested on the factors seed), so max() just picks that value
        max(case when factor_role = 'btc' then daily_return end) as btc_return,
        max(case when factor_role = 'ai' then daily_return end) as ai_return,
        max(case when factor_role = 'market' then daily_return end) as market_return,
        max(case when factor_role = 'sector' then daily_return end) as sector_return
    from factor_returns
    {% if is_incremental() %}
        where session_index >= (select recompute_from.session_index - 1 from recompute_from)
    {% endif %}
    group by session_index

),

with_previous as (

    select
        sessions.session_date,
        sessions.session_index,
        pivoted.btc_return,
        -- one row per session (the left join from sessions), so the previous row is the previous session
        lag(pivoted.btc_return) over (order by sessions.session_index) as btc_previous_return,
        pivoted.ai_return,
        pivoted.market_return,
        pivoted.sector_return
    from sessions
    left join pivoted
        on sessions.session_index = pivoted.session_index
    {% if is_incremental() %}
        where sessions.session_index >= (select recompute_from.session_index - 1 from recompute_from)
    {% endif %}

),

final as (

    select
        *,
        {{ rebuilt_at() }} as rebuilt_at
    from with_previous
    {% if is_incremental() %}
        where session_index >= (select recompute_from.session_index from recompute_from)
    {% endif %}

)

select * from final
