-- Revenue mix per company and fiscal quarter (or fiscal year for annual-only filers): self-mining,
-- hosting, HPC/AI, other and unclassified revenue, with the shares and where each number came from.

with

quarters as (

    select * from {{ ref('int_revenue_by_quarter') }}

),

halving as (

    select min(event_date) as halving_date
    from {{ ref('stg_reference__market_events') }}
    where event_id = 'btc_halving_2024'

),

gaps as (

    select
        *,
        -- categories minus the reported total, as a share of the total: 0 when the breakdown reconciles
        case
            when total_revenue <> 0 then
                (self_mining_revenue + hosting_revenue + hpc_ai_revenue + other_revenue + unclassified_revenue
                    - total_revenue)
                / abs(total_revenue)
            else 0
        end as reconciliation_gap
    from quarters

),

final as (

    select
        quarters.ticker,
        quarters.cik,
        quarters.period_type,
        quarters.fiscal_year,
        quarters.fiscal_quarter,
        quarters.period_start,
        quarters.period_end,
        quarters.calendar_year,
        quarters.calendar_quarter,
        quarters.total_revenue,
        quarters.self_mining_revenue,
        quarters.hosting_revenue,
        quarters.hpc_ai_revenue,
        quarters.other_revenue,
        quarters.unclassified_revenue,
        case when quarters.total_revenue > 0 then quarters.self_mining_revenue / quarters.total_revenue end
            as self_mining_share,
        case when quarters.total_revenue > 0 then quarters.hosting_revenue / quarters.total_revenue end
            as hosting_share,
        case when quarters.total_revenue > 0 then quarters.hpc_ai_revenue / quarters.total_revenue end
            as hpc_ai_share,
        case when quarters.total_revenue > 0 then quarters.unclassified_revenue / quarters.total_revenue end
            as unclassified_share,
        quarters.unmapped_members,
        quarters.reconciliation_gap,
        -- 'reconciled', or why this period's categories cannot be trusted as they stand
        case
            when abs(quarters.reconciliation_gap) > {{ var('revenue_reconciliation_tolerance') }}
                then 'categories_do_not_sum_to_total'
            when quarters.q4_category_bases_differ then 'q4_category_bases_differ'
            else 'reconciled'
        end as reconciliation_status,
        case
            when quarters.period_end < halving.halving_date then 'pre_halving'
            when quarters.period_start > halving.halving_date then 'post_halving'
            else 'spans_halving'
        end as halving_era,
        quarters.has_breakdown,
        quarters.concept as revenue_concept,
        quarters.category_axis,
        quarters.is_derived_q4,
        quarters.source_accession,
        quarters.source_form,
        quarters.source_filing_date

    from gaps as quarters
    cross join halving

)

select * from final
