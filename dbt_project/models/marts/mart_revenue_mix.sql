-- Revenue mix per company and fiscal quarter (or fiscal year for annual-only filers): one vintage per period,
-- the latest filing's (mart_revenue_mix_vintages keeps every other), with the filing it came from and
-- whether it differs from the period's first report.

select * exclude (vintage_number, is_first_report, is_served, restatement_kind, superseded_on)
from {{ ref('mart_revenue_mix_vintages') }}
where is_served
