-- Close-to-close returns on the US session calendar, one row per ticker and session on which the
-- ticker has a price.
--
-- Which bar belongs to a session: the ticker's latest bar dated after the previous US session
-- and on or before this session. For equities that is simply the bar dated on the session.
-- For BTC-USD (a bar every calendar day) it is the bar dated on the session, so its return over
-- a weekend or holiday is Friday close to Monday close, the same span equities see; if BTC-USD
-- lacks the bar for a session date, its latest earlier bar is used, but never one dated on or
-- before the previous session: a stale price would otherwise fake a zero return and make the
-- next return span several sessions.
--
-- A return is only computed when the ticker also has a price on the immediately previous US
-- session (session_index - 1); after a gap or on the first day it is null.
--
-- One company at a time: a ticker listed in stg_reference__ticker_listings keeps only its bars dated
-- on or after first_valid_session (earlier bars are a SPAC's, a reverse-merger shell's or a
-- predecessor's). Its first valid session therefore has no previous price and a null return: the
-- return that would span from the predecessor's last close is never computed.
--
-- Incremental, keyed by session (macros/incremental_by_session.sql): a build recomputes, per ticker, the
-- sessions from the first one holding a bar loaded since the last build, and every ticker's sessions from the
-- first session the calendar did not already have (an appended session, or an earlier one inserted, which
-- renumbers the later ones). It reads the bars from one session before that (the previous price). Edits to
-- the listings or factors seeds reach existing rows with `miners run --full-refresh`.

{{ config(
    materialized='incremental',
    unique_key=['ticker', 'session_date'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{{ add_rebuilt_at_if_missing() }}",
) }}

with

sessions as (

    select
        session_date,
        session_index,
        previous_session_date
    from {{ ref('int_us_sessions') }}

),

prices as (

    select
        ticker,
        trade_date,
        close,
        adj_close,
        is_synthetic,
        source,
        loaded_at
    from {{ ref('stg_yahoo__daily_prices') }}

),

listings as (

    select
        ticker,
        first_valid_session
    from {{ ref('stg_reference__ticker_listings') }}

),

listed_prices as (

    select prices.*
    from prices
    left join listings
        on prices.ticker = listings.ticker
    where listings.first_valid_session is null
        or prices.trade_date >= listings.first_valid_session

),

factors as (

    select
        ticker,
        factor_role
    from {{ ref('stg_reference__factors') }}

),

{% if is_incremental() %}

-- the first session the calendar did not already have, as this model's rows of the market factor show it
first_new_session as (

    select coalesce(
        (
            select min(sessions.session_index)
            from sessions
            left join {{ this }} as built
                on sessions.session_date = built.session_date
                and sessions.session_index = built.session_index
                and built.ticker = (select factors.ticker from factors where factors.factor_role = 'market')
            where built.session_date is null
        ),
        (select max(sessions.session_index) + 1 from sessions)
    ) as session_index

),

-- per ticker, the first session to recompute: the session of its earliest bar loaded since the last build (a
-- bar belongs to the first session on or after its date), or the first new session
first_loaded as (

    select
        ticker,
        min(case when loaded_at > {{ last_rebuilt_at() }} then trade_date end) as first_loaded_date
    from listed_prices
    group by ticker

),

recompute_from as (

    select
        first_loaded.ticker,
        least(
            first_new_session.session_index,
            coalesce(
                (
                    select min(sessions.session_index)
                    from sessions
                    where sessions.session_date >= first_loaded.first_loaded_date
                ),
                first_new_session.session_index
            )
        ) as session_index
    from first_loaded
    cross join first_new_session

),

{% endif %}

bars_in_session_interval as (

    select
        prices.ticker,
        sessions.session_date,
        sessions.session_index,
        sessions.previous_session_date,
        prices.trade_date,
        prices.close,
        prices.adj_close,
        prices.is_synthetic,
        prices.source
    from listed_prices as prices
    inner join sessions
        on prices.trade_date <= sessions.session_date
        -- the first session has no previous one: only its own date qualifies
        and prices.trade_date > coalesce(sessions.previous_session_date, sessions.session_date - 1)
    {% if is_incremental() %}
        -- from the session before the first one recomputed: its price is the previous price
        inner join recompute_from
            on prices.ticker = recompute_from.ticker
            and sessions.session_index >= recompute_from.session_index - 1
    {% endif %}

),

session_prices as (

    select
        ticker,
        session_date,
        session_index,
        previous_session_date,
        close,
        adj_close,
        coalesce(adj_close, close) as price_for_returns,
        is_synthetic,
        source
    from bars_in_session_interval
    -- latest bar of the interval (the session's own bar when present)
    qualify row_number() over (partition by ticker, session_index order by trade_date desc) = 1

),

with_previous as (

    select
        *,
        lag(session_index) over ticker_sessions as previous_priced_session_index,
        lag(price_for_returns) over ticker_sessions as previous_price_for_returns
    from session_prices
    window ticker_sessions as (partition by ticker order by session_index)

),

final as (

    select
        with_previous.ticker,
        with_previous.session_date,
        with_previous.session_index,
        with_previous.close,
        with_previous.adj_close,
        with_previous.price_for_returns,
        with_previous.previous_session_date,
        case
            when with_previous.previous_priced_session_index = with_previous.session_index - 1
                then with_previous.price_for_returns / with_previous.previous_price_for_returns - 1
        end as daily_return,
        factors.factor_role,
        with_previous.is_synthetic,
        with_previous.source,
        {{ rebuilt_at() }} as rebuilt_at
    from with_previous
    left join factors
        on with_previous.ticker = factors.ticker
    {% if is_incremental() %}
        inner join recompute_from
            on with_previous.ticker = recompute_from.ticker
            and with_previous.session_index >= recompute_from.session_index
    {% endif %}

)

select * from final
