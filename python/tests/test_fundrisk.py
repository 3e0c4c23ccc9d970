"""The Python package against the command line: the same run gives the same summary, an
override equals the same change made in the file, a bad override raises with the field path,
and other Python threads run while the paths run."""

import math
import os
import pathlib
import subprocess
import threading
import time

import polars as pl
import pytest

import fundrisk

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("FUNDRISK_BIN", str(ROOT / "target" / "release" / "fundrisk"))
GUANGDONG = ROOT / "scenarios" / "guangdong-merger.toml"


def cli_summary(tmp_path, scenario, *args):
    out = tmp_path / "cli"
    subprocess.run(
        [BIN, "run", str(scenario), "--paths", "64", "--seed", "7", "--out", str(out), *args],
        check=True,
        capture_output=True,
    )
    return pl.read_csv(out / "summary.csv")


def assert_same(python: pl.DataFrame, csv: pl.DataFrame):
    """Equal cell by cell; an empty CSV cell is a value Python holds as NaN or ±inf."""
    assert python.columns == csv.columns
    assert python.height == csv.height
    for c in python.columns:
        a, b = python[c].to_list(), csv[c].to_list()
        if python[c].dtype == pl.Utf8:
            assert a == b, c
            continue
        for x, y in zip(a, b):
            if y is None:
                assert x is None or not math.isfinite(x), (c, x)
            else:
                assert float(x) == float(y), (c, x, y)


def test_a_run_equals_the_command_lines(tmp_path):
    s = fundrisk.load(str(GUANGDONG))
    r = s.run(paths=64, seed=7, threads=1)
    assert_same(r.summary, cli_summary(tmp_path, GUANGDONG))
    assert set(r.exhaustion["unit"]) >= {"guangdong", "all"}
    assert r.pooling is None
    assert "guangdong" in s.check()


def test_an_override_equals_the_change_in_the_file(tmp_path):
    text = GUANGDONG.read_text(encoding="utf-8")
    old = 'employer_rate = [{ from = "2019-01", value = 0.05, source = "ASSUMPTION: representative city rate" }]'
    assert text.count(old) == 1
    # Beside the scenarios, so that the file's includes resolve.
    copy = ROOT / "scenarios" / f"python-test-{os.getpid()}.toml"
    copy.write_text(text.replace(old, "employer_rate = 0.065"), encoding="utf-8")
    try:
        edited = fundrisk.load(str(copy)).run(paths=64, seed=7).summary
    finally:
        copy.unlink()
    s = fundrisk.load(str(GUANGDONG), overrides={"policy.employer_rate": 0.065})
    assert s.overrides == ["policy.employer_rate = 0.065"]
    changed = s.run(paths=64, seed=7).summary
    assert_same(changed, edited)
    plain = fundrisk.load(str(GUANGDONG)).run(paths=64, seed=7).summary
    assert not changed.equals(plain)
    # And the same as the command line's --set.
    assert_same(changed, cli_summary(tmp_path, GUANGDONG, "--set", "policy.employer_rate=0.065"))


def test_a_bad_override_raises_with_the_field_path():
    with pytest.raises(fundrisk.FundriskError, match=r"policy\.employer_rate: 1\.5 is outside the allowed range"):
        fundrisk.load(str(GUANGDONG), overrides={"policy.employer_rate": 1.5})
    with pytest.raises(fundrisk.FundriskError, match="no entry of `units` is named `shenzhen`"):
        fundrisk.load(str(GUANGDONG), overrides={"units.shenzhen.policy.employer_rate": 0.05})
    with pytest.raises(fundrisk.FundriskError, match="paths: a run needs at least 1 path"):
        fundrisk.load(str(GUANGDONG)).run(paths=0)


def test_other_threads_run_while_paths_run():
    s = fundrisk.load(str(GUANGDONG))
    done = threading.Event()
    worker = threading.Thread(target=lambda: (s.run(paths=3000, seed=1), done.set()))
    worker.start()
    ticks = 0
    while not done.is_set():
        time.sleep(0.005)
        ticks += 1
    worker.join()
    assert ticks > 5, f"the main thread ran {ticks} times while the paths ran"


