{#-
    Fails with one row per listed column that holds nulls (column_name, n_null_rows).
    A model's not-null columns are checked in one scan and one test node, instead of one node per column:
    a build runs every test, and dbt's cost per node is most of what a small one costs.
-#}
{% test not_null_columns(model, column_names) %}

with null_counts as (

    select
        {%- for column in column_names %}
        count(*) - count({{ adapter.quote(column) }}) as {{ adapter.quote(column) }}{{ "," if not loop.last }}
        {%- endfor %}

    from {{ model }}

)

select *

from (
    unpivot null_counts
    on columns(*)
    into name column_name value n_null_rows
)

where n_null_rows > 0

{% endtest %}
