{%- set categories = ['self_mining', 'hosting', 'hpc_ai', 'other', 'unclassified'] -%}
-- Revenue mix per company, fiscal period and filing that reported it (a vintage): self-mining, hosting,
-- HPC/AI, other and unclassified revenue as each filing states them, when the market could know them
-- (known_from) and what changed against the previous vintage. The mix as known on a date D is
-- `where known_from <= D and (superseded_on > D or superseded_on is null)`.

with

vintages as (

    select * from {{ ref('int_revenue_vintages') }}

),

halving as (

    select min(event_date) as halving_date
    from {{ ref('stg_reference__market_events') }}
    where event_id = 'btc_halving_2024'

),

sequenced as (

    select
        *,
        row_number() over period_vintages as vintage_number,
        count(*) over (partition by ticker, period_start, period_end) as vintage_count,
        lead(known_from) over period_vintages as superseded_on,
        first_value(accession_number) over period_vintages as first_reported_accession,
        {% for amount in ['total'] + categories %}
        lag({{ amount }}_revenue) over period_vintages as previous_{{ amount }}_revenue,
        first_value({{ amount }}_revenue) over period_vintages as first_{{ amount }}_revenue,
        {% endfor %}
        -- categories minus the reported total, as a share of the total: 0 when the breakdown reconciles
        case
            when total_revenue <> 0 then
                (
                    {%- for category in categories %}
                    {{ category }}_revenue {{- ' +' if not loop.last }}
                    {%- endfor %}
                    - total_revenue
                ) / abs(total_revenue)
            else 0
        end as reconciliation_gap
    from vintages
    window period_vintages as (
        partition by ticker, period_start, period_end
        order by known_order, report_date, accession_number
    )

),

final as (

    select
        sequenced.ticker,
        sequenced.cik,
        sequenced.period_type,
        sequenced.fiscal_year,
        sequenced.fiscal_quarter,
        sequenced.period_start,
        sequenced.period_end,
        sequenced.calendar_year,
        sequenced.calendar_quarter,
        sequenced.accession_number as vintage_accession,
        sequenced.form as vintage_form,
        sequenced.filing_date as vintage_filing_date,
        sequenced.known_from,
        sequenced.known_from_basis,
        sequenced.superseded_on,
        sequenced.vintage_number,
        sequenced.vintage_count,
        sequenced.vintage_number = 1 as is_first_report,
        -- the vintage mart_revenue_mix serves: the latest, the company's current presentation (README)
        sequenced.vintage_number = sequenced.vintage_count as is_served,
        -- what this vintage says differently from the one before it (the amounts are never null: a filing
        -- without a category reports 0 in it)
        case
            when sequenced.vintage_number = 1 then null
            when sequenced.total_revenue <> sequenced.previous_total_revenue then 'amounts_restated'
            when
                {%- for category in categories %}
                sequenced.{{ category }}_revenue <> sequenced.previous_{{ category }}_revenue
                {{- ' or' if not loop.last }}
                {%- endfor %}
                then 'categories_reclassified'
            else 'unchanged'
        end as restatement_kind,
        sequenced.first_reported_accession,
        -- and from the first report
        (
            {%- for amount in ['total'] + categories %}
            sequenced.{{ amount }}_revenue <> sequenced.first_{{ amount }}_revenue
            {{- ' or' if not loop.last }}
            {%- endfor %}
        ) as is_restated,
        sequenced.total_revenue,
        {% for category in categories %}
        sequenced.{{ category }}_revenue,
        {% endfor %}
        {% for category in ['self_mining', 'hosting', 'hpc_ai', 'unclassified'] %}
        case when sequenced.total_revenue > 0 then sequenced.{{ category }}_revenue / sequenced.total_revenue end
            as {{ category }}_share,
        {% endfor %}
        sequenced.unmapped_members,
        sequenced.reconciliation_gap,
        -- 'reconciled', or why this period's categories cannot be trusted as they stand
        case
            when abs(sequenced.reconciliation_gap) > {{ var('revenue_reconciliation_tolerance') }}
                then 'categories_do_not_sum_to_total'
            when sequenced.q4_category_bases_differ then 'q4_category_bases_differ'
            else 'reconciled'
        end as reconciliation_status,
        case
            when sequenced.period_end < halving.halving_date then 'pre_halving'
            when sequenced.period_start > halving.halving_date then 'post_halving'
            else 'spans_halving'
        end as halving_era,
        sequenced.has_breakdown,
        sequenced.concept as revenue_concept,
        sequenced.category_axis,
        sequenced.is_derived_q4,
        sequenced.nine_months_accession

    from sequenced
    cross join halving

)

select * from final