def test_the_report_and_the_ledger(tmp_path):
    s = fundrisk.load(str(GUANGDONG))
    out = s.report(str(tmp_path / "r"), paths=32, lang="en")
    assert (pathlib.Path(out) / "report.html").exists()
    ledger = s.ledger()
    assert {"unit", "month", "pooled_balance"} <= set(ledger.columns)


def cli_table(tmp_path, name, csv, *args):
    out = tmp_path / name
    subprocess.run([BIN, *args, "--out", str(out)], check=True, capture_output=True)
    return pl.read_csv(out / csv)


def test_the_studies_equal_the_command_lines(tmp_path):
    s = fundrisk.load(str(GUANGDONG))
    solved = s.solve_rate("P(months<9)<=0.2", paths=32, seed=3)
    assert_same(
        solved,
        cli_table(tmp_path, "solve", "solve_rate.csv", "solve-rate", str(GUANGDONG),
                  "--target", "P(months<9)<=0.2", "--paths", "32", "--seed", "3"),
    )
    other = fundrisk.load(str(GUANGDONG), overrides={"policy.employer_rate": 0.065})
    diff = fundrisk.compare(s, other, paths=32, seed=3)
    assert (diff["balance_mean_diff"] > 0).any()
    assert set(diff["unit"]) >= {"guangdong", "all"}
    sens = s.sensitivity(paths=32, seed=3)
    assert_same(
        sens,
        cli_table(tmp_path, "sens", "sensitivity.csv", "sensitivity", str(GUANGDONG),
                  "--paths", "32", "--seed", "3"),
    )


def test_labelled_values_equal_the_command_line(tmp_path):
    """Two labelled values of Guangdong moved as ``sensitivity --labelled --only``: the same
    table as the command line's, and its labels.csv."""
    s = fundrisk.load(str(GUANGDONG))
    only = ["policy.wage_dispersion", "policy.maternity.spouse_cost_share"]
    sens, labels = s.labelled_sensitivity(only=only, paths=16, seed=3)
    args = ["sensitivity", str(GUANGDONG), "--labelled", "--paths", "16", "--seed", "3"]
    for o in only:
        args += ["--only", o]
    assert_same(sens, cli_table(tmp_path, "lab", "sensitivity.csv", *args))
    csv = pl.read_csv(tmp_path / "lab" / "labels.csv")
    for c in ["path", "line", "value", "label", "measured"]:
        assert [str(x) for x in labels[c]] == [str(x) for x in csv[c]], c
    assert list(labels["path"]) == only
    assert list(labels["measured"]) == ["low and high", "low and high"]
    assert sens.height == 5


def test_an_interrupt_cancels_a_run():
    """Ctrl-C (here from another thread, as a notebook's stop button does) stops a long run
    within a fraction of a second and raises KeyboardInterrupt; the next run is unaffected."""
    import _thread

    s = fundrisk.load(str(GUANGDONG))
    timer = threading.Timer(0.3, _thread.interrupt_main)
    started = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        s.run(paths=200_000, seed=1)
    assert time.monotonic() - started < 5.0
    assert s.run(paths=64, seed=7).summary.height > 0


def test_opening_positions_say_which_units_are_assumed():
    """The reports' mark of assumed positions, for a program: Shandong's cities solve their
    levels to assumed figures (assumed), national-2025 to the 2024 bulletin (base_year), the
    long-range scenario opens at the 2022 flash report (sourced)."""
    positions = dict(fundrisk.load(str(ROOT / "scenarios" / "shandong-provincial.toml")).opening_positions)
    assert len(positions) == 18 and set(positions.values()) == {"assumed"}
    assert fundrisk.load().opening_positions == [("national", "base_year")]
    long_range = fundrisk.load(str(ROOT / "scenarios" / "national-long-range.toml"))
    assert long_range.opening_positions == [("national", "sourced")]
