"""int_factor_exposure_fits' numpy fit (the dbt Python model's own functions) against statsmodels.

Fast: no warehouse and no dbt. The model file is imported as a module; its `fits` turns int_daily_returns- and
int_factor_returns-shaped tables into the model's rows.
"""

import io
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from benchmarks.p3_rolling_betas import window_fit
from orchestration.defs.dbt.python_models import load_python_model

KEYS = ["ticker", "session_index", "window_size"]
# the fitted numbers, compared with statsmodels (the mart adds the bands and window_start_date)
FIT_COLUMNS = [
    "beta_market",
    "beta_btc",
    "beta_ai",
    "alpha",
    "r_squared",
    "se_beta_market",
    "se_beta_btc",
    "se_beta_ai",
    "nw_se_beta_btc",
    "nw_se_beta_ai",
    "beta_btc_same_day",
    "beta_btc_lag",
    "ai_market_beta",
]


@pytest.fixture(scope="module")
def fits_model():
    return load_python_model("int_factor_exposure_fits")


def run_fits(module, stocks: pd.DataFrame, factors: pd.DataFrame, windows: list[int], coverage: str, **kwargs):
    """The model's rows for these inputs, as a DataFrame (session_date from session_index)."""
    stocks = stocks.assign(session_date=pd.Timestamp("2020-01-01") + pd.to_timedelta(stocks["session_index"], "D"))
    stocks_table = pa.Table.from_pandas(
        stocks[["ticker", "session_date", "session_index", "daily_return", "factor_role"]],
        schema=pa.schema(
            [
                ("ticker", pa.string()),
                ("session_date", pa.date32()),
                ("session_index", pa.int32()),
                ("daily_return", pa.float64()),
                ("factor_role", pa.string()),
            ]
        ),
        preserve_index=False,
    )
    factors_table = pa.Table.from_pandas(factors, preserve_index=False)
    batches = list(module.fits(stocks_table, factors_table, windows, Decimal(coverage), **kwargs))
    return pa.Table.from_batches(batches, schema=module.SCHEMA).to_pandas(), len(batches)


def max_abs_diffs(rows: pd.DataFrame, reference: pd.DataFrame) -> dict[str, float]:
    both = rows.merge(reference, on=KEYS, suffixes=("", "_ref"))
    assert len(both) == len(rows) == len(reference)
    return {column: float(np.abs(both[column] - both[f"{column}_ref"]).max()) for column in FIT_COLUMNS}


def random_panel(seed: int = 7, sessions: int = 140) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fat-tailed factor returns with a few missing ones, and stocks with gaps, a late listing, a delisting, a
    sector ETF (fitted) and the three factors' own rows (not fitted)."""
    rng = np.random.default_rng(seed)
    index = np.arange(1, sessions + 1)
    market = 0.01 * rng.standard_t(4, sessions)
    btc = 0.5 * market + 0.03 * rng.standard_t(4, sessions)
    ai = 1.4 * market + 0.02 * rng.standard_t(4, sessions)
    market[0] = btc[0] = ai[0] = np.nan
    market[[30]] = np.nan
    btc[[50, 51]] = np.nan  # also leaves 51 and 52 without btc_previous
    ai[[90]] = np.nan
    factors = pd.DataFrame({"session_index": index, "btc_return": btc, "ai_return": ai, "market_return": market})
    btc_previous = np.concatenate([[np.nan], btc[:-1]])
    rows = []
    layouts = {
        "AAA": np.ones(sessions, bool),
        "BBB": np.r_[np.zeros(25, bool), np.ones(sessions - 25, bool)],  # lists on session 26
        "CCC": np.r_[np.ones(110, bool), np.zeros(sessions - 110, bool)],  # delists after session 110
        "DDD": ~np.isin(index, [*range(40, 48), 70, 71, 72, 100]),  # gaps
        "XLK": rng.uniform(size=sessions) > 0.1,  # the sector ETF, scattered gaps
    }
    for ticker, present in layouts.items():
        y = 0.001 + 1.1 * market + rng.uniform(0.3, 1.5) * btc + 0.1 * btc_previous + 0.6 * ai
        y = np.nan_to_num(y) + 0.02 * rng.standard_t(5, sessions)
        priced_before = np.r_[False, present[:-1]]
        returns = np.where(priced_before, y, np.nan)
        role = "sector" if ticker == "XLK" else None
        rows.append(
            pd.DataFrame(
                {
                    "ticker": ticker,
                    "session_index": index[present],
                    "daily_return": returns[present],
                    "factor_role": role,
                }
            )
        )
    for ticker, role, series in (("BTC-USD", "btc", btc), ("NVDA", "ai", ai), ("SPY", "market", market)):
        rows.append(
            pd.DataFrame({"ticker": ticker, "session_index": index, "daily_return": series, "factor_role": role})
        )
    return pd.concat(rows, ignore_index=True), factors


