{#-
    Least squares in SQL, one row per regression: the sweep operator (Goodnight 1979) on a symmetric
    cross-product matrix held as columns {prefix}{i}_{j} (i <= j, indices into `names`).

    ols_sweep_ctes renders one CTE per pivot, named {cte_prefix}1 .. {cte_prefix}<pivots>, each
    reading the one before (the first reads `source`, which carries the matrix and any other
    columns; those pass through unchanged). Sweeping pivots 0..p-1 of the centred moment matrix
        [ S_xx  S_xy ]
        [ S_yx  S_yy ]
    (p regressors, then y) leaves -inverse(S_xx) in the x block, the slopes inverse(S_xx) S_xy in
    the x-y column and the residual sum of squares S_yy - S_yx inverse(S_xx) S_xy in the y-y cell.
    A zero pivot (a regressor with no variance, or collinear ones) gives nulls, not an error.
-#}

{% macro ols_sweep_cell(prefix, i, j) -%}
    {{ prefix }}{{ [i, j] | min }}_{{ [i, j] | max }}
{%- endmacro %}

{% macro ols_sweep_ctes(source, size, pivots, prefix='s_', cte_prefix='swept_') -%}
    {%- for k in range(pivots) %}
    {%- set previous = source if loop.first else cte_prefix ~ k %}

{{ cte_prefix }}{{ k + 1 }} as (

    select
        * replace (
            {%- for i in range(size) %}
            {%- set outer = loop %}
            {%- for j in range(i, size) %}
            {%- if i == k and j == k %}
            -1 / nullif({{ prefix }}{{ k }}_{{ k }}, 0) as {{ prefix }}{{ i }}_{{ j }}
            {%- elif i == k or j == k %}
            {{ prefix }}{{ i }}_{{ j }} / nullif({{ prefix }}{{ k }}_{{ k }}, 0) as {{ prefix }}{{ i }}_{{ j }}
            {%- else %}
            {{ prefix }}{{ i }}_{{ j }} - {{ ols_sweep_cell(prefix, i, k) }} * {{ ols_sweep_cell(prefix, k, j) }}
                / nullif({{ prefix }}{{ k }}_{{ k }}, 0) as {{ prefix }}{{ i }}_{{ j }}
            {%- endif %}
            {{- ',' if not (loop.last and outer.last) }}
            {%- endfor %}
            {%- endfor %}
        )
    from {{ previous }}

){{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
