-- Factor returns side by side, one row per US session. Factors are picked by their role in the
-- factors seed, so swapping e.g. the AI bellwether is a seed change, not a code change.
-- A factor without a return on a session leaves its column null for that session.

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
        daily_return
    from {{ ref('int_daily_returns') }}
    where factor_role is not null

),

pivoted as (

    select
        session_index,
        -- one ticker per role (tested on the factors seed), so max() just picks that value
        max(case when factor_role = 'btc' then daily_return end) as btc_return,
        max(case when factor_role = 'ai' then daily_return end) as ai_return,
        max(case when factor_role = 'market' then daily_return end) as market_return,
        max(case when factor_role = 'sector' then daily_return end) as sector_return
    from factor_returns
    group by session_index

),

final as (

    select
        sessions.session_date,
        sessions.session_index,
        pivoted.btc_return,
        pivoted.ai_return,
        pivoted.market_return,
        pivoted.sector_return
    from sessions
    left join pivoted
        on sessions.session_index = pivoted.session_index

)

select * from final
