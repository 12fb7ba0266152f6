-- What a megawatt earned each company per period, mining against AI/HPC, from what was public when the period's
-- revenue was (the filing's known_from): every input carries the date it describes and the date it was public.
--
-- * Self-mining revenue and reported HPC/AI revenue: the revenue mix (the served vintage).
-- * Average self-mining hashrate: the mean of the opening figure (the latest dated in the
--   var('unit_economics_opening_window_days') before the period's first day: the previous month-end update)
--   and every figure dated within the period; only figures published by known_from.
-- * Realised revenue per EH/s per day (self-mining revenue / days / hashrate) against the network's, the mean
--   hashprice of the period's days x 1000 (mart_network_economics): the realisation ratio is their quotient
--   (below 1: curtailment, pool fees, stale or idle hashrate, hashrate quoted above what mined on average).
-- * Mining revenue per energized MW per year: annualised self-mining revenue over the latest energized grid MW
--   at the period end (the company's whole energized power, so hosting and HPC load dilute it), no older than
--   var('unit_economics_max_figure_age_days'); the fleet efficiency likewise.
-- * Per MW of the company's own machines at its fleet efficiency E (1 MW runs 1 / E EH/s): realised revenue per
--   EH/s per day x 365 / E, against the network's hashprice at E (macro mining_usd_per_mw_year).
-- * AI/HPC revenue per MW per year from the leases and colocation contracts signed and published by the period
--   end (cloud services, where the company also supplies the GPUs, left out): the sum of
--   value / term over the sum of their critical-IT MW, and per grid MW at the declared IT MW per MW of power
--   (seed ai_pivot_assumptions: 1 / PUE); and from reported HPC/AI revenue over the critical-IT MW contracted.
-- * Pivot multiple: contract revenue per grid MW over mining revenue per energized MW; and at the market's
--   contracts (every universe company's signed and published by the period end), for a company with none.

with

periods as (

    select
        ticker,
        period_type,
        fiscal_year,
        fiscal_quarter,
        period_start,
        period_end,
        datediff('day', period_start, period_end) + 1 as period_days,
        self_mining_revenue,
        hpc_ai_revenue,
        vintage_accession,
        known_from
    from {{ ref('mart_revenue_mix') }}

),

figures as (

    select * from {{ ref('int_company_figures') }}

),

-- the self-mining hashrate of a period: the latest figure dated in the opening window before its first day (a
-- month-end update) and every figure dated within it, each published by known_from; their mean is the average
hashrate_points as (

    select
        periods.ticker,
        periods.period_start,
        periods.period_end,
        figures.figure,
        figures.as_of_date,
        figures.published_date,
        figures.as_of_date <= periods.period_start as is_opening
    from periods
    inner join figures
        on
            periods.ticker = figures.ticker
            and figures.measure = 'hashrate'
            and figures.as_of_date <= periods.period_end
            and figures.as_of_date >= periods.period_start - {{ var('unit_economics_opening_window_days') }}
            and figures.published_date <= periods.known_from
    qualify not is_opening or row_number() over (
        partition by periods.ticker, periods.period_start, periods.period_end, is_opening
        order by figures.as_of_date desc
    ) = 1

),

hashrate as (

    select
        ticker,
        period_start,
        period_end,
        avg(figure) as avg_hashrate_ehs,
        count(*) as hashrate_points,
        case
            when bool_or(is_opening) and count(*) > 1 then 'opening_and_in_period'
            when bool_or(is_opening) then 'opening_only'
            else 'in_period_only'
        end as hashrate_basis,
        min(as_of_date) as hashrate_first_as_of,
        max(as_of_date) as hashrate_last_as_of,
        max(published_date) as hashrate_published
    from hashrate_points
    group by ticker, period_start, period_end

),

-- the energized MW and the fleet efficiency a period reads: the latest figure dated on or before its end,
-- published by known_from and no older than the age limit there
probes as (

    select ticker, period_start, period_end, known_from, 'energized' as probe, period_end as probe_date
    from periods
    union all
    select ticker, period_start, period_end, known_from, 'fleet_efficiency' as probe, period_end as probe_date
    from periods

),

probed as (

    select
        probes.ticker,
        probes.period_start,
        probes.period_end,
        probes.probe,
        figures.figure,
        figures.as_of_date,
        figures.published_date
    from probes
    inner join figures
        on
            probes.ticker = figures.ticker
            and probes.probe = figures.measure
            and figures.as_of_date <= probes.probe_date
            and figures.as_of_date >= probes.probe_date - {{ var('unit_economics_max_figure_age_days') }}
            and figures.published_date <= probes.known_from
    qualify row_number() over (
        partition by probes.ticker, probes.period_start, probes.period_end, probes.probe
        order by figures.as_of_date desc, figures.figure_basis
    ) = 1

),

{%- for probe in ['energized', 'fleet_efficiency'] %}

{{ probe }} as (

    select * from probed where probe = '{{ probe }}'

),
{%- endfor %}

network as (

    select
        periods.ticker,
        periods.period_start,
        periods.period_end,
        count(*) as network_days,
        avg(economics.hashprice_usd_per_phs_day) as network_hashprice_usd_per_phs_day
    from periods
    inner join {{ ref('mart_network_economics') }} as economics
        on economics.network_date between periods.period_start and periods.period_end
    where economics.hashprice_usd_per_phs_day is not null
    group by periods.ticker, periods.period_start, periods.period_end

),

it_mw_per_power_mw as (

    select max(assumption_value) as it_mw_per_power_mw
    from {{ ref('stg_reference__ai_pivot_assumptions') }}
    where assumption = 'it_mw_per_power_mw'

),

-- signed AI/HPC leases and colocation contracts public by the period end, the company's own and every universe
-- company's (the market's); value per year only where value, term and MW are all given. Cloud-services
-- contracts are left out: their revenue pays for the GPUs the company buys too, not for its MW alone.
signed_contracts as (

    select
        ticker,
        published_date,
        critical_it_mw,
        case when contract_value_usd is not null and term_years > 0 then critical_it_mw end as mw_with_value,
        case when contract_value_usd is not null and term_years > 0 then contract_value_usd / term_years end
        as usd_per_year
    from {{ ref('stg_reference__ai_hpc_contracts') }}
    where status_as_of_source like 'contracted%' and critical_it_mw > 0 and contract_kind = 'lease_or_colocation'

),

contracts as (

    select
        periods.ticker,
        periods.period_start,
        periods.period_end,
        sum(signed_contracts.critical_it_mw) as ai_it_mw_contracted,
        sum(signed_contracts.mw_with_value) as ai_it_mw_with_value,
        sum(signed_contracts.usd_per_year) as ai_contract_usd_per_year,
        count(signed_contracts.usd_per_year) as ai_contracts_with_value,
        max(signed_contracts.published_date) as ai_contracts_published
    from periods
    inner join signed_contracts
        on periods.ticker = signed_contracts.ticker and signed_contracts.published_date <= periods.period_end
    group by periods.ticker, periods.period_start, periods.period_end

),

market_contracts as (

    select
        periods.ticker,
        periods.period_start,
        periods.period_end,
        sum(signed_contracts.usd_per_year) / nullif(sum(signed_contracts.mw_with_value), 0)
        as market_ai_contract_usd_per_it_mw_year,
        count(signed_contracts.usd_per_year) as market_ai_contracts_with_value
    from periods
    inner join signed_contracts on signed_contracts.published_date <= periods.period_end
    group by periods.ticker, periods.period_start, periods.period_end

),

joined as (

    select
        periods.*,
        hashrate.avg_hashrate_ehs,
        hashrate.hashrate_basis,
        coalesce(hashrate.hashrate_points, 0) as hashrate_points,
        hashrate.hashrate_first_as_of,
        hashrate.hashrate_last_as_of,
        hashrate.hashrate_published,
        energized.figure as energized_mw,
        energized.as_of_date as energized_as_of,
        energized.published_date as energized_published,
        fleet_efficiency.figure as fleet_efficiency_jth,
        fleet_efficiency.as_of_date as fleet_efficiency_as_of,
        fleet_efficiency.published_date as fleet_efficiency_published,
        case
            when network.network_days >= periods.period_days * {{ var('unit_economics_min_network_coverage') }}
                then network.network_hashprice_usd_per_phs_day
        end as network_hashprice_usd_per_phs_day,
        coalesce(network.network_days, 0) as network_days,
        contracts.ai_it_mw_contracted,
        contracts.ai_it_mw_with_value,
        contracts.ai_contract_usd_per_year,
        coalesce(contracts.ai_contracts_with_value, 0) as ai_contracts_with_value,
        contracts.ai_contracts_published,
        market_contracts.market_ai_contract_usd_per_it_mw_year,
        coalesce(market_contracts.market_ai_contracts_with_value, 0) as market_ai_contracts_with_value,
        it_mw_per_power_mw.it_mw_per_power_mw
    from periods
    left join hashrate using (ticker, period_start, period_end)
    left join energized using (ticker, period_start, period_end)
    left join fleet_efficiency using (ticker, period_start, period_end)
    left join network using (ticker, period_start, period_end)
    left join contracts using (ticker, period_start, period_end)
    left join market_contracts using (ticker, period_start, period_end)
    cross join it_mw_per_power_mw

),

unit_economics as (

    select
        *,
        self_mining_revenue / period_days / nullif(avg_hashrate_ehs, 0) as realised_usd_per_ehs_day,
        network_hashprice_usd_per_phs_day * 1000 as network_usd_per_ehs_day,
        self_mining_revenue * 365.0 / period_days / nullif(energized_mw, 0) as mining_usd_per_energized_mw_year,
        -- a MW of machines at E J/TH runs 1 / E EH/s: realised per EH/s, and the network's hashprice, per MW
        self_mining_revenue / period_days / nullif(avg_hashrate_ehs, 0) * 365 / fleet_efficiency_jth
        as realised_mining_usd_per_machine_mw_year,
        {{ mining_usd_per_mw_year('network_hashprice_usd_per_phs_day', 'fleet_efficiency_jth') }}
        as network_mining_usd_per_machine_mw_year,
        ai_contract_usd_per_year / nullif(ai_it_mw_with_value, 0) as ai_contract_usd_per_it_mw_year,
        ai_contract_usd_per_year / nullif(ai_it_mw_with_value, 0) * it_mw_per_power_mw
        as ai_contract_usd_per_grid_mw_year,
        market_ai_contract_usd_per_it_mw_year * it_mw_per_power_mw as market_ai_contract_usd_per_grid_mw_year,
        case
            when hpc_ai_revenue > 0
                then hpc_ai_revenue * 365.0 / period_days / nullif(ai_it_mw_contracted, 0)
        end as reported_hpc_ai_usd_per_contracted_it_mw_year
    from joined

),

final as (

    select
        ticker,
        period_type,
        fiscal_year,
        fiscal_quarter,
        period_start,
        period_end,
        period_days,
        vintage_accession,
        known_from,
        self_mining_revenue,
        avg_hashrate_ehs,
        hashrate_basis,
        hashrate_points,
        hashrate_first_as_of,
        hashrate_last_as_of,
        hashrate_published,
        realised_usd_per_ehs_day,
        network_hashprice_usd_per_phs_day,
        network_usd_per_ehs_day,
        network_days,
        realised_usd_per_ehs_day / nullif(network_usd_per_ehs_day, 0) as realisation_ratio,
        energized_mw,
        energized_as_of,
        energized_published,
        mining_usd_per_energized_mw_year,
        fleet_efficiency_jth,
        fleet_efficiency_as_of,
        fleet_efficiency_published,
        realised_mining_usd_per_machine_mw_year,
        network_mining_usd_per_machine_mw_year,
        ai_it_mw_contracted,
        ai_it_mw_with_value,
        ai_contracts_with_value,
        ai_contracts_published,
        ai_contract_usd_per_it_mw_year,
        it_mw_per_power_mw,
        ai_contract_usd_per_grid_mw_year,
        hpc_ai_revenue,
        reported_hpc_ai_usd_per_contracted_it_mw_year,
        ai_contract_usd_per_grid_mw_year / nullif(mining_usd_per_energized_mw_year, 0) as pivot_multiple,
        market_ai_contracts_with_value,
        market_ai_contract_usd_per_grid_mw_year,
        market_ai_contract_usd_per_grid_mw_year / nullif(mining_usd_per_energized_mw_year, 0)
        as pivot_multiple_at_market_contracts
    from unit_economics

)

select * from final
