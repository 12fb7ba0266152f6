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

{#- The event study's incremental models (int_event_model_fits, int_event_abnormal_returns, int_event_cars) are
    keyed by event: a build recomputes an event whole, every row of it, or leaves it as it was. The sessions an
    event's rows read, relative to its event session, run from the estimation window's start (or -1) to +5, the
    end of the widest event window; int_event_model_fits recomputes the events whose span holds a session whose
    returns were rebuilt since its last build, the events inside a gap after which a ticker's rebuilt prices
    resume (they now lie inside its price history), and the events it has no row of (a new one in the seed, or
    one whose session the calendar just reached). The models after it recompute the events their parents rebuilt.
    Edits to the events or miners seeds, or to the event vars, reach existing rows with `miners run
    --full-refresh`. -#}
{% macro event_span_start() -%}
    {{ [var('event_estimation_start'), -1] | min }}
{%- endmacro %}

{% macro event_span_end() -%}
    5
{%- endmacro %}

{#- The events whose rows in any of `parents` were rebuilt since this model's last build. -#}
{% macro events_rebuilt_in(parents) -%}
    (
        {%- for parent in parents %}
        select event_id from {{ parent }} where rebuilt_at > {{ last_rebuilt_at() }}
        {%- if not loop.last %}
        union
        {%- endif %}
        {%- endfor %}
    )
{%- endmacro %}
