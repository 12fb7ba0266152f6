{#-
    What a MW of machines at `efficiency_jth` J/TH earns mining in a year at `usd_per_phs_day` (a hashprice, USD
    per PH/s per day): the machines draw E W per TH/s, so 1 MW runs 1000 / E PH/s, for 365 days.
-#}
{% macro mining_usd_per_mw_year(usd_per_phs_day, efficiency_jth) -%}
    {{ usd_per_phs_day }} * (1000.0 / {{ efficiency_jth }}) * 365
{%- endmacro %}
