-- AI/HPC capacity each company has committed, month by month: AI/HPC critical-IT MW by status, contract
-- value and its annualised run-rate, counterparties and concentration (contracts published by the month end),
-- and, as known at each month end (int_capacity_by_month: no figure dated or published after it), energized
-- and contracted power, self-mining hashrate, the share of power committed to AI, the latest HPC/AI revenue
-- share and factor betas.

with

capacity as (

    select * from {{ ref('int_capacity_by_month') }}

),

grid as (

    select ticker, month_end from capacity

),

contracts as (

    select
        *,
        case
            when status_as_of_source like 'terminated%' then 'terminated'
            when status_as_of_source like 'contracted%' then 'contracted'
            else 'announced'
        end as status_group
    from {{ ref('stg_reference__ai_hpc_contracts') }}
    -- capacity contracts only: a takeover bid (no MW) is not AI capacity
    where critical_it_mw is not null

),

contracts_to_date as (

    select
        grid.ticker,
        grid.month_end,
        contracts.deal_id,
        contracts.counterparty,
        contracts.status_group,
        contracts.critical_it_mw,
        contracts.contract_value_usd,
        contracts.term_years,
        contracts.source_url

    from grid
    inner join contracts
        on grid.ticker = contracts.ticker and contracts.published_date <= grid.month_end

),

by_counterparty as (

    select ticker, month_end, counterparty, sum(critical_it_mw) as counterparty_mw
    from contracts_to_date
    where status_group = 'contracted'
    group by all

),

contract_totals as (

    select
        ticker,
        month_end,
        sum(critical_it_mw) filter (where status_group = 'announced') as announced_mw,
        sum(critical_it_mw) filter (where status_group = 'terminated') as terminated_mw,
        sum(contract_value_usd) filter (where status_group = 'contracted') as contracted_value_usd,
        sum(contract_value_usd / term_years) filter (where status_group = 'contracted')
            as annualized_value_usd,
        count(*) filter (where status_group = 'contracted') as contracts,
        count(*) filter (where status_group = 'contracted' and contract_value_usd is null)
            as contracts_without_value,
        count(*) filter (where status_group = 'contracted' and coalesce(source_url, '') = '')
            as contracts_without_source

    from contracts_to_date
    group by all

),

concentration as (

    select
        ticker,
        month_end,
        string_agg(counterparty, ', ' order by counterparty_mw desc, counterparty) as counterparties,
        count(*) as counterparty_count,
        max(counterparty_mw) / sum(counterparty_mw) as largest_counterparty_share

    from by_counterparty
    group by all

),

-- the revenue mix as the market knew it at month end: the latest period reported by then, in its latest
-- vintage known by then
revenue_known as (

    select
        grid.ticker,
        grid.month_end,
        mix.hpc_ai_share,
        mix.period_end as hpc_ai_share_period_end

    from grid
    inner join {{ ref('mart_revenue_mix_vintages') }} as mix
        on grid.ticker = mix.ticker and mix.known_from <= grid.month_end
    qualify row_number() over (
        partition by grid.ticker, grid.month_end
        order by mix.period_end desc, mix.period_start desc, mix.known_from desc, mix.vintage_number desc
    ) = 1

),

betas as (

    select
        grid.ticker,
        grid.month_end,
        exposure.beta_btc,
        exposure.beta_ai,
        exposure.session_date as beta_session_date

    from grid
    inner join {{ ref('mart_factor_exposure') }} as exposure
        on grid.ticker = exposure.ticker
        and exposure.window_size = 252
        and exposure.session_date <= grid.month_end
        and exposure.session_date > grid.month_end - interval 31 day
    qualify row_number() over (partition by grid.ticker, grid.month_end order by exposure.session_date desc) = 1

),

it_ratio as (

    select assumption_value as it_mw_per_power_mw
    from {{ ref('stg_reference__ai_pivot_assumptions') }}
    where assumption = 'it_mw_per_power_mw'

),

-- The shares divide by the company's cited power (int_capacity_by_month: the larger of its latest energized
-- and contracted grid MW). AI load is critical-IT MW, which draws more grid power than its own MW (cooling,
-- losses): IT MW over grid MW is a lower bound of the share (share_of_power_ai); share_of_power_capacity first
-- converts IT MW to the grid MW they need (it_mw_per_power_mw). A company's power is at least what its AI
-- contracts need, so when those exceed every cited figure (one that predates the deals) the denominator is
-- the AI power itself: the share is 1, and is_ai_beyond_cited_power says so.
power as (

    select
        capacity.*,
        capacity.ai_mw_contracted / it_ratio.it_mw_per_power_mw as ai_power_mw

    from capacity
    cross join it_ratio

),

final as (

    select
        power.ticker,
        power.month_end,
        power.ai_mw_contracted,
        power.ai_contracts_as_of,
        coalesce(contract_totals.announced_mw, 0) as announced_mw,
        coalesce(contract_totals.terminated_mw, 0) as terminated_mw,
        coalesce(contract_totals.contracted_value_usd, 0) as contracted_value_usd,
        coalesce(contract_totals.annualized_value_usd, 0) as annualized_value_usd,
        coalesce(contract_totals.contracts, 0) as contracts,
        coalesce(contract_totals.contracts_without_value, 0) as contracts_without_value,
        coalesce(contract_totals.contracts_without_source, 0) as contracts_without_source,
        concentration.counterparties,
        coalesce(concentration.counterparty_count, 0) as counterparty_count,
        concentration.largest_counterparty_share,
        revenue_known.hpc_ai_share as latest_hpc_ai_share,
        revenue_known.hpc_ai_share_period_end,
        betas.beta_btc as latest_beta_btc,
        betas.beta_ai as latest_beta_ai,
        betas.beta_session_date,
        power.energized_mw,
        power.energized_as_of,
        power.energized_basis,
        power.contracted_mw,
        power.contracted_as_of,
        power.contracted_basis,
        power.hashrate_ehs,
        power.hashrate_as_of,
        power.power_mw,
        power.power_as_of as power_as_of_date,
        power.power_basis,
        power.ai_power_mw,
        power.ai_power_mw > power.power_mw as is_ai_beyond_cited_power,
        case
            when power.power_mw > 0
                then power.ai_mw_contracted / greatest(power.power_mw, power.ai_mw_contracted)
        end as share_of_power_ai,
        case
            when power.power_mw > 0
                then power.ai_power_mw / greatest(power.power_mw, power.ai_power_mw)
        end as share_of_power_capacity

    from power
    left join contract_totals using (ticker, month_end)
    left join concentration using (ticker, month_end)
    left join revenue_known using (ticker, month_end)
    left join betas using (ticker, month_end)

)

select * from final
