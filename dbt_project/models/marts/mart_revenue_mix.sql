-- Revenue mix per company and fiscal quarter (or fiscal year for annual-only filers): one vintage per period,
-- the latest filing's (mart_revenue_mix_vintages keeps every other), with the filing it came from and
-- whether it differs from the period's first report.

with

served as (

    select * from {{ ref('mart_revenue_mix_vintages') }}
    where is_served

),

final as (

    select
        ticker,
        cik,
        period_type,
        fiscal_year,
        fiscal_quarter,
        period_start,
        period_end,
        calendar_year,
        calendar_quarter,
        total_revenue,
        self_mining_revenue,
        hosting_revenue,
        hpc_ai_revenue,
        other_revenue,
        unclassified_revenue,
        self_mining_share,
        hosting_share,
        hpc_ai_share,
        unclassified_share,
        unmapped_members,
        reconciliation_gap,
        reconciliation_status,
        halving_era,
        has_breakdown,
        revenue_concept,
        category_axis,
        is_derived_q4,
        vintage_accession,
        vintage_form,
        vintage_filing_date,
        known_from,
        known_from_basis,
        vintage_count,
        first_reported_accession,
        is_restated,
        nine_months_accession

    from served

)

select * from final
