{#-
    Fails with one row per listed column and value outside its accepted values (column_name, rejected_value,
    n_rows); nulls pass, as with dbt's accepted_values. `columns` maps each column to its accepted values:
    strings are compared as text, numbers as numbers. A model's columns are checked in one scan and one test
    node, instead of one node per column: a build runs every test, and dbt's cost per node is most of what a
    small one costs.
-#}
{% test accepted_values_columns(model, columns) %}

with rejected as (

    select
        {%- for column, values in columns.items() %}
        case
            when {{ adapter.quote(column) }} not in (
                {%- for value in values -%}
                {{ "'" ~ value | replace("'", "''") ~ "'" if value is string else value }}{{ ", " if not loop.last }}
                {%- endfor -%}
            )
                then cast({{ adapter.quote(column) }} as varchar)
        end as {{ adapter.quote(column) }}{{ "," if not loop.last }}
        {%- endfor %}

    from {{ model }}

)

select
    column_name,
    rejected_value,
    count(*) as n_rows

from (
    unpivot rejected
    on columns(*)
    into name column_name value rejected_value
)

group by all

{% endtest %}
