-- Power, AI/HPC contracts and self-mining hashrate per company as known at each month end: the latest
-- company-level figure (int_company_figures) dated and published on or before the month end, never one
-- published later (no look-ahead).

with

companies as (

    select ticker from {{ ref('stg_reference__miners') }}

),

sessions as (

    select session_date from {{ ref('int_us_sessions') }}

),

month_ends as (

    select cast(last_day(month_start) as date) as month_end
    from (
        select unnest(generate_series(
            (select date_trunc('month', min(session_date)) from sessions),
            (select max(session_date) from sessions),
            interval 1 month
        )) as month_start
    ) as months

),

grid as (

    select companies.ticker, month_ends.month_end
    from companies
    cross join month_ends

),

figures as (

    select * from {{ ref('int_company_figures') }}

),

-- per month end and measure, the latest figure dated and published by then (a company row before a sum of
-- sites that day)
latest as (

    select
        grid.ticker,
        grid.month_end,
        figures.measure,
        figures.figure,
        figures.as_of_date,
        figures.figure_basis

    from grid
    inner join figures
        on
            grid.ticker = figures.ticker
            and figures.as_of_date <= grid.month_end
            and figures.published_date <= grid.month_end
    qualify row_number() over (
        partition by grid.ticker, grid.month_end, figures.measure
        order by figures.as_of_date desc, figures.figure_basis
    ) = 1

),

latest_by_month as (

    select
        ticker,
        month_end,
        max(figure) filter (where measure = 'energized') as energized_mw,
        max(as_of_date) filter (where measure = 'energized') as energized_as_of,
        max(figure_basis) filter (where measure = 'energized') as energized_basis,
        max(figure) filter (where measure = 'contracted') as contracted_mw,
        max(as_of_date) filter (where measure = 'contracted') as contracted_as_of,
        max(figure_basis) filter (where measure = 'contracted') as contracted_basis,
        max(figure) filter (where measure = 'hashrate') as hashrate_ehs,
        max(as_of_date) filter (where measure = 'hashrate') as hashrate_as_of

    from latest
    group by ticker, month_end

),

-- signed AI/HPC contracts announced by the month end (critical-IT MW; terminated and announced-only deals out)
ai_contracts as (

    select
        grid.ticker,
        grid.month_end,
        sum(contracts.critical_it_mw) as ai_mw_contracted,
        max(contracts.announce_date) as ai_contracts_as_of

    from grid
    inner join {{ ref('stg_reference__ai_hpc_contracts') }} as contracts
        on grid.ticker = contracts.ticker and contracts.published_date <= grid.month_end
    where contracts.status_as_of_source like 'contracted%' and contracts.critical_it_mw is not null
    group by grid.ticker, grid.month_end

),

-- the company's power: the larger of its latest energized and contracted figures (secured power includes
-- what is energized, so the larger one is the more complete, whichever is older)
power as (

    select
        *,
        case
            when contracted_mw >= coalesce(energized_mw, 0) then 'contracted'
            when energized_mw is not null then 'energized'
        end as power_basis

    from latest_by_month

),

final as (

    select
        grid.ticker,
        grid.month_end,
        power.energized_mw,
        power.energized_as_of,
        power.energized_basis,
        power.contracted_mw,
        power.contracted_as_of,
        power.contracted_basis,
        greatest(power.energized_mw, power.contracted_mw) as power_mw,
        case power.power_basis
            when 'contracted' then power.contracted_as_of
            when 'energized' then power.energized_as_of
        end as power_as_of,
        power.power_basis,
        coalesce(ai_contracts.ai_mw_contracted, 0) as ai_mw_contracted,
        ai_contracts.ai_contracts_as_of,
        power.hashrate_ehs,
        power.hashrate_as_of

    from grid
    left join power using (ticker, month_end)
    left join ai_contracts using (ticker, month_end)

)

select * from final
