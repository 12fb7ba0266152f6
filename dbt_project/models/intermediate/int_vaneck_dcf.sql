-- VanEck's 2024 AI-pivot estimate as a discounted cash flow per miner, over a sensitivity grid.
-- Published inputs (share of power moved, pivot year, revenue and capex per MW, horizon, universe size) and
-- the declared unknowns (margin, discount rate, GPU capex per MW: a grid) live in the vaneck_dcf_assumptions
-- seed. Per miner: MW moved = share x its company-level cited power in the latest month (int_capacity_by_month;
-- none: no DCF, the row stays with nulls); revenue = MW moved x revenue per MW for horizon_years from the
-- pivot year, at full rate (no ramp); cash flow = margin x revenue, at each year end; capex = MW moved x
-- (data-centre capex + GPU capex), all on 31 December before the pivot year; NPV as of 31 December of
-- valuation_year_end.

with

miners as (

    select ticker from {{ ref('stg_reference__miners') }} where is_miner

),

assumptions as (

    select * from {{ ref('stg_reference__vaneck_dcf_assumptions') }}

),

published as (

    select
        max(case when assumption = 'share_of_power_moved' then assumption_value end) as share_of_power_moved,
        cast(max(case when assumption = 'pivot_year' then assumption_value end) as integer) as pivot_year,
        max(case when assumption = 'revenue_usd_per_mw_year' then assumption_value end) as revenue_usd_per_mw_year,
        max(case when assumption = 'dc_capex_usd_per_mw' then assumption_value end) as dc_capex_usd_per_mw,
        cast(max(case when assumption = 'horizon_years' then assumption_value end) as integer) as horizon_years,
        cast(max(case when assumption = 'universe_size' then assumption_value end) as integer) as universe_size,
        cast(max(case when assumption = 'valuation_year_end' then assumption_value end) as integer)
            as valuation_year_end
    from assumptions

),

margins as (

    select assumption_value as margin, is_base_case as is_base_margin
    from assumptions
    where assumption = 'margin'

),

gpu_capex as (

    select assumption_value as gpu_capex_usd_per_mw, is_base_case as is_base_gpu
    from assumptions
    where assumption = 'gpu_capex_usd_per_mw'

),

years as (

    select unnest(range(published.horizon_years)) as year_index
    from published

),

-- per discount rate: the present value of 1 a year over the horizon, and of 1 paid at the capex date
rates as (

    select
        assumptions.assumption_value as discount_rate,
        assumptions.is_base_case as is_base_rate,
        sum(power(
            1 + assumptions.assumption_value,
            -(published.pivot_year + years.year_index - published.valuation_year_end)
        )) as annuity_factor,
        power(1 + assumptions.assumption_value, -(published.pivot_year - 1 - published.valuation_year_end))
            as capex_discount_factor
    from assumptions
    cross join published
    cross join years
    where assumptions.assumption = 'discount_rate'
    group by all

),

-- company-level cited power (the larger of energized and contracted grid MW) in the latest month
company_power as (

    select
        ticker,
        power_mw,
        power_as_of_date,
        row_number() over (order by power_mw desc, ticker) as power_rank
    from (
        select capacity.ticker, capacity.power_mw, capacity.power_as_of as power_as_of_date
        from {{ ref('int_capacity_by_month') }} as capacity
        inner join miners using (ticker)
        where capacity.power_mw is not null
        qualify capacity.month_end = max(capacity.month_end) over ()
    ) as latest_month

),

final as (

    select
        'vaneck_2024_dcf' as scenario_set,
        miners.ticker,
        published.share_of_power_moved,
        margins.margin,
        rates.discount_rate,
        gpu_capex.gpu_capex_usd_per_mw,
        margins.is_base_margin and rates.is_base_rate and gpu_capex.is_base_gpu as is_base_case,
        company_power.power_mw,
        company_power.power_as_of_date,
        company_power.power_rank,
        coalesce(company_power.power_rank <= published.universe_size, false) as in_dcf_universe,
        published.pivot_year,
        published.horizon_years,
        make_date(published.valuation_year_end, 12, 31) as valuation_date,
        published.revenue_usd_per_mw_year,
        published.dc_capex_usd_per_mw + gpu_capex.gpu_capex_usd_per_mw as capex_usd_per_mw,
        company_power.power_mw * published.share_of_power_moved as power_mw_moved,
        company_power.power_mw * published.share_of_power_moved * published.revenue_usd_per_mw_year
            as incremental_annual_revenue_usd,
        company_power.power_mw * published.share_of_power_moved * published.revenue_usd_per_mw_year
            * margins.margin as annual_cash_flow_usd,
        company_power.power_mw * published.share_of_power_moved
            * (published.dc_capex_usd_per_mw + gpu_capex.gpu_capex_usd_per_mw) as capex_usd,
        company_power.power_mw * published.share_of_power_moved * published.revenue_usd_per_mw_year
            * margins.margin * rates.annuity_factor
            - company_power.power_mw * published.share_of_power_moved
            * (published.dc_capex_usd_per_mw + gpu_capex.gpu_capex_usd_per_mw) * rates.capex_discount_factor
            as npv_usd

    from miners
    cross join published
    cross join margins
    cross join rates
    cross join gpu_capex
    left join company_power using (ticker)

)

select * from final
