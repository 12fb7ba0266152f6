{#- The universe is the miners seed: a reference staging model keeps only the rows about its companies (a trimmed
    seed keeps the companies a user follows), and the check outside_universe names the rows left out. A null
    ticker stays, for not_null to report. -#}
{% macro in_universe(column='ticker') -%}
    ({{ column }} in (select miners.ticker from {{ ref('miners') }} as miners) or {{ column }} is null)
{%- endmacro %}
