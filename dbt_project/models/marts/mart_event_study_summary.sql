-- Event study over the miners as a group: one row per event, normal-return model and event window.
-- Did the miners as a whole react beyond the market (and bitcoin), and is it significant once the
-- firms' shared shock is allowed for? The seed's events hit every miner on the same session, so the
-- firms' abnormal returns are cross-correlated: the Kolari-Pynnonen adjustment is the one to read.
--
-- Sample (int_event_study_firms): companies with is_miner in the miners seed (factor and benchmark
-- tickers and CoreWeave excluded) whose model was estimated (at least var('event_min_estimation_sessions')
-- of the 120 estimation sessions, counted from the listing: seed ticker_listings) and which have an
-- abnormal return on every session of the window. Events dated to the day only
-- (event_date_precision = 'day'). excluded_firms names the other miners and why.
--
-- For the N firms' CAR_i and standardized CAR SCAR_i = CAR_i / se(CAR_i) (int_event_cars):
--   t_cross_sectional = mean(CAR) / (sd(CAR) / sqrt(N))                  Brown & Warner (1985)
--   t_bmp             = mean(SCAR) / (sd(SCAR) / sqrt(N))                Boehmer, Musumeci & Poulsen (1991)
--   t_kp              = t_bmp * sqrt((1 - r) / (1 + (N - 1) * r))         Kolari & Pynnonen (2010)
--       r = mean_residual_correlation, the average over firm pairs of the correlation of their
--       estimation-window residuals (over the sessions both have): int_event_residual_correlations
--   t_grank: generalized rank test, Kolari & Pynnonen (2011). Each firm's observations are its
--       estimation-window abnormal returns over residual_std (SAR) and one event observation, its SCAR
--       over the cross-sectional sd of the N SCARs (SCAR*, for event-induced volatility); each firm's
--       T_i observations are ranked (ties averaged), U = rank / (T_i + 1) - 1/2. With ubar_t the mean U
--       of the N_t firms observed at time point t (the estimation sessions and the event observation,
--       T of them), S^2 = (1/T) sum_t (N_t / N) ubar_t^2, Z = ubar_event / S and
--       t_grank = Z * sqrt((T - 2) / (T - 1 - Z^2)), Student-t with T - 2 degrees of freedom.
--   z_corrado: Corrado (1989) rank test, multi-day form of Campbell & Wasley (1993). Each firm's
--       abnormal returns over the estimation window and the event span -1..+5 are ranked (ties
--       averaged) and standardized, U = rank / (M + 1) - 1/2 with M the firm's ranked returns; ubar_t
--       is the mean U of the firms on session t; z = sum over the window of ubar_t / sqrt(L * s^2),
--       s^2 = mean of ubar_t^2 over every ranked session.
-- p-values are two-sided: Student-t with N - 1 degrees of freedom for the three CAR t-tests, T - 2 for
-- GRANK, the standard normal for Corrado's z (macros/distributions.sql).

with

events as (

    select
        event_id,
        category
    from {{ ref('stg_reference__market_events') }}
    where event_date_precision = 'day'

),

-- the event's date, name and session (the same on every firm's row)
event_sessions as (

    select distinct
        event_id,
        event_date,
        event_name,
        session_date
    from {{ ref('int_event_model_fits') }}

),

-- the normal-return model in words, with the factor tickers of the factors seed
factor_tickers as (

    select
        max(case when factor_role = 'market' then ticker end) as market_ticker,
        max(case when factor_role = 'btc' then ticker end) as btc_ticker
    from {{ ref('stg_reference__factors') }}

),

models as (

    select
        'market' as model,
        'r = alpha + beta_market * ' || market_ticker as model_specification
    from factor_tickers
    union all
    select
        'market_btc' as model,
        'r = alpha + beta_market * ' || market_ticker || ' + b0 * ' || btc_ticker || ' + b1 * ' || btc_ticker
        || ' of the previous session (Dimson 1979)' as model_specification
    from factor_tickers

),

sample_firms as (

    select
        event_id,
        model,
        window_label,
        window_start,
        window_end,
        window_length,
        ticker,
        is_in_sample,
        exclusion_reason,
        residual_std,
        car,
        scar
    from {{ ref('int_event_study_firms') }}

),

-- the firms of each event, model and window
window_firms as (

    select *
    from sample_firms
    where is_in_sample

),

