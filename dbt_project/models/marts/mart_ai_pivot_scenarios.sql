-- What-if: each miner moves 10/20/30/50% of its power to AI/HPC at the $/MW/year its signed contracts
-- imply (its own contracts where it has priced ones, else the universe's), valued at a revenue multiple.
-- Assumptions and their sources live in the ai_pivot_assumptions seed; the multiple is a dbt var.

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

final as (

    select
        miners.ticker,
        shares.share_of_power_moved,
        capacity.power_mw,
        capacity.capacity_basis,
        capacity.power_as_of_date,
        capacity.power_mw * shares.share_of_power_moved * settings.it_mw_per_power_mw as it_mw_moved,
        coalesce(company_rate.usd_per_it_mw_year, universe_rate.usd_per_it_mw_year) as usd_per_it_mw_year,
        case when company_rate.ticker is not null then 'own contracts' else 'universe contracts' end as rate_basis,
        capacity.power_mw * shares.share_of_power_moved * settings.it_mw_per_power_mw
            * coalesce(company_rate.usd_per_it_mw_year, universe_rate.usd_per_it_mw_year)
            as incremental_annual_revenue_usd,
        settings.valuation_multiple,
        capacity.power_mw * shares.share_of_power_moved * settings.it_mw_per_power_mw
            * coalesce(company_rate.usd_per_it_mw_year, universe_rate.usd_per_it_mw_year)
            * settings.valuation_multiple as valuation_uplift_usd

    from miners
    cross join shares
    cross join settings
    cross join universe_rate
    left join company_rate using (ticker)
    left join capacity using (ticker)

)

select * from final
