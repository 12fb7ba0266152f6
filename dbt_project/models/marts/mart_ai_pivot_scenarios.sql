-- What-if: each miner moves 10/20/30/50% of its power to AI/HPC at the $/MW/year its signed contracts
-- imply (its own contracts where it has priced ones, else the universe's), valued at a revenue multiple.
-- Assumptions and their sources live in the ai_pivot_assumptions seed; the multiple is a dbt var.
-- Scenario set 'ev_multiple'. Beside it, scenario set 'vaneck_2024_dcf': VanEck's 2024 estimate as a
-- discounted cash flow over a sensitivity grid of its unpublished inputs (int_vaneck_dcf).

with

miners as (

    select ticker from {{ ref('stg_reference__miners') }} where is_miner

),

assumptions as (

    select * from {{ ref('stg_reference__ai_pivot_assumptions') }}

),

shares as (

    select assumption_value as share_of_power_moved
    from assumptions
    where assumption = 'share_of_power_moved'

),

settings as (

    select
        {% if var('ai_pivot_valuation_multiple') is not none %}
            cast({{ var('ai_pivot_valuation_multiple') }} as double)
        {% else %}
            (select assumption_value from assumptions where assumption = 'valuation_multiple')
        {% endif %} as valuation_multiple,
        (select assumption_value from assumptions where assumption = 'it_mw_per_power_mw') as it_mw_per_power_mw

),

priced_contracts as (

    select ticker, critical_it_mw, contract_value_usd / term_years as annual_value_usd
    from {{ ref('stg_reference__ai_hpc_contracts') }}
    where status_as_of_source like 'contracted%'
        and critical_it_mw > 0 and contract_value_usd > 0 and term_years > 0

),

universe_rate as (

    select sum(annual_value_usd) / sum(critical_it_mw) as usd_per_it_mw_year
    from priced_contracts

),

company_rate as (

    select ticker, sum(annual_value_usd) / sum(critical_it_mw) as usd_per_it_mw_year
    from priced_contracts
    group by ticker

),

-- the company's cited power in the latest month (int_capacity_by_month); else the largest cited site
-- (grid MW, energized or contracted, its latest figure): a lower bound, since cited sites can overlap
company_power as (

    select ticker, power_mw, power_as_of as power_as_of_date, 'company' as capacity_basis
    from {{ ref('int_capacity_by_month') }}
    where power_mw is not null
    qualify month_end = max(month_end) over ()

),

largest_site as (

    select ticker, power_mw, as_of_date as power_as_of_date, 'largest cited site (lower bound)' as capacity_basis
    from (
        select *
        from {{ ref('stg_reference__miner_power_capacity') }}
        where scope = 'site' and mw_basis = 'grid' and kind in ('energized', 'contracted')
        qualify row_number() over (partition by ticker, site order by as_of_date desc, power_mw desc) = 1
    ) as latest_per_site
    qualify row_number() over (partition by ticker order by power_mw desc, as_of_date desc) = 1

),

capacity as (

    select * from company_power
    union all
    select * from largest_site
    where largest_site.ticker not in (select company_power.ticker from company_power)

),

ev_multiple as (

    select
        'ev_multiple' as scenario_set,
        miners.ticker,
        shares.share_of_power_moved,
        cast(null as double) as margin,
        cast(null as double) as discount_rate,
        cast(null as double) as gpu_capex_usd_per_mw,
        cast(null as boolean) as is_base_case,
        capacity.power_mw,
        capacity.capacity_basis,
        capacity.power_as_of_date,
        capacity.power_mw * shares.share_of_power_moved as power_mw_moved,
        capacity.power_mw * shares.share_of_power_moved * settings.it_mw_per_power_mw as it_mw_moved,
        coalesce(company_rate.usd_per_it_mw_year, universe_rate.usd_per_it_mw_year) as usd_per_it_mw_year,
        case when company_rate.ticker is not null then 'own contracts' else 'universe contracts' end as rate_basis,
        capacity.power_mw * shares.share_of_power_moved * settings.it_mw_per_power_mw
            * coalesce(company_rate.usd_per_it_mw_year, universe_rate.usd_per_it_mw_year)
            as incremental_annual_revenue_usd,
        settings.valuation_multiple,
        capacity.power_mw * shares.share_of_power_moved * settings.it_mw_per_power_mw
            * coalesce(company_rate.usd_per_it_mw_year, universe_rate.usd_per_it_mw_year)
            * settings.valuation_multiple as valuation_uplift_usd,
        cast(null as bigint) as power_rank,
        cast(null as boolean) as in_dcf_universe,
        cast(null as integer) as pivot_year,
        cast(null as integer) as horizon_years,
        cast(null as date) as valuation_date,
        cast(null as double) as revenue_usd_per_mw_year,
        cast(null as double) as capex_usd_per_mw,
        cast(null as double) as annual_cash_flow_usd,
        cast(null as double) as capex_usd,
        cast(null as double) as npv_usd

    from miners
    cross join shares
    cross join settings
    cross join universe_rate
    left join company_rate using (ticker)
    left join capacity using (ticker)

),

vaneck_dcf as (

    select
        scenario_set,
        ticker,
        share_of_power_moved,
        margin,
        discount_rate,
        gpu_capex_usd_per_mw,
        is_base_case,
        power_mw,
        case when power_mw is not null then 'company' end as capacity_basis,
        power_as_of_date,
        power_mw_moved,
        cast(null as double) as it_mw_moved,
        cast(null as double) as usd_per_it_mw_year,
        cast(null as varchar) as rate_basis,
        incremental_annual_revenue_usd,
        cast(null as double) as valuation_multiple,
        cast(null as double) as valuation_uplift_usd,
        power_rank,
        in_dcf_universe,
        pivot_year,
        horizon_years,
        valuation_date,
        revenue_usd_per_mw_year,
        capex_usd_per_mw,
        annual_cash_flow_usd,
        capex_usd,
        npv_usd
    from {{ ref('int_vaneck_dcf') }}

),

final as (

    select * from ev_multiple
    union all
    select * from vaneck_dcf

)

select * from final