def statsmodels_rows(stocks: pd.DataFrame, factors: pd.DataFrame, windows: list[int], coverage: float) -> pd.DataFrame:
    """Brute force: every observed session of every non-factor ticker, every window size, statsmodels on the
    window's rows when there are enough."""
    calendar = factors.set_index("session_index").sort_index()
    frame = pd.DataFrame(
        {
            "market": calendar["market_return"],
            "btc": calendar["btc_return"],
            "btc_previous": calendar["btc_return"].shift(1),
            "ai": calendar["ai_return"],
        }
    )
    found = []
    for ticker, rows in stocks[~stocks["factor_role"].isin(["btc", "ai", "market"])].groupby("ticker"):
        data = frame.assign(y=rows.set_index("session_index")["daily_return"].reindex(frame.index)).dropna()
        for session_index in data.index:
            for window_size in windows:
                window = data.loc[session_index - window_size + 1 : session_index]
                if len(window) >= math.ceil(window_size * coverage - 1e-9) and len(window) > 5:
                    fit = window_fit(window)
                    found.append({"ticker": ticker, "session_index": session_index, "window_size": window_size, **fit})
    return pd.DataFrame(found)


def test_fits_equal_statsmodels_on_a_random_panel_with_gaps(fits_model):
    stocks, factors = random_panel()
    windows, coverage = [20, 35], "0.7"
    rows, batches = run_fits(fits_model, stocks, factors, windows, coverage, batch_rows=50)
    reference = statsmodels_rows(stocks, factors, windows, 0.7)
    assert batches > 1  # streamed in batches
    assert set(rows["ticker"]) == {"AAA", "BBB", "CCC", "DDD", "XLK"}
    merged = rows.merge(reference, on=KEYS, how="outer", suffixes=("", "_ref"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", [*KEYS, "_merge"]]
    assert (merged["n_obs"] == merged["n_obs_ref"]).all()
    assert (merged["hac_lags"] == merged["hac_lags_ref"]).all()
    assert set(rows["hac_lags"]) == {2, 3}  # floor(4 (n / 100)^(2/9)) varies with the window's n_obs
    assert rows["n_obs"].lt(rows["window_size"]).any()  # gaps shrink windows (RANGE, not ROWS)
    diffs = max_abs_diffs(rows, reference)
    assert max(diffs.values()) <= 1e-9, diffs


def test_a_window_is_fitted_from_its_coverage_in_exact_decimals(fits_model):
    """60 * 0.8 is 48.00000000000001 in floating point: a 60-session window with 48 observations counts."""
    assert fits_model.min_observations(60, Decimal("0.8")) == 48
    assert fits_model.min_observations(252, Decimal("0.8")) == 202


def test_a_regressor_without_variance_gives_nulls_not_an_error(fits_model):
    stocks, factors = random_panel()
    factors.loc[factors["session_index"].between(60, 100), "market_return"] = 0.0
    rows, _ = run_fits(fits_model, stocks, factors, [20], "0.7")
    flat = rows[rows["session_index"].between(80, 100) & rows["n_obs"].eq(20)]
    assert len(flat) and flat["beta_btc"].isna().all() and flat["nw_se_beta_btc"].isna().all()
    assert rows["beta_btc"].notna().any()


# The former dbt unit test of mart_factor_exposure (a Python model cannot be unit tested by dbt): windows of 10
# and 13 sessions, coverage 0.6, returns rounded to 4 decimals. MARA has no row on session 9 (so no return on 9
# or 10: its 10-session window at session 12 holds 6 observations and is kept, RANGE not ROWS); RIOT lists on
# session 5 (first return on 6); session 7 has no AI return, so nobody observes it; session 2's btc_previous is
# the first session's missing bitcoin return, so session 2 is not an observation either; NVDA is the AI factor,
# not fitted. Expected values are statsmodels' on each window's rows (NVDA orthogonalised to [1, market] by OLS
# on those rows, OLS(y, [1, market, btc, btc_previous, ai_perp]).fit(), get_robustcov_results("HAC",
# maxlags=hac_lags, use_correction=True)); hac_lags = floor(4 (n/100)^(2/9)) = 2 for these n.
FIXED_STOCKS = """\
    ticker,session_index,daily_return,factor_role
    MARA,1,,
    MARA,2,0.0158,
    MARA,3,-0.0659,
    MARA,4,-0.1165,
    MARA,5,-0.0976,
    MARA,6,-0.0173,
    MARA,7,-0.0617,
    MARA,8,0.0298,
    MARA,10,,
    MARA,11,-0.0918,
    MARA,12,-0.0546,
    MARA,13,0.0128,
    MARA,14,-0.0298,
    MARA,15,-0.0561,
    MARA,16,-0.0487,
    RIOT,5,,
    RIOT,6,-0.0356,
    RIOT,7,-0.0196,
    RIOT,8,-0.0042,
    RIOT,9,-0.0177,
    RIOT,10,-0.0237,
    RIOT,11,-0.0536,
    RIOT,12,0.0032,
    RIOT,13,0.0243,
    RIOT,14,-0.07,
    RIOT,15,-0.0236,
    RIOT,16,0.0349,
    NVDA,1,,ai
    NVDA,2,-0.0117,ai
    NVDA,3,0.0172,ai
    NVDA,4,-0.0295,ai
    NVDA,5,-0.0074,ai
    NVDA,6,0.0028,ai
    NVDA,7,,ai
    NVDA,8,0.0179,ai
    NVDA,9,-0.0051,ai
    NVDA,10,-0.008,ai
    NVDA,11,-0.0172,ai
    NVDA,12,0.0069,ai
    NVDA,13,0.0288,ai
    NVDA,14,-0.0449,ai
    NVDA,15,0.0167,ai
    NVDA,16,0.0129,ai
"""
FIXED_FACTORS = """\
    session_index,btc_return,ai_return,market_return
    1,,,
    2,-0.0137,-0.0117,0.003
    3,-0.057,0.0172,-0.0027
    4,-0.0387,-0.0295,-0.0089
    5,-0.0553,-0.0074,-0.0045
    6,-0.0071,0.0028,-0.0099
    7,-0.038,,0.0006
    8,0.0081,0.0179,0.0134
    9,0.0047,-0.0051,-0.0049
    10,-0.0056,-0.008,-0.0062
    11,-0.0755,-0.0172,0.0049
    12,-0.0162,0.0069,0.0036
    13,-0.0015,0.0288,0.0011
    14,0.0034,-0.0449,-0.0093
    15,-0.0459,0.0167,-0.0003
    16,-0.0143,0.0129,0.007
"""
FIXED_EXPECTED = """\
    ticker,session_index,window_size,n_obs,hac_lags,beta_market,beta_btc,beta_ai,alpha,r_squared,se_beta_market,se_beta_btc,se_beta_ai,nw_se_beta_btc,nw_se_beta_ai,beta_btc_same_day,beta_btc_lag,ai_market_beta
    MARA,11,10,6,2,-0.35454360949876096,4.083388870716168,0.25454962641481615,0.08775625232814549,0.9796122988576316,2.474815345707465,2.3827307296919376,0.8791671644823551,1.7271088291912544,0.7381518158964506,2.2091626739439385,1.8742261967722291,0.8946705762771414
    MARA,12,10,7,2,0.9900712848175217,2.779313233367537,0.6552118982961144,0.0437975896747003,0.9725167746709431,0.9152225845449532,0.7439915141987506,0.4607022496720704,0.38298406241923016,0.30762792619514095,1.7184147309870987,1.0608985023804385,0.9469412254196476
    MARA,13,10,7,2,1.531350421698363,2.1627432157205972,0.6591006797727352,0.0202344674636936,0.9596354856957321,1.280711786981641,0.9518584051942842,0.8820481831905526,0.5479022916578616,0.8139294649424212,1.4266884669476658,0.7360547487729315,1.1568686820030414
    MARA,14,10,7,2,1.7833307799987352,1.8238246671898337,0.7276254503864193,0.008935664491395231,0.9559691865866925,0.8692798909276042,0.392102111511097,0.41704327698325677,0.2379173720483283,0.179818646768125,1.2818617450247545,0.5419629221650792,1.5007338667676715
    MARA,15,10,7,2,1.6512928490013057,1.6713657972062683,0.5381833879885661,0.004641155774673484,0.9249002720594702,1.0262917128652098,0.4932350636660317,0.3884012363016027,0.3878717461953719,0.18736395829309674,1.2985020470111839,0.37286375019508433,1.4764591342553295
    MARA,16,10,7,2,3.0594113294397935,2.1066079888912306,0.3503417421650925,0.003648143009379192,0.9380956997759333,1.2709403229338034,0.5067314396929846,0.3759702674926118,0.26267230133819175,0.21976184796742515,1.373417652993892,0.7331903358973385,2.2236762789974134
    MARA,13,13,8,2,1.4326679648160363,2.213211114994498,0.5909719201252579,0.022973034003603607,0.9599665317678172,0.9929832182981843,0.6824343294606194,0.5129603837696843,0.45832235564883855,0.4276317785779726,1.4679060979571958,0.7453050170373023,1.0468169682586765
    MARA,14,13,9,2,2.1775543640568573,1.956713918473623,0.7710595163509609,0.011468591714027235,0.9582902939277708,0.660541944122668,0.2901949592030631,0.2611733635427876,0.17881876669480654,0.22173896695214199,1.3389925392455706,0.6177213792280526,1.659243908055318
    MARA,15,13,10,2,2.171707214522122,1.8837639955538843,0.6654227520422797,0.008493595483422333,0.9444816806314115,0.6821253771673539,0.29274553005731674,0.25289853664613127,0.15949187965339454,0.23150290695325507,1.369161543820033,0.5146024517338513,1.693798103827219
    MARA,16,13,10,2,1.859378087746261,1.9221215451695306,0.6449090895951936,0.00515614838105792,0.9119185292078952,0.8069620187625206,0.36761782150742617,0.3492358616666493,0.13665019879672144,0.24549897313521077,1.3620556588016157,0.5600658863679148,1.7807469419891657
    RIOT,12,10,6,2,1.089279369653366,0.8743018314676905,-5.080742827024723,-0.020737888439513127,0.9998602351909075,0.02967494799450388,0.017919342858468842,0.12581145663172685,0.010977703605475037,0.0377932714758414,1.901916502422421,-1.0276146709547305,0.6041979010494751
    RIOT,13,10,7,2,1.034002693890103,0.22719449635251315,1.2940178060106913,-0.011734658357158007,0.7994169863797681,1.071352132687152,0.46550972993542933,0.8248667873060672,0.329000824918693,0.2980427698320395,0.1554874210602442,0.07170707529226894,0.6660323825376406
    RIOT,14,10,8,2,1.9520714569529871,0.25511645523228177,1.2063975753878982,-0.016789547211778708,0.8778656601560229,0.8267079999475944,0.3367225275307235,0.3736825611230022,0.2760418446442032,0.14184134942853596,0.18983124724480555,0.06528520798747625,1.439614871337225
    RIOT,15,10,9,2,1.9674310486034572,0.2921903967343411,1.0393360455335483,-0.01628657023977726,0.848820552214124,0.7966840283128684,0.32171750482901573,0.30560779766384255,0.24489301342482142,0.1640280123190797,0.29845903009806957,-0.006268633363728432,1.4611951731527224
    RIOT,16,10,9,2,1.5528170429500614,-0.19265784932326158,1.2144082658326778,-0.020220962009619193,0.8494102552965899,1.2629410019568856,0.4644803666663576,0.37952550615162517,0.36848481170554315,0.1895420593553331,0.21392099893730376,-0.40657884826056534,1.9235851224476397
    RIOT,14,13,8,2,1.9520714569529871,0.25511645523228177,1.2063975753878982,-0.016789547211778708,0.8778656601560229,0.8267079999475944,0.3367225275307235,0.3736825611230022,0.2760418446442032,0.14184134942853596,0.18983124724480555,0.06528520798747625,1.439614871337225
    RIOT,15,13,9,2,1.9674310486034572,0.2921903967343411,1.0393360455335483,-0.01628657023977726,0.848820552214124,0.7966840283128684,0.32171750482901573,0.30560779766384255,0.24489301342482142,0.1640280123190797,0.29845903009806957,-0.006268633363728432,1.4611951731527224
    RIOT,16,13,10,2,2.444106488890227,0.23030062988290131,1.0224889033409985,-0.013632069583886023,0.7685429572417404,1.0245842750897078,0.42652613707338166,0.40659373423548656,0.18922446427544526,0.16401647137982264,0.31805061808375257,-0.08774998820085125,1.4841594257061883
"""


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO("\n".join(line.strip() for line in text.splitlines())))


def test_fixed_inputs_give_statsmodels_numbers(fits_model):
    stocks = _csv(FIXED_STOCKS)
    stocks["factor_role"] = stocks["factor_role"].astype(object).where(stocks["factor_role"].notna(), None)
    factors = _csv(FIXED_FACTORS)
    rows, _ = run_fits(fits_model, stocks, factors, [10, 13], "0.6")
    expected = _csv(FIXED_EXPECTED)
    assert sorted(map(tuple, rows[KEYS].to_numpy().tolist())) == sorted(map(tuple, expected[KEYS].to_numpy().tolist()))
    merged = rows.merge(expected, on=KEYS, suffixes=("", "_ref"))
    assert (merged["n_obs"] == merged["n_obs_ref"]).all() and (merged["hac_lags"] == merged["hac_lags_ref"]).all()
    diffs = max_abs_diffs(rows, expected)
    assert max(diffs.values()) <= 1e-11, diffs
