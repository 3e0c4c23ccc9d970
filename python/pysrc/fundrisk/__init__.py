"""fundrisk from Python: load a scenario (with overrides), check it, run it, and get its tables
as polars DataFrames (``.to_pandas()`` through polars).

    import fundrisk
    s = fundrisk.load("scenarios/guangdong-merger.toml",
                      overrides={"policy.employer_rate": 0.065})
    r = s.run(paths=2000, seed=1)
    r.summary.filter(pl.col("year") == 2028)

Errors raise ``fundrisk.FundriskError`` with the command line's message: the file, the field
path and what is allowed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping, Optional

import polars as pl

from . import _fundrisk
from ._fundrisk import FundriskError

__all__ = ["load", "compare", "Scenario", "Results", "FundriskError"]


def _override_text(path: str, value: Any) -> str:
    """``path=value`` with the value written as TOML (numbers, strings, booleans and lists of
    them are written the same way in JSON and TOML)."""
    return f"{path}={json.dumps(value)}"


def _frame(columns: Mapping[str, list]) -> pl.DataFrame:
    return pl.DataFrame(dict(columns), strict=False)


@dataclass(frozen=True)
class Results:
    """A run's tables, as the CSV files hold them."""

    summary: pl.DataFrame
    warnings: pl.DataFrame
    exhaustion: pl.DataFrame
    pooling: Optional[pl.DataFrame]


class Scenario:
    """A scenario as ``fundrisk run`` loads it: overrides applied, base years solved."""

    def __init__(self, inner: "_fundrisk.Scenario"):
        self._inner = inner

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def overrides(self) -> list:
        return self._inner.overrides

    def check(self) -> str:
        """What the scenario describes, as ``fundrisk check`` prints it."""
        return self._inner.check()

    @property
    def opening_positions(self) -> list:
        """Where each unit's opening position comes from, as (unit, kind): ``"base_year"`` (a
        published base year its levels are solved to), ``"sourced"`` (the published figures its
        source names) or ``"assumed"`` (figures of the right order; reports mark its funds)."""
        return self._inner.opening_positions

    def ledger(self) -> pl.DataFrame:
        """The exact ledger of the expected path (yuan, to the fen)."""
        return _frame(self._inner.ledger())

    def run(self, paths: Optional[int] = None, seed: Optional[int] = None,
            threads: Optional[int] = None) -> Results:
        """The Monte Carlo run (paths and seed default to the scenario's ``[run]``)."""
        t = self._inner.run(paths=paths, seed=seed, threads=threads)
        return Results(
            summary=_frame(t["summary"]),
            warnings=_frame(t["warnings"]),
            exhaustion=_frame(t["exhaustion"]),
            pooling=_frame(t["pooling"]) if "pooling" in t else None,
        )

    def solve_rate(self, target: str, years: Optional[tuple] = None, line: str = "employer",
                   from_month: Optional[str] = None, range: tuple = (0.0, 0.2),
                   per_unit: bool = False, paths: Optional[int] = None,
                   seed: Optional[int] = None, threads: Optional[int] = None) -> pl.DataFrame:
        """The lowest rate meeting ``target`` (e.g. ``"P(months<3)<=0.05"``) in every year of
        ``years`` (``fundrisk solve-rate``), with the break-even rate."""
        return _frame(self._inner.solve_rate(target, years=years, line=line,
                                             from_month=from_month, range=range,
                                             per_unit=per_unit, paths=paths, seed=seed,
                                             threads=threads))

    def sensitivity(self, fund: Optional[str] = None, paths: Optional[int] = None,
                    seed: Optional[int] = None, threads: Optional[int] = None) -> pl.DataFrame:
        """Each main assumption moved down and up (``fundrisk sensitivity``)."""
        return _frame(self._inner.sensitivity(fund=fund, paths=paths, seed=seed,
                                              threads=threads))

    def labelled_sensitivity(self, step: float = 0.1, only: Optional[list] = None,
                             fund: Optional[str] = None, paths: Optional[int] = None,
                             seed: Optional[int] = None,
                             threads: Optional[int] = None) -> tuple:
        """Every value the scenario file labels ASSUMPTION moved down and up by the factors
        1 - step and 1 + step, one at a time (``fundrisk sensitivity --labelled``; ``only``:
        these labelled paths alone). Returns (the sensitivity table, the labelled items)."""
        t = self._inner.labelled_sensitivity(step=step, only=list(only or []), fund=fund,
                                             paths=paths, seed=seed, threads=threads)
        return _frame(t["sensitivity"]), _frame(t["labels"])

    def report(self, dir: str, paths: Optional[int] = None, seed: Optional[int] = None,
               threads: Optional[int] = None, lang: str = "zh") -> str:
        """Runs and writes the report folder as ``fundrisk run --out DIR``; returns it."""
        return self._inner.report(dir, paths=paths, seed=seed, threads=threads, lang=lang)


def compare(base: Scenario, other: Scenario, paths: Optional[int] = None,
            seed: Optional[int] = None, threads: Optional[int] = None) -> pl.DataFrame:
    """``other − base`` per fund and year on common random numbers (``fundrisk compare``):
    differences with paired standard errors, and each side's own levels (``_base``, ``_other``)."""
    return _frame(_fundrisk.compare(base._inner, other._inner, paths=paths, seed=seed,
                                    threads=threads))


def load(path: Optional[str] = None, overrides: Optional[Mapping[str, Any]] = None) -> Scenario:
    """Loads a scenario file (the embedded default without a path). ``overrides`` maps dotted
    paths as the file is written (``policy.employer_rate``, ``units.jinan.policy.employer_rate``,
    ``economy.wage_growth.mean``) to values, exactly as ``fundrisk --set PATH=VALUE``."""
    texts = [_override_text(k, v) for k, v in (overrides or {}).items()]
    return Scenario(_fundrisk.load(None if path is None else str(path), texts))
