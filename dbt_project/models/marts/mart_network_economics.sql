-- What a megawatt earns mining bitcoin, day by day: miners' revenue (subsidy plus fees) over the network's
-- hashrate is the hashprice (USD per PH/s per day); a fleet at E J/TH runs 1000 / E PH/s on 1 MW, so a MW
-- earns hashprice x 1000 / E a day (macro mining_usd_per_mw_year), gross, less 8,760 MWh a year at the
-- declared power prices, net.
-- Wide, one column per efficiency and power case: one row per day charts as lines without a pivot.

{%- set efficiencies = [15, 20, 25, 30] %}
{%- set power_cases = ['low', 'high'] %}

with

network as (

    select * from {{ ref('stg_network__daily') }}

),

assumptions as (

    select * from {{ ref('stg_reference__mining_power_assumptions') }}

),

power_prices as (

    select
        {%- for case in power_cases %}
            max(assumption_value) filter (
                where assumption = 'power_price_usd_per_mwh' and case_name = '{{ case }}'
            ) as power_price_{{ case }}_usd_per_mwh{{ "," if not loop.last }}
        {%- endfor %}
    from assumptions

),

revenue as (

    select
        network_date,
        hashrate_ehs,
        difficulty,
        block_subsidy_btc,
        issuance_usd,
        fees_btc,
        price_usd,
        fees_btc * price_usd as fees_usd,
        -- subsidy plus fees from their own columns where the source has them; else its one combined figure
        case
            when issuance_usd is not null and fees_btc is not null and price_usd is not null
                then 'issuance_plus_fees'
            when miners_revenue_usd is not null then 'source_miners_revenue'
        end as miners_revenue_basis,
        case
            when issuance_usd is not null and fees_btc is not null and price_usd is not null
                then issuance_usd + fees_btc * price_usd
            else miners_revenue_usd
        end as miners_revenue_usd,
        source
    from network

),

economics as (

    select
        revenue.network_date,
        -- by the subsidy the schedule gives the day, not by a date constant
        case revenue.block_subsidy_btc
            when 12.5 then 'second_halving_2016'
            when 6.25 then 'third_halving_2020'
            when 3.125 then 'fourth_halving_2024'
            when 1.5625 then 'fifth_halving_2028'
        end as halving_era,
        revenue.hashrate_ehs,
        revenue.difficulty,
        revenue.block_subsidy_btc,
        revenue.price_usd,
        revenue.issuance_usd,
        revenue.fees_btc,
        revenue.fees_usd,
        revenue.miners_revenue_usd,
        revenue.miners_revenue_basis,
        revenue.fees_usd / nullif(revenue.miners_revenue_usd, 0) as fee_share,
        -- EH/s x 1000 = PH/s
        revenue.miners_revenue_usd / nullif(revenue.hashrate_ehs * 1000, 0) as hashprice_usd_per_phs_day,
        power_prices.*,
        revenue.source
    from revenue
    cross join power_prices

),

per_mw as (

    select
        *,
        {%- for efficiency in efficiencies %}
            {{ mining_usd_per_mw_year('hashprice_usd_per_phs_day', efficiency) }}
            as gross_usd_per_mw_year_{{ efficiency }}jth,
        {%- endfor %}
        {%- for efficiency in efficiencies %}
            {%- set last_efficiency = loop.last %}
            {%- for case in power_cases %}
                {%- set comma = "," if not (loop.last and last_efficiency) %}
                {{ mining_usd_per_mw_year('hashprice_usd_per_phs_day', efficiency) }}
                - 8760 * power_price_{{ case }}_usd_per_mwh
                as net_usd_per_mw_year_{{ efficiency }}jth_{{ case }}_power{{ comma }}
            {%- endfor %}
        {%- endfor %}
    from economics

)

select * from per_mw
