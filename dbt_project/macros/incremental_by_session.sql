{#- Incremental models keyed by session (int_daily_returns, int_factor_returns, int_factor_exposure_fits).

    Each row carries `rebuilt_at`, the dbt invocation's start (run_started_at) when the row was last computed.
    An incremental build takes as changed the input rows stamped (raw: loaded_at; a model: rebuilt_at) after
    this model's own latest `rebuilt_at`, recomputes the rows those inputs reach, and reads only the look-back
    that takes. The stamps stay in the intermediate layer: marts select their columns by name, so a served
    table is the same row for row whether it was built cold or by a run of updates. -#}

{% macro rebuilt_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{#- The latest stamp of this model's rows: inputs stamped after it changed since the last build. -#}
{% macro last_rebuilt_at() -%}
    (select coalesce(max(rebuilt_at), cast('-infinity' as timestamp)) from {{ this }})
{%- endmacro %}

{#- A pre-hook: a table built before these models were incremental has no `rebuilt_at`; added, null, it makes
    every input row count as changed, so the first update of such a warehouse recomputes every row. -#}
{% macro add_rebuilt_at_if_missing() -%}
    {% if is_incremental() %}alter table {{ this }} add column if not exists rebuilt_at timestamp{% endif %}
{%- endmacro %}
