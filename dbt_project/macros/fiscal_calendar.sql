{#- Fiscal calendar helpers. Period ends are snapped to the nearest month end first, so 52/53-week
    years (a quarter ending 2023-09-28 or 2023-10-02) land in the right month. -#}

{% macro nearest_month_end(period_end) -%}
    cast(date_trunc('month', {{ period_end }} + interval 15 day) - interval 1 day as date)
{%- endmacro %}

{#- The fiscal year is named after the calendar year in which it ends. -#}
{% macro fiscal_year(period_end, fiscal_year_end_month) -%}
    (year({{ nearest_month_end(period_end) }})
        + case when month({{ nearest_month_end(period_end) }}) > {{ fiscal_year_end_month }} then 1 else 0 end)
{%- endmacro %}

{#- Quarter 1 starts the month after the fiscal year end month. -#}
{% macro fiscal_quarter(period_end, fiscal_year_end_month) -%}
    (((month({{ nearest_month_end(period_end) }}) - {{ fiscal_year_end_month }} + 11) % 12) // 3 + 1)
{%- endmacro %}