exclusions as (

    select
        event_id,
        model,
        window_label,
        count(*) as n_excluded_firms,
        string_agg(ticker || ' (' || exclusion_reason || ')', '; ' order by ticker) as excluded_firms
    from sample_firms
    where not is_in_sample
    group by event_id, model, window_label

),

-- each event and model's firms (in the sample of at least one window)
event_firms as (

    select distinct
        event_id,
        model,
        ticker
    from window_firms

),

abnormal_returns as (

    select
        event_abnormal_returns.ticker,
        event_abnormal_returns.event_id,
        event_abnormal_returns.model,
        event_abnormal_returns.relative_session,
        event_abnormal_returns.is_estimation_session,
        event_abnormal_returns.abnormal_return
    from {{ ref('int_event_abnormal_returns') }} as event_abnormal_returns
    inner join event_firms
        on event_abnormal_returns.event_id = event_firms.event_id
        and event_abnormal_returns.model = event_firms.model
        and event_abnormal_returns.ticker = event_firms.ticker
    where event_abnormal_returns.abnormal_return is not null

),

-- Kolari-Pynnonen's r: the mean correlation of the window firms' estimation residuals, pair by pair
mean_correlations as (

    select
        event_id,
        model,
        window_label,
        mean_residual_correlation
    from {{ ref('int_event_residual_correlations') }}

),

-- Corrado: each firm's standardized rank over its estimation window and event span
corrado_ranks as (

    select
        event_id,
        model,
        ticker,
        relative_session,
        -- the average of the tied positions: (first + last) / 2
        (
            rank() over firm_ascending
            + count(*) over firm_all + 1 - rank() over firm_descending
        ) / 2.0 / (count(*) over firm_all + 1) - 0.5 as standardized_rank
    from abnormal_returns
    window
        firm_all as (partition by event_id, model, ticker),
        firm_ascending as (partition by event_id, model, ticker order by abnormal_return),
        firm_descending as (partition by event_id, model, ticker order by abnormal_return desc)

),

session_mean_ranks as (

    select
        window_firms.event_id,
        window_firms.model,
        window_firms.window_label,
        window_firms.window_start,
        window_firms.window_end,
        ranks.relative_session,
        avg(ranks.standardized_rank) as mean_rank
    from window_firms
    inner join corrado_ranks as ranks
        on window_firms.event_id = ranks.event_id
        and window_firms.model = ranks.model
        and window_firms.ticker = ranks.ticker
    group by all

),

corrado_tests as (

    select
        event_id,
        model,
        window_label,
        sum(case when relative_session between window_start and window_end then mean_rank end)
        / sqrt(
            (max(window_end) - max(window_start) + 1) * avg(mean_rank * mean_rank)
        ) as z_corrado
    from session_mean_ranks
    group by event_id, model, window_label

),

-- GRANK: each firm's estimation-window SARs and its event observation SCAR* (relative_session null)
grank_observations as (

    select
        window_firms.event_id,
        window_firms.model,
        window_firms.window_label,
        window_firms.ticker,
        abnormal_returns.relative_session,
        abnormal_returns.abnormal_return / window_firms.residual_std as gsar
    from window_firms
    inner join abnormal_returns
        on window_firms.event_id = abnormal_returns.event_id
        and window_firms.model = abnormal_returns.model
        and window_firms.ticker = abnormal_returns.ticker
    where abnormal_returns.is_estimation_session
    union all
    select
        event_id,
        model,
        window_label,
        ticker,
        null as relative_session,
        -- over the cross-sectional sd of the N firms' SCARs: robust to event-induced volatility
        scar / nullif(stddev_samp(scar) over (partition by event_id, model, window_label), 0) as gsar
    from window_firms

),

grank_ranks as (

    select
        event_id,
        model,
        window_label,
        ticker,
        relative_session,
        -- the average of the tied positions over the firm's T_i observations, over T_i + 1, less 1/2
        (
            rank() over firm_ascending
            + count(*) over firm_all + 1 - rank() over firm_descending
        ) / 2.0 / (count(*) over firm_all + 1) - 0.5 as standardized_rank
    from grank_observations
    where gsar is not null
    window
        firm_all as (partition by event_id, model, window_label, ticker),
        firm_ascending as (partition by event_id, model, window_label, ticker order by gsar),
        firm_descending as (partition by event_id, model, window_label, ticker order by gsar desc)

),

-- one row per time point: the estimation sessions any firm has, and the event observation
grank_time_points as (

    select
        event_id,
        model,
        window_label,
        relative_session,
        count(*) as n_t,
        avg(standardized_rank) as mean_rank
    from grank_ranks
    group by event_id, model, window_label, relative_session

),

