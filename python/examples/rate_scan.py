"""An analyst's first script: how the risk of Guangdong's pooled fund in 2028 moves with the
employer rate. Run from the repository's root after `pip install ./python`:

    python3 python/examples/rate_scan.py
"""

import polars as pl

import fundrisk

for rate in [0.05, 0.055, 0.06, 0.065]:
    s = fundrisk.load("scenarios/guangdong-merger.toml", overrides={"policy.employer_rate": rate})
    r = s.run(paths=2000, seed=20191202)
    last = r.summary.filter((pl.col("unit") == "guangdong") & (pl.col("year") == 2028))
    print(
        f"employer rate {rate:.1%}: median months {last['months_p50'][0]:.1f}, "
        f"P(months < 6) {last['p_months_lt_6'][0]:.1%}, P(balance < 0) {last['p_exhausted'][0]:.1%}"
    )
    # r.summary.to_pandas() for pandas users.
