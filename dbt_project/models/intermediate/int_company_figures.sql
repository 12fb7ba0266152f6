-- Company-level figures over time, each with the date it describes (as_of_date) and the date it became public
-- (published_date): energized and contracted grid MW, self-mining hashrate (EH/s) and fleet efficiency
-- (J/TH). Company-level means a
-- company row, or the site rows flagged sums_to_company summed per date (their notes say they make the whole
-- company; the sum is public once its last part is); any other site row is a part of the company and stays
-- out. Critical-IT MW are left out of power (not interchangeable with grid MW). Joins "as of" a date D take
-- the latest as_of_date among the rows with published_date <= D.

with

grid_power as (

    select * from {{ ref('stg_reference__miner_power_capacity') }}
    where mw_basis = 'grid' and kind in ('energized', 'contracted')

),

company_power as (

    select ticker, kind, as_of_date, published_date, power_mw, 'company' as figure_basis
    from grid_power
    where scope = 'company'

    union all

    select
        ticker,
        kind,
        as_of_date,
        max(published_date) as published_date,
        sum(power_mw) as power_mw,
        'sum of sites' as figure_basis
    from grid_power
    where scope = 'site' and sums_to_company
    group by ticker, kind, as_of_date

),

figures as (

    select ticker, kind as measure, as_of_date, published_date, power_mw as figure, figure_basis
    from company_power

    union all

    select ticker, 'hashrate' as measure, as_of_date, published_date, hashrate_ehs as figure, 'company' as figure_basis
    from {{ ref('stg_reference__miner_hashrate') }}
    where hashrate_basis = 'self_mining'

    union all

    select
        ticker,
        'fleet_efficiency' as measure,
        as_of_date,
        published_date,
        fleet_efficiency_jth as figure,
        'company' as figure_basis
    from {{ ref('stg_reference__miner_fleet_efficiency') }}

)

select * from figures
