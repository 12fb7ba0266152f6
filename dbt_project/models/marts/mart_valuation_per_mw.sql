-- Value per megawatt: each company's market cap and enterprise value (int_market_value_by_month, point in
-- time) over its capacity at the same month end (int_capacity_by_month): EV per energized MW, per contracted
-- MW, per EH/s and per AI MW contracted, with every input's as-of date. The latest session's row takes the
-- capacity of its own month if that month has a row yet, else of the month before.

with

market_value as (

    select * from {{ ref('int_market_value_by_month') }}

),

capacity as (

    select * from {{ ref('int_capacity_by_month') }}

),

matched as (

    select
        market_value.*,
        capacity.month_end as capacity_month_end,
        capacity.energized_mw,
        capacity.energized_as_of,
        capacity.contracted_mw,
        capacity.contracted_as_of,
        capacity.ai_mw_contracted,
        capacity.ai_contracts_as_of,
        capacity.hashrate_ehs,
        capacity.hashrate_as_of
    from market_value
    left join capacity
        on
            market_value.ticker = capacity.ticker
            and (
                (market_value.as_of_kind = 'month_end' and capacity.month_end = market_value.as_of_date)
                or (
                    market_value.as_of_kind = 'latest'
                    and capacity.month_end <= last_day(market_value.as_of_date)
                    and capacity.month_end > last_day(market_value.as_of_date) - interval 2 month
                )
            )
    qualify row_number() over (
        partition by market_value.ticker, market_value.as_of_kind, market_value.as_of_date
        order by capacity.month_end desc nulls last
    ) = 1

),

valued as (

    select
        ticker,
        as_of_kind,
        as_of_date,
        price_date,
        close,
        shares_outstanding,
        shares_as_of,
        shares_known_from,
        market_cap,
        balance_sheet_date,
        balance_sheet_known_from,
        cash,
        debt,
        debt_rule,
        enterprise_value,
        capacity_month_end,
        energized_mw,
        energized_as_of,
        contracted_mw,
        contracted_as_of,
        ai_mw_contracted,
        ai_contracts_as_of,
        hashrate_ehs,
        hashrate_as_of,
        enterprise_value / nullif(energized_mw, 0) as ev_per_energized_mw,
        enterprise_value / nullif(contracted_mw, 0) as ev_per_contracted_mw,
        enterprise_value / nullif(hashrate_ehs, 0) as ev_per_ehs,
        enterprise_value / nullif(ai_mw_contracted, 0) as ev_per_ai_mw
    from matched

)

select * from valued