grank_z as (

    select
        event_id,
        model,
        window_label,
        count(*) as n_time_points,
        max(case when relative_session is null then mean_rank end)
        / sqrt(
            sum(n_t * mean_rank * mean_rank) / max(case when relative_session is null then n_t end) / count(*)
        ) as z_grank
    from grank_time_points
    group by event_id, model, window_label

),

grank_tests as (

    select
        event_id,
        model,
        window_label,
        n_time_points - 2 as grank_degrees_of_freedom,
        z_grank * sqrt((n_time_points - 2) / (n_time_points - 1 - z_grank * z_grank)) as t_grank
    from grank_z

),

cross_section as (

    select
        event_id,
        model,
        window_label,
        any_value(window_start) as window_start,
        any_value(window_end) as window_end,
        any_value(window_length) as window_length,
        count(*) as n_firms,
        avg(car) as mean_car,
        median(car) as median_car,
        avg(case when car < 0 then 1.0 else 0.0 end) as share_negative,
        avg(scar) as mean_scar,
        avg(car) / (stddev_samp(car) / sqrt(count(*))) as t_cross_sectional,
        avg(scar) / (stddev_samp(scar) / sqrt(count(*))) as t_bmp
    from window_firms
    group by event_id, model, window_label

),

group_statistics as (

    select
        cross_section.*,
        mean_correlations.mean_residual_correlation,
        cross_section.t_bmp * sqrt(
            (1 - mean_correlations.mean_residual_correlation)
            / nullif(1 + (cross_section.n_firms - 1) * mean_correlations.mean_residual_correlation, 0)
        ) as t_kp,
        grank_tests.t_grank,
        grank_tests.grank_degrees_of_freedom,
        corrado_tests.z_corrado
    from cross_section
    left join mean_correlations
        on cross_section.event_id = mean_correlations.event_id
        and cross_section.model = mean_correlations.model
        and cross_section.window_label = mean_correlations.window_label
    left join grank_tests
        on cross_section.event_id = grank_tests.event_id
        and cross_section.model = grank_tests.model
        and cross_section.window_label = grank_tests.window_label
    left join corrado_tests
        on cross_section.event_id = corrado_tests.event_id
        and cross_section.model = corrado_tests.model
        and cross_section.window_label = corrado_tests.window_label

),

final as (

    select
        group_statistics.event_id,
        group_statistics.model,
        group_statistics.window_label,
        event_sessions.event_date,
        event_sessions.event_name,
        events.category,
        event_sessions.session_date,
        cast(group_statistics.window_start as integer) as window_start,
        cast(group_statistics.window_end as integer) as window_end,
        cast(group_statistics.window_length as integer) as window_length,
        cast(group_statistics.n_firms as integer) as n_firms,
        group_statistics.mean_car,
        group_statistics.median_car,
        group_statistics.share_negative,
        group_statistics.mean_scar,
        group_statistics.t_cross_sectional,
        {{ student_t_two_sided_p('group_statistics.t_cross_sectional', 'group_statistics.n_firms - 1') }}
            as p_cross_sectional,
        group_statistics.t_bmp,
        {{ student_t_two_sided_p('group_statistics.t_bmp', 'group_statistics.n_firms - 1') }} as p_bmp,
        group_statistics.mean_residual_correlation,
        group_statistics.t_kp,
        {{ student_t_two_sided_p('group_statistics.t_kp', 'group_statistics.n_firms - 1') }} as p_kp,
        group_statistics.t_grank,
        cast(group_statistics.grank_degrees_of_freedom as integer) as grank_degrees_of_freedom,
        {{ student_t_two_sided_p('group_statistics.t_grank', 'group_statistics.grank_degrees_of_freedom') }}
            as p_grank,
        group_statistics.z_corrado,
        {{ normal_two_sided_p('group_statistics.z_corrado') }} as p_corrado,
        models.model_specification,
        cast(coalesce(exclusions.n_excluded_firms, 0) as integer) as n_excluded_firms,
        exclusions.excluded_firms
    from group_statistics
    inner join events
        on group_statistics.event_id = events.event_id
    inner join event_sessions
        on group_statistics.event_id = event_sessions.event_id
    inner join models
        on group_statistics.model = models.model
    left join exclusions
        on group_statistics.event_id = exclusions.event_id
        and group_statistics.model = exclusions.model
        and group_statistics.window_label = exclusions.window_label

)

select * from final
