"""An independent reference implementation of the fundrisk model in Python and NumPy.

It reads the same scenario files and data tables as `fundrisk`, written from MODEL.md and the
scenario format (docs/scenario-format.md), vectorised over paths: each state is an array whose
first axis is the path. It exists to check the Rust engine (its expected path must equal
`fundrisk ledger` line by line) and to time it against an analyst's NumPy code.

Status, checked against `fundrisk ledger` in all five scenarios:

- Membership: cells by retirement group, status and age; deaths, exits and retirements with
  the 2025 reform; continuing contributors; ageing; entries.
- Contribution income: employer, employee, flexible workers, buy-ins, separate maternity
  contributions, residents, subsidies and personal-account credits.
- Maternity: births, medical costs and allowances.
- Expected inpatient and outpatient payments and retirees' account credits, where a unit has
  one hospital level and no second tier, critical illness or new-member caps (every scenario
  but Jiangmen).
- Single pooling only: the funds' books (interest, balance, the merger's transfer).

Not yet implemented: Jiangmen's benefit mixtures, the pooling rules (provincial adjustment,
city-unified, accounts), management rules and the Monte Carlo drivers.

Usage: python3 fundrisk_ref.py SCENARIO.toml [--ledger ledger.csv]
"""

from __future__ import annotations

import csv
import math
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
MIN_AGE, MAX_AGE = 16, 100
N_AGES = MAX_AGE - MIN_AGE + 1
# Statuses, in the engine's order.
ENTERPRISE, GOVERNMENT, FLEXIBLE, CONTINUING, RETIREE, RESIDENT = range(6)
N_STATUS = 6
WORKERS = (ENTERPRISE, GOVERNMENT, FLEXIBLE)
STATUS_NAMES = ("enterprise", "government", "flexible", "continuing", "retiree", "resident")
# Retirement groups: men (60), women whose original age is 50 (workers) or 55 (cadres).
MALE60, FEMALE50, FEMALE55 = range(3)
N_GROUPS = 3
GROUP_SEX = (0, 1, 1)


# --- months and dated values -------------------------------------------------------------------

def month(text: str) -> int:
    """'YYYY-MM' as a month index y*12 + (m-1)."""
    y, m = text.split("-")
    return int(y) * 12 + int(m) - 1


def dated(value, t: int):
    """The value of a dated parameter in month index t: a plain value, or the latest entry of a
    list of {from, value} not after t (the first before the first entry)."""
    if isinstance(value, list) and value and isinstance(value[0], dict) and "from" in value[0]:
        chosen = value[0]["value"]
        for e in value:
            if month(e["from"]) <= t:
                chosen = e["value"]
        return chosen
    return value


# --- data tables ---------------------------------------------------------------------------------

def read_table(spec: str, scenario_dir: Path) -> list[dict[str, str]]:
    path = REPO / "data" / spec[len("builtin:"):] if spec.startswith("builtin:") else scenario_dir / spec
    with open(path, encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#") and line.strip()]
    return list(csv.DictReader(lines))


def by_sex_age(rows, male: str, female: str) -> np.ndarray:
    out = np.zeros((2, N_AGES))
    for r in rows:
        a = int(r["age"]) - MIN_AGE
        out[0, a] = float(r[male])
        out[1, a] = float(r[female])
    return out


def structure(rows) -> np.ndarray:
    """[status k of enterprise, government, flexible, retiree, resident][sex][age] shares."""
    names = ["enterprise", "government", "flexible", "retiree", "resident"]
    out = np.zeros((5, 2, N_AGES))
    for r in rows:
        out[names.index(r["status"]), int(r["sex"] == "F"), int(r["age"]) - MIN_AGE] = float(r["share"])
    return out


# --- the 2025 retirement-age reform --------------------------------------------------------------

# (original age, first birth month affected, birth months per month of delay, maximum delay)
REFORM = {
    MALE60: (60, month("1965-01"), 4, 36),
    FEMALE55: (55, month("1970-01"), 4, 36),
    FEMALE50: (50, month("1975-01"), 2, 60),
}


def retirement_month(g: int, birth: int, reform: bool) -> int:
    base, first, step, cap = REFORM[g]
    n = birth - first
    delay = 0 if (not reform or n < 0) else min(n // step + 1, cap)
    return birth + base * 12 + delay


def subcohorts_from(g: int, a: int, t: int, start: int, reform: bool) -> int:
    """Of the 12 birth-month subcohorts of age index a in month t's year, how many retire in month
    `start` or later."""
    birth_year = t // 12 - (a + MIN_AGE)
    return sum(retirement_month(g, birth_year * 12 + b, reform) >= start for b in range(12))


# --- scenario ------------------------------------------------------------------------------------

@dataclass
class Unit:
    name: str
    totals: list[float]          # enterprise, government, flexible, retirees, residents
    resident_growth: float
    structure: np.ndarray
    female55: list[float]        # per worker status
    reform: bool
    buyin_monthly: bool
    short_share: np.ndarray      # per sex
    mean_shortfall: np.ndarray   # per sex, years
    spec: dict                   # the unit's table as written
    policy: dict                 # merged policy, defaults filled in
    avg_wage_prev_year: float
    utilisation_level: float


@dataclass
class Scenario:
    start: int
    horizon: int
    q_month: np.ndarray          # [sex][age]
    exit_month: np.ndarray
    entry_share: np.ndarray
    first_year: int
    units: list[Unit]
    wage_rel: np.ndarray           # [sex][age], before normalisation
    pooling: dict
    econ: dict
    years: range
    cost_rows: list
    data: dict
    dir: Path
    small_cell_threshold: float


def normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def deep_merge(base: dict, over: dict) -> dict:
    """A unit's policy: the scenario's [policy] with the unit's own keys on top, table by table."""
    out = dict(base)
    for k, v in over.items():
        out[k] = deep_merge(out[k], v) if isinstance(out.get(k), dict) and isinstance(v, dict) else v
    return out


# Policy defaults (docs/scenario-format.md) for the fields the reference reads.
POLICY_DEFAULTS = {
    "employer_to_personal_account": 0.0,
    "employee_rate": 0.02,
    "employee_to_personal_account": 1.0,
    "base_floor": 0.6,
    "base_cap": 3.0,
    "base_reference_lag": 1,
    "wage_dispersion": 0.5,
    "flexible_base": 0.6,
    "flexible_rate": 0.07,
    "flexible_to_personal_account": 0.0,
    "buyin_rate": 0.08,
    "resident_rate": 0.0,
    "resident_income": 0.0,
    "resident_income_lag": 2,
    "resident_subsidy": 0.0,
}

ECONOMY_DEFAULT_MEANS = {"wage_growth": 0.06, "collection_rate": 0.98, "employment_growth": 0.01,
                         "medical_price_growth": 0.03, "utilisation_growth": 0.02,
                         "interest_rate": 0.015}


def year_means(econ: dict, name: str, years: range) -> np.ndarray:
    """A driver's mean in each year: the value in force in its July."""
    mean = econ.get(name, {}).get("mean", ECONOMY_DEFAULT_MEANS[name])
    return np.array([dated(mean, y * 12 + 6) for y in years], dtype=float)


def load(path: Path) -> Scenario:
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    here = path.parent
    data = spec.get("data", {})
    life = read_table(data.get("life_table", "builtin:life_table.csv"), here)
    flows = read_table(data.get("worker_flows", "builtin:worker_flows.csv"), here)
    start = month(spec["start"])
    horizon = int(spec["horizon_months"])
    first_year, last_year = start // 12, (start + horizon - 1) // 12
    econ = spec.get("economy", {})
    years = range(first_year, last_year + 1)
    policy = spec.get("policy", {})
    wage = read_table(data.get("wage_profile", "builtin:wage_profile.csv"), here)
    units = []
    for u in spec["units"]:
        p = {**POLICY_DEFAULTS, **deep_merge(policy, u.get("policy", {}))}
        m = u["membership"]
        f55 = {"enterprise": 0.3, "government": 1.0, "flexible": 1.0, **p.get("female_age55_share", {})}
        mins = {"male": 25.0, "female": 20.0, **p.get("minimum_years", {})}
        cy = {"mean_male": 32.0, "sd_male": 7.0, "mean_female": 27.0, "sd_female": 7.0,
                 **p.get("contribution_years", {})}
        short, shortfall = [], []
        for sex, key in ((0, "male"), (1, "female")):
            lo, mean, sd = mins[key], cy[f"mean_{key}"], cy[f"sd_{key}"]
            if sd <= 0:
                short.append(float(mean < lo))
                shortfall.append(max(lo - mean, 0.0))
            else:
                z = (lo - mean) / sd
                phi = math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
                short.append(normal_cdf(z))
                shortfall.append((lo - mean) * normal_cdf(z) + sd * phi)
        units.append(Unit(
            name=u["name"],
            totals=[m.get("enterprise", 0.0), m.get("government", 0.0), m.get("flexible", 0.0),
                    m.get("retirees", 0.0), m.get("residents", 0.0)],
            resident_growth=m.get("resident_growth", 0.0),
            structure=structure(read_table(m.get("structure", "builtin:membership_structure.csv"), here)),
            female55=[f55["enterprise"], f55["government"], f55["flexible"]],
            reform=p.get("retirement_reform", True),
            buyin_monthly=p.get("buyin_mode", "lump_sum") == "monthly",
            short_share=np.array(short),
            mean_shortfall=np.array(shortfall),
            spec=u,
            policy=p,
            avg_wage_prev_year=u["average_wage_prev_year"],
            utilisation_level=u.get("utilisation_level", 1.0),
        ))
    return Scenario(
        start=start,
        horizon=horizon,
        q_month=by_sex_age(life, "q_male", "q_female") / 12.0,
        exit_month=by_sex_age(flows, "exit_rate_male", "exit_rate_female") / 12.0,
        entry_share=by_sex_age(flows, "entry_share_male", "entry_share_female"),
        first_year=first_year,
        units=units,
        wage_rel=by_sex_age(wage, "rel_male", "rel_female"),
        pooling=spec.get("pooling", {}),
        econ=econ,
        years=years,
        cost_rows=read_table(data.get("cost_curve", "builtin:cost_curve.csv"), here),
        data=data,
        dir=here,
        small_cell_threshold=spec.get("run", {}).get("small_cell_threshold", 1000.0),
    )


# --- membership ----------------------------------------------------------------------------------

class Membership:
    """Cells [path, group, status, age] of one unit and their monthly flows (expected values)."""

    def __init__(self, s: Scenario, u: Unit, n_paths: int, rng=None, threshold: float = 0.0):
        self.s, self.u = s, u
        self.rng, self.threshold = rng, threshold
        reform = u.reform
        ages = range(N_AGES)
        # Month tables: retirement shares and whether workers can still be active.
        self.retire_share = np.zeros((s.horizon, N_GROUPS, N_AGES))
        self.can_work = np.zeros((s.horizon, N_GROUPS, N_AGES))
        for k in range(s.horizon):
            t = s.start + k
            for g in range(N_GROUPS):
                for a in ages:
                    remaining = subcohorts_from(g, a, t, t, reform)
                    later = subcohorts_from(g, a, t, t + 1, reform)
                    self.retire_share[k, g, a] = (remaining - later) / remaining if remaining else 0.0
                    self.can_work[k, g, a] = float(remaining > 0)
        st = u.structure
        male, female = st[:3, 0].sum(axis=1), st[:3, 1].sum(axis=1)
        self.male_share = np.where(male + female > 0, male / np.maximum(male + female, 1e-300), 0.5)
        # Entrants' shares by group and age, per month and worker status (normalised).
        sex_share = np.array([[self.male_share[w],
                               (1 - self.male_share[w]) * (1 - u.female55[w]),
                               (1 - self.male_share[w]) * u.female55[w]] for w in range(3)])
        entry = s.entry_share[list(GROUP_SEX)]                                  # [g][a]
        w = sex_share[None, :, :, None] * entry[None, None] * self.can_work[:, None]  # [k][w][g][a]
        tot = w.sum(axis=(2, 3), keepdims=True)
        self.entry_weights = np.where(tot > 0, w / np.where(tot > 0, tot, 1.0), 0.0)
        self.entry_ok = tot[..., 0, 0] > 0
        # Initial cells.
        c = np.zeros((N_GROUPS, N_STATUS, N_AGES))
        for k, total in enumerate(u.totals):
            status = (ENTERPRISE, GOVERNMENT, FLEXIBLE, RETIREE, RESIDENT)[k]
            f55 = u.female55[k] if k < 3 else 0.0
            c[MALE60, status] += total * st[k, 0]
            c[FEMALE50, status] += total * st[k, 1] * (1 - f55)
            c[FEMALE55, status] += total * st[k, 1] * f55
        for g in range(N_GROUPS):
            for a in ages:
                overdue = 12 - subcohorts_from(g, a, s.start, s.start, reform)
                if overdue > 0:
                    moved = c[g, list(WORKERS), a] * (overdue / 12.0)
                    c[g, list(WORKERS), a] -= moved
                    c[g, RETIREE, a] += moved.sum()
        self.cells = np.repeat(c[None], n_paths, axis=0)
        share, months = u.short_share, 12.0 * u.mean_shortfall / np.maximum(u.short_share, 1e-300)
        self.cont_exit = np.where(share <= 0, 1.0, np.where(months <= 1.0, 1.0, 1.0 / months))
        self.to_cont = u.short_share if u.buyin_monthly else np.zeros(2)

    def binomial(self, n: np.ndarray, p) -> np.ndarray:
        """Events among n members with probability p: expected values, except binomial draws in
        cells below the small-cell threshold (a fractional member counts with its fraction's
        probability)."""
        expected = n * p
        if self.rng is None or self.threshold <= 0:
            return expected
        p = np.broadcast_to(p, n.shape)
        idx = np.nonzero((n > 0) & (n < self.threshold) & (p > 0))
        if len(idx[0]) == 0:
            return expected
        nn, pp = n[idx], np.clip(p[idx], 0.0, 1.0)
        whole = np.floor(nn)
        trials = (whole + (self.rng.random(len(nn)) < nn - whole)).astype(np.int64)
        expected[idx] = np.minimum(self.rng.binomial(trials, pp), nn)
        return expected

    def totals(self) -> np.ndarray:
        """Members by status [path][status]."""
        return self.cells.sum(axis=(1, 3))

    def age_one_year(self):
        c = self.cells
        top = c[..., -1] + c[..., -2]
        c[..., 1:-1] = c[..., :-2].copy()
        c[..., -1] = top
        c[..., 0] = 0.0

    def step(self, k: int, employment_growth: np.ndarray):
        """Flows at the end of month k; employment_growth per path (annual)."""
        s, c = self.s, self.cells
        before = self.totals()
        sex = list(GROUP_SEX)
        q = s.q_month[sex][None]                      # [1][g][a]
        ex = s.exit_month[sex][None]
        ret = self.retire_share[k][None]
        to_cont = self.to_cont[sex][None, :, None]
        self.retirements_by_sex = np.zeros((c.shape[0], 2))
        for st in WORKERS:
            n = c[:, :, st]
            deaths = self.binomial(n, q)
            exits = self.binomial(n - deaths, ex / (1 - q))
            retirements = self.binomial(n - deaths - exits, ret)
            self.retirements_by_sex[:, 0] += retirements[:, MALE60].sum(axis=-1)
            self.retirements_by_sex[:, 1] += retirements[:, FEMALE50:].sum(axis=(1, 2))
            c[:, :, st] = n - deaths - exits - retirements
            into_cont = retirements * to_cont
            c[:, :, CONTINUING] += into_cont
            c[:, :, RETIREE] += retirements - into_cont
        n = c[:, :, CONTINUING]
        deaths = self.binomial(n, q)
        done = self.binomial(n - deaths, self.cont_exit[sex][None, :, None])
        c[:, :, CONTINUING] = n - deaths - done
        c[:, :, RETIREE] += done
        for st in (RETIREE, RESIDENT):
            c[:, :, st] -= self.binomial(c[:, :, st], q)
        after = self.totals()
        # Residents: entrants to reach the growth target.
        res_before = before[:, RESIDENT]
        gap = res_before * (1 + self.u.resident_growth) ** (1 / 12) - after[:, RESIDENT]
        gap = np.where((res_before > 0) & (gap > 0), gap, 0.0)
        w = s.entry_share / s.entry_share.sum()
        c[:, MALE60, RESIDENT] += gap[:, None] * w[0][None]
        c[:, FEMALE50, RESIDENT] += gap[:, None] * w[1][None]
        # Workers: entrants (or extra exits) to reach the employment target.
        monthly = (1 + employment_growth) ** (1 / 12)
        for wi, st in enumerate(WORKERS):
            target = before[:, st] * monthly
            gap = target - after[:, st]
            add = (gap > 0) & self.entry_ok[k, wi]
            c[:, :, st] += np.where(add, gap, 0.0)[:, None, None] * self.entry_weights[k, wi][None]
            shrink = (gap < 0) & (after[:, st] > 0)
            keep = np.where(shrink, target / np.where(after[:, st] > 0, after[:, st], 1.0), 1.0)
            c[:, :, st] *= keep[:, None, None]


# --- contributions -------------------------------------------------------------------------------

try:  # scipy's erfc is vectorised in C; math.erfc element by element otherwise
    from scipy.special import erfc as _erfc
except ImportError:  # pragma: no cover
    _erfc = np.vectorize(math.erfc, otypes=[float])


def phi(x):
    """Standard normal distribution function."""
    return 0.5 * _erfc(-np.asarray(x) / math.sqrt(2.0))


# --- drivers -------------------------------------------------------------------------------------

DRIVERS = ("wage_growth", "medical_price_growth", "utilisation_growth", "employment_growth",
           "collection_rate", "interest_rate")


@dataclass
class Drivers:
    """Yearly drivers per path: arrays [path][year of the horizon]."""
    wage_growth: np.ndarray
    medical_price_growth: np.ndarray
    utilisation_growth: np.ndarray
    employment_growth: np.ndarray
    collection_rate: np.ndarray
    interest_rate: np.ndarray
    fertility: np.ndarray

    @property
    def paths(self) -> int:
        return self.wage_growth.shape[0]


def fertility_levels(s: Scenario) -> tuple[np.ndarray, float, float]:
    fert = s.econ.get("fertility", {})
    level = np.array([dated(fert.get("level", 1.0), y * 12 + 6) for y in s.years])
    return level, fert.get("drift", 0.0), fert.get("volatility", 0.0)


def expected_drivers(s: Scenario) -> Drivers:
    level, drift, _ = fertility_levels(s)
    means = {d: year_means(s.econ, d, s.years)[None] for d in DRIVERS}
    fert = (level * np.exp(drift * np.arange(len(level))))[None]
    return Drivers(**means, fertility=fert)


def sample_drivers(s: Scenario, n: int, rng: np.random.Generator) -> Drivers:
    """AR(1) deviations around the yearly means with correlated shocks (MODEL.md, "Economy"),
    and a random walk in log fertility."""
    n_years = len(s.years)
    corr = np.array(s.econ.get("correlation", np.eye(7)), dtype=float)
    chol = np.linalg.cholesky(corr)
    eps = rng.standard_normal((n, n_years, 7)) @ chol.T
    out = {}
    for i, d in enumerate(DRIVERS):
        spec = s.econ.get(d, {})
        vol, phi_ = spec.get("volatility", 0.0), spec.get("persistence", 0.0)
        dev = np.zeros((n, n_years))
        for k in range(n_years):
            dev[:, k] = vol * eps[:, k, i] if k == 0 else \
                phi_ * dev[:, k - 1] + vol * math.sqrt(1 - phi_ * phi_) * eps[:, k, i]
        out[d] = year_means(s.econ, d, s.years)[None] + dev
    out["collection_rate"] = np.clip(out["collection_rate"], 0.0, 1.0)
    level, drift, fvol = fertility_levels(s)
    steps = drift * (np.arange(n_years) > 0)[None] + fvol * eps[:, :, 6]
    return Drivers(**out, fertility=level[None] * np.exp(np.cumsum(steps, axis=1)))


def year_index(s: Scenario, t: int) -> int:
    return min(max(t // 12 - s.first_year, 0), len(s.years) - 1)


# --- contributions -------------------------------------------------------------------------------

def lev(mean: np.ndarray, sigma: float, b: np.ndarray) -> np.ndarray:
    """E[min(X, b)] for X lognormal with the given mean and log-sd sigma."""
    mu = np.log(mean) - 0.5 * sigma * sigma
    z = (np.log(b) - mu) / sigma
    return mean * phi(z - sigma) + b * phi(-z)


def clamped_mean(mean: np.ndarray, sigma: float, floor: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """E[min(max(X, floor), cap)]: the expected contribution base."""
    return floor + lev(mean, sigma, cap) - lev(mean, sigma, floor)


SPENDING = ("spending_inpatient", "spending_outpatient", "spending_personal_account")
MATERNITY_SPENDING = ("spending_maternity_medical", "spending_maternity_allowance")
INCOME = ("income_employer", "income_employee", "income_flexible", "income_buyin",
          "income_maternity", "income_resident", "income_subsidy", "personal_account_income")


class Contributions:
    """A unit's contribution income per month and path, from its membership."""

    def __init__(self, s: Scenario, u: Unit, m: Membership, d: Drivers):
        self.s, self.u, self.p, self.d = s, u, u.policy, d
        # Wages by calendar year from two years before the start: [path][year].
        w0 = u.avg_wage_prev_year / np.exp(d.wage_growth[:, :1])
        w1 = np.full_like(w0, u.avg_wage_prev_year)
        self.wages = np.concatenate([w0, w1, u.avg_wage_prev_year * np.exp(np.cumsum(d.wage_growth, axis=1))],
                                    axis=1)
        self.first_wage_year = s.first_year - 2
        # Wage relativities normalised over the initial active members.
        c = m.cells[0]
        n = c[:, list(WORKERS)].sum(axis=1)                        # [g][a]
        rel = s.wage_rel[list(GROUP_SEX)]                          # [g][a]
        num, den = (n * rel).sum(), n.sum()
        self.wage_rel = s.wage_rel / (num / den if den > 0 and num > 0 else 1.0)
        mat = self.p.get("maternity")
        self.maternity = mat
        self.merger = month(mat["merger"]) if mat and "merger" in mat else None
        self.base_cache = (None, None)

    def wage(self, year: int) -> np.ndarray:
        """Average monthly wage of a calendar year, per path."""
        i = min(max(year - self.first_wage_year, 0), self.wages.shape[1] - 1)
        return self.wages[:, i]

    def month(self, t: int, cells: np.ndarray, retirements_by_sex: np.ndarray) -> dict:
        """Income lines of month t per path, from the cells at its start [path][g][status][age]
        and the month's retirements by sex [path][sex] (for lump-sum buy-ins)."""
        p, s = self.p, self.s
        at = lambda key: dated(p[key], t)
        year = t // 12
        collection = self.d.collection_rate[:, year_index(s, t)]
        reference = self.wage(year - p["base_reference_lag"])
        floor, cap = at("base_floor") * reference, at("base_cap") * reference
        mat = self.maternity
        separate = mat is not None and self.merger is not None and t < self.merger
        mat_rate = dated(mat.get("employer_rate", 0.0), t) if mat else 0.0
        merged_extra = mat_rate if (mat is not None and not separate and self.merger is not None) else 0.0
        er = at("employer_rate")
        er_ent = er + merged_extra
        er_gov = (dated(p["employer_rate_government"], t) if "employer_rate_government" in p else er) + merged_extra
        key = (year, at("base_floor"), at("base_cap"))
        if self.base_cache[0] != key:  # bases change once a year (or with the floor or cap)
            mean = self.wage(year)[:, None, None] * self.wage_rel[None]
            base = clamped_mean(mean, p["wage_dispersion"], floor[:, None, None], cap[:, None, None])
            self.base_cache = (key, base[:, list(GROUP_SEX)])              # [path][g][a]
        base_g = self.base_cache[1]
        payroll_ent = (cells[:, :, ENTERPRISE] * base_g).sum(axis=(1, 2))
        payroll_gov = (cells[:, :, GOVERNMENT] * base_g).sum(axis=(1, 2))
        payroll = payroll_ent + payroll_gov
        employer = (payroll_ent * er_ent + payroll_gov * er_gov) * collection
        to_accounts = (employer - payroll * merged_extra * collection) * at("employer_to_personal_account")
        employee = payroll * at("employee_rate") * collection
        ee_pa = at("employee_to_personal_account")
        totals = cells.sum(axis=(1, 3))
        n_flex, n_res, n_cont = totals[:, FLEXIBLE], totals[:, RESIDENT], totals[:, CONTINUING]
        flex_base = at("flexible_base") * reference
        flex_rate, flex_pa = at("flexible_rate"), at("flexible_to_personal_account")
        zero = np.zeros_like(payroll)
        out = dict.fromkeys(INCOME, zero)
        out["income_employer"] = employer - to_accounts
        out["income_employee"] = employee * (1 - ee_pa)
        out["income_flexible"] = n_flex * flex_base * max(flex_rate - flex_pa, 0.0) * collection
        out["personal_account_income"] = (to_accounts + employee * ee_pa
                                          + n_flex * flex_base * min(flex_pa, flex_rate) * collection)
        if separate:
            covered = payroll + (n_flex * flex_base if mat.get("flexible_covered", False) else 0.0)
            out["income_maternity"] = covered * mat_rate * collection
        income_year = year - p["resident_income_lag"]
        res_base = dated(p["resident_income"], income_year * 12 + 6)
        out["income_resident"] = n_res * at("resident_rate") * res_base / 12 * collection
        out["income_subsidy"] = n_res * at("resident_subsidy") / 12
        buyin = at("buyin_rate")
        out["income_buyin"] = n_cont * floor * buyin * collection
        if not self.u.buyin_monthly:
            years = (retirements_by_sex * self.u.mean_shortfall[None]).sum(axis=1)
            out["income_buyin"] = out["income_buyin"] + years * 12 * floor * buyin
        return out


# --- benefits ------------------------------------------------------------------------------------

def lev_mu(mu: np.ndarray, sigma: float, b: float) -> np.ndarray:
    """E[min(X, b)] for X = exp(N(mu, sigma²))."""
    mean = np.exp(mu + 0.5 * sigma * sigma)
    if b <= 0:
        return np.zeros_like(mu)
    if math.isinf(b):
        return mean
    z = (math.log(b) - mu) / sigma
    return mean * phi(z - sigma) + b * phi(-z)


def coinsurance_expected(mu: np.ndarray, sigma: float, spec: dict, retired: bool) -> np.ndarray:
    """E[min(g(X), cap)] where g pays each tier's ratio on the cost between the deductible (or
    the tier below) and the tier's upper bound: Σ ratio × (LEV(upper ∧ x_cap) − LEV(lower)),
    x_cap the cost at which g reaches the cap."""
    deductible = spec.get("deductible", 0.0) + (spec.get("retiree_deductible_delta", 0.0) if retired else 0.0)
    dr = spec.get("retiree_ratio_delta", 0.0) if retired else 0.0
    cap = float(spec.get("cap", math.inf))
    lower, paid, total = max(deductible, 0.0), 0.0, np.zeros_like(mu)
    for upper, ratio in spec["tiers"]:
        upper = float(upper)
        if upper <= lower:
            continue
        ratio = min(max(ratio + dr, 0.0), 1.0)
        top = upper
        if ratio > 0 and paid + ratio * (upper - lower) >= cap:
            top = lower + (cap - paid) / ratio
        total = total + ratio * (lev_mu(mu, sigma, top) - lev_mu(mu, sigma, lower))
        if top < upper:
            break
        paid += ratio * (upper - lower)
        lower = upper
        if math.isinf(upper):
            break
    return total


BENEFIT_EXTRAS = ("hospital_levels", "tier2", "critical_illness", "new_member_cap_factors")


def benefits_supported(u: Unit) -> bool:
    """One hospital level, no second tier, critical illness, new-member caps or waiting period:
    what the reference's benefits cover so far."""
    p = u.policy
    return not any(p.get(k) for k in BENEFIT_EXTRAS) and not p.get("flexible_waiting_months")


class Benefits:
    """Expected inpatient and outpatient spending of a unit per month and path (one hospital
    level), and retirees' account credits."""

    def __init__(self, s: Scenario, u: Unit, d: Drivers):
        p = u.policy
        self.supported = benefits_supported(u)
        c = p["costs"]
        level = u.utilisation_level
        tab = {k: np.zeros((2, N_AGES)) for k in ("inpatient_use", "inpatient_cost_rel",
                                                   "outpatient_use", "outpatient_cost_rel")}
        for r in s.cost_rows:
            for k in tab:
                tab[k][int(r["sex"] == "F"), int(r["age"]) - MIN_AGE] = float(r[k])
        self.sigma_in, self.sigma_out = c["inpatient_sigma"], c["outpatient_sigma"]
        mu = lambda mean, rel, sig: np.log(np.maximum(mean * rel, 1e-9)) - 0.5 * sig * sig
        self.mu_in = mu(c["inpatient_mean"], tab["inpatient_cost_rel"], self.sigma_in)
        self.mu_out = mu(c["outpatient_mean"], tab["outpatient_cost_rel"], self.sigma_out)
        self.p_in = np.minimum(tab["inpatient_use"] * level, 1.0)
        self.p_out = np.minimum(tab["outpatient_use"] * level, 1.0)
        self.season = p.get("seasonality", [1.0] * 12)
        self.p = p
        # Log price and utilisation indices per path and month, from the middle of the cost
        # price year; history before the start at the first year's rates.
        gap = s.start - (c["price_year"] * 12 + 6)
        yi = np.array([year_index(s, s.start + k) for k in range(s.horizon)])
        step_p = d.medical_price_growth[:, yi] / 12
        step_u = d.utilisation_growth[:, yi] / 12
        step_p[:, 0] = d.medical_price_growth[:, 0] * gap / 12
        step_u[:, 0] = d.utilisation_growth[:, 0] * gap / 12
        self.log_price = np.cumsum(step_p, axis=1)
        self.shift = self.log_price + np.cumsum(step_u, axis=1)
        self.s = s

    def month(self, k: int, cells: np.ndarray) -> dict:
        t = self.s.start + k
        by_sex = lambda st: np.stack([cells[:, MALE60, st], cells[:, FEMALE50, st] + cells[:, FEMALE55, st]], axis=1)
        in_service = sum(by_sex(st) for st in (ENTERPRISE, GOVERNMENT, FLEXIBLE, CONTINUING, RESIDENT))
        retired = by_sex(RETIREE)
        out = {}
        for line, spec_key, p_use, mu, sigma in (
            ("spending_inpatient", "inpatient", self.p_in, self.mu_in, self.sigma_in),
            ("spending_outpatient", "outpatient", self.p_out, self.mu_out, self.sigma_out),
        ):
            spec = dated(self.p[spec_key], t) if spec_key in self.p else None
            if spec is None:
                out[line] = np.zeros(cells.shape[0])
                continue
            m = mu[None] + self.shift[:, k, None, None]
            annual = (in_service * p_use * coinsurance_expected(m, sigma, spec, False)).sum(axis=(1, 2)) \
                + (retired * p_use * coinsurance_expected(m, sigma, spec, True)).sum(axis=(1, 2))
            out[line] = annual / 12 * self.season[t % 12]
        # Retirees' personal-account credits paid from the pooled fund, yuan a month each.
        out["spending_personal_account"] = cells[:, :, RETIREE].sum(axis=(1, 2)) \
            * dated(self.p.get("retiree_account_credit", 0.0), t)
        return out


# --- maternity -----------------------------------------------------------------------------------

class Maternity:
    """Births to insured women and to uninsured spouses, maternity medical costs and allowances."""

    def __init__(self, s: Scenario, u: Unit, contrib: Contributions, benefits: Benefits, d: Drivers):
        self.m = u.policy.get("maternity")
        self.s, self.contrib, self.benefits, self.d = s, contrib, benefits, d
        asfr = np.zeros(N_AGES + 2)  # by age 14..100 so that age − 2 indexes directly
        for r in read_table(s.data.get("asfr", "builtin:asfr.csv"), s.dir):
            asfr[int(r["age"]) - (MIN_AGE - 2)] = float(r["asfr"])
        self.asfr_own = asfr[2:]                 # at the member's age
        self.asfr_partner = asfr[:-2]            # at age − 2 (partners two years younger)

    def month(self, k: int, cells: np.ndarray) -> dict:
        m, s = self.m, self.s
        if m is None:
            return {}
        t = s.start + k
        fert = self.d.fertility[:, year_index(s, t)]
        f = fert * m.get("insured_fertility_relative", 1.0) / 12
        women = cells[:, FEMALE50] + cells[:, FEMALE55]
        births = [(women[:, st] * self.asfr_own).sum(axis=1) * f for st in WORKERS]
        spouse = sum((cells[:, MALE60, st] * self.asfr_partner).sum(axis=1) for st in WORKERS) \
            * fert / 12 * m.get("spouse_uninsured_share", 0.0)
        flex = births[2] if m.get("flexible_covered", False) else 0.0
        insured = births[0] + births[1] + flex
        price = np.exp(self.benefits.log_price[:, k])
        days = (dated(m["leave_days"], t) + m.get("difficult_share", 0.2) * m.get("difficult_extra_days", 15.0)
                + m.get("multiple_share", 0.015) * m.get("multiple_extra_days", 15.0))
        per_birth = self.contrib.wage(t // 12 - 1) * m.get("employer_wage_relative", 1.0) / 30 * days
        with_allowance = births[0] + (births[1] if m.get("allowance_government", True) else 0.0) \
            + (flex if m.get("allowance_flexible", False) else 0.0)
        return {
            "births_insured": insured,
            "spending_maternity_medical": (insured + spouse * m.get("spouse_cost_share", 0.0))
            * m["medical_cost_per_birth"] * price,
            "spending_maternity_allowance": with_allowance * per_birth,
        }


# --- the ledger of one fund ----------------------------------------------------------------------

def fen(x):
    """To the fen, halves away from zero (as the engine's Decimal ledger)."""
    return np.copysign(np.floor(np.abs(x) * 100 + 0.5) / 100, x)


class Book:
    """A fund's balance per path, interest on a positive opening balance (plus a merger's
    transfer), and the 12-month average spending behind months of payment capacity."""

    def __init__(self, balance: float, spending_prev_year: float, n: int, exact: bool):
        self.balance = np.full(n, float(balance))
        self.window = np.full((12, n), spending_prev_year / 12)
        self.pos, self.exact = 0, exact

    def post(self, income, spending, rate, transfer) -> dict:
        base = self.balance + transfer
        interest = np.where(base > 0, base * rate / 12, 0.0)
        if self.exact:
            interest = fen(interest)
        self.balance = self.balance + income - spending + interest + transfer
        self.window[self.pos] = spending
        self.pos = (self.pos + 1) % 12
        avg = self.window.sum(axis=0) / 12
        with np.errstate(divide="ignore", invalid="ignore"):
            months = np.where(avg > 0, self.balance / avg, np.inf)
        return {"interest": interest, "pooled_balance": self.balance, "months_of_capacity": months,
                "spending_total": spending, "income_total": income}


MATERNITY_LINES = ("income_maternity", "spending_maternity_medical", "spending_maternity_allowance")


def project(s: Scenario, d: Drivers, exact: bool, on_month=None, rng=None, threshold: float = 0.0):
    """Projects every unit over the horizon for the paths of `d`. `exact`: round lines to the fen
    (the expected path, as the ledger); `rng` and `threshold`: draw deaths, exits and retirements
    in cells below `threshold` persons. `on_month(unit, k, members, lines)` sees every month."""
    n = d.paths
    for u in s.units:
        m = Membership(s, u, n, rng=rng, threshold=threshold)
        contrib = Contributions(s, u, m, d)
        benefits = Benefits(s, u, d)
        maternity = Maternity(s, u, contrib, benefits, d)
        mat = u.policy.get("maternity")
        merger = month(mat["merger"]) if mat and "merger" in mat else None
        books = s.pooling.get("kind", "single") == "single" and benefits.supported
        pooled = Book(u.spec.get("initial_pooled_balance", 0.0), u.spec.get("pooled_spending_prev_year", 0.0),
                      n, exact)
        mat_book = Book(u.spec.get("initial_maternity_balance", 0.0),
                        u.spec.get("maternity_spending_prev_year", 0.0), n, exact) if mat else None
        for k in range(s.horizon):
            t = s.start + k
            if k > 0 and t % 12 == 0:
                m.age_one_year()
            members = m.totals()
            cells = m.cells.copy()
            m.step(k, d.employment_growth[:, year_index(s, t)])
            lines = contrib.month(t, cells, m.retirements_by_sex)
            if benefits.supported:
                lines.update(benefits.month(k, cells))
            lines.update(maternity.month(k, cells))
            if books:
                if exact:
                    lines = {key: fen(v) if key.startswith(("income_", "spending_")) else v
                             for key, v in lines.items()}
                separate = mat is not None and merger is not None and t < merger
                in_pool = lambda key: not (separate and key in MATERNITY_LINES)
                pooled_in = sum(v for key, v in lines.items() if key.startswith("income_") and in_pool(key))
                pooled_out = sum(v for key, v in lines.items() if key.startswith("spending_") and in_pool(key))
                transfer = mat_book.balance if (mat_book is not None and t == merger) else 0.0
                r = d.interest_rate[:, year_index(s, t)]
                lines["book"] = pooled.post(pooled_in, pooled_out, r, transfer)
                if mat_book is not None:
                    if separate:
                        mi = lines.get("income_maternity", 0.0)
                        mo = lines["spending_maternity_medical"] + lines["spending_maternity_allowance"]
                        lines["maternity_book"] = mat_book.post(mi, mo, r, 0.0)
                    else:
                        lines["maternity_book"] = mat_book.post(0.0, 0.0, r, -transfer)
            if on_month is not None:
                on_month(u, k, members, lines)


def project_expected(s: Scenario) -> dict:
    """The expected path: per unit, per month, members by status and the lines (scalars)."""
    out = {u.name: [] for u in s.units}

    def keep(u, k, members, lines):
        first = lambda v: {a: first(b) for a, b in v.items()} if isinstance(v, dict) else \
            (float(np.asarray(v).reshape(-1)[0]))
        out[u.name].append((members[0], first(lines)))

    project(s, expected_drivers(s), exact=True, on_month=keep)
    return out


# --- Monte Carlo ---------------------------------------------------------------------------------

def simulate(s: Scenario, n: int, seed: int, threshold: float | None = None) -> dict:
    """n paths at once: {(fund, year): (year-end balances, year-end months of capacity)} for each
    unit's pooled fund (single pooling, supported benefits)."""
    rng = np.random.default_rng(seed)
    d = sample_drivers(s, n, rng)
    if threshold is None:
        threshold = s.small_cell_threshold
    out = {}

    def keep(u, k, members, lines):
        t = s.start + k
        if t % 12 == 11 and "book" in lines:
            b = lines["book"]
            out[(u.name, t // 12)] = (b["pooled_balance"].copy(), b["months_of_capacity"].copy())

    project(s, d, exact=False, on_month=keep, rng=rng, threshold=threshold)
    return out


QUANTILES = (0.05, 0.25, 0.50, 0.75, 0.95)


def summary_rows(sim: dict) -> list[dict]:
    """Per fund and year: mean balance and its standard error, quantiles of the balance and of
    months of capacity, and P(months < 6), P(months < 3), P(balance < 0) with standard errors."""
    rows = []
    for (fund, year), (bal, months) in sorted(sim.items()):
        n = len(bal)
        r = {"unit": fund, "year": year, "paths": n, "balance_mean": bal.mean(),
             "balance_mean_se": bal.std(ddof=1) / math.sqrt(n) if n > 1 else 0.0}
        for q in QUANTILES:
            tag = f"p{round(q * 100)}"
            r[f"balance_{tag}"] = float(np.quantile(bal, q))
            r[f"months_{tag}"] = float(np.quantile(months, q))
        for name, hit in (("p_months_lt_6", months < 6), ("p_months_lt_3", months < 3), ("p_exhausted", bal < 0)):
            p = hit.mean()
            r[name], r[f"{name}_se"] = p, math.sqrt(p * (1 - p) / n)
        rows.append(r)
    return rows


def check_summary(sim: dict, summary: Path, sigmas: float = 5.0) -> list[str]:
    """Disagreements between the reference's Monte Carlo and `fundrisk run`'s summary.csv beyond
    Monte Carlo error: means by their joint standard error, probabilities likewise, quantiles by
    the reference sample's order-statistic interval at `sigmas` standard deviations."""
    problems = []
    with open(summary, encoding="utf-8") as f:
        rust = {(r["unit"], int(r["year"])): r for r in csv.DictReader(f)}
    for (fund, year), (bal, months) in sorted(sim.items()):
        r = rust.get((fund, year))
        if r is None:
            problems.append(f"{fund} {year}: not in {summary}")
            continue
        n = len(bal)
        se = math.hypot(bal.std(ddof=1) / math.sqrt(n), float(r["balance_mean_se"]))
        if abs(bal.mean() - float(r["balance_mean"])) > sigmas * se:
            problems.append(f"{fund} {year} balance_mean: {bal.mean():.6g} vs {r['balance_mean']} (se {se:.3g})")
        for name, hit in (("p_months_lt_6", months < 6), ("p_months_lt_3", months < 3), ("p_exhausted", bal < 0)):
            p, q = hit.mean(), float(r[name])
            se = math.hypot(math.sqrt(p * (1 - p) / n), float(r[f"{name}_se"]))
            if abs(p - q) > max(sigmas * se, 1.5 / n):
                problems.append(f"{fund} {year} {name}: {p:.4f} vs {q:.4f}")
        for values, prefix in ((np.sort(bal), "balance"), (np.sort(months), "months")):
            for q in QUANTILES:
                width = sigmas * math.sqrt(n * q * (1 - q))
                lo = values[max(int(math.floor(n * q - width)), 0)]
                hi = values[min(int(math.ceil(n * q + width)), n - 1)]
                x = float(r[f"{prefix}_p{round(q * 100)}"])
                if not lo <= x <= hi:
                    problems.append(f"{fund} {year} {prefix}_p{round(q * 100)}: {x:.6g} outside [{lo:.6g}, {hi:.6g}]")
    return problems


def compare_ledger(s: Scenario, ledger: Path, expected: dict) -> float:
    """Worst relative difference between the reference's membership (`expected`, from
    `project_expected`) and the ledger's, beyond the ledger's rounding to 0.01 person."""
    members = {name: [row[0] for row in rows] for name, rows in expected.items()}
    worst = 0.0
    with open(ledger, encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["members_enterprise"] != ""]
    for r in rows:
        k = month(r["month"]) - s.start
        # A city-unified fund's row carries the membership of all its counties.
        ref = members[r["unit"]][k] if r["unit"] in members else sum(m[k] for m in members.values())
        for st, name in enumerate(STATUS_NAMES):
            a, b = float(r[f"members_{name}"]), ref[st]
            # The ledger prints members to 0.01 person: beyond that rounding, relative.
            off = max(abs(a - b) - 0.005, 0.0)
            if off > 0:
                worst = max(worst, off / max(abs(a), abs(b)))
    return worst


def compare_ledger_lines(s: Scenario, ledger: Path, expected: dict) -> dict:
    """Per income line, the worst relative difference from the ledger beyond its rounding: a fen
    per unit summed into the row (a city fund's row sums its counties' rounded lines)."""
    ref = expected
    worst = dict.fromkeys(INCOME, 0.0)
    if all(benefits_supported(u) for u in s.units):
        worst.update(dict.fromkeys(SPENDING, 0.0))
    worst.update(dict.fromkeys(MATERNITY_SPENDING, 0.0))
    books = s.pooling.get("kind", "single") == "single" and "spending_inpatient" in worst
    if books:
        worst.update(dict.fromkeys(("interest", "pooled_balance"), 0.0))
    city = s.pooling.get("kind") == "city_unified"
    with open(ledger, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows_by_key: dict = {}
    for r in rows:
        key = (r["unit"].removesuffix(".maternity"), month(r["month"]) - s.start)
        rows_by_key.setdefault(key, []).append(r)
    for r in rows:
        unit, k = r["unit"], month(r["month"]) - s.start
        maternity_row = unit.endswith(".maternity")
        name = unit.removesuffix(".maternity")
        if name in ref:
            lines = [ref[name][k][1]]
        elif city and not maternity_row:
            lines = [ref[u.name][k][1] for u in s.units]
        else:
            continue
        for line in worst:
            if line in ("interest", "pooled_balance"):
                book = "maternity_book" if maternity_row else "book"
                if not lines[0].get(book):
                    continue
                a, b = float(r[line]), lines[0][book][line]
            elif maternity_row != (line == "income_maternity") and line not in MATERNITY_SPENDING:
                continue
            elif r[line] == "":
                continue
            else:
                a = float(r[line])
                # Maternity spending sits on the maternity fund's row while it is separate.
                if line in MATERNITY_SPENDING:
                    a = float(r[line])
                    other = next((x for x in rows_by_key.get((name, k), []) if x is not r), None)
                    a += float(other[line]) if other is not None and other[line] != "" else 0.0
                    if maternity_row:
                        continue
                b = sum(x.get(line, 0.0) for x in lines)
            off = max(abs(a - b) - 0.01 * len(lines), 0.0)
            if off > 0:
                worst[line] = max(worst[line], off / max(abs(a), abs(b)))
    return worst


def main(argv: list[str]) -> int:
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario", type=Path)
    ap.add_argument("--ledger", type=Path, help="compare the expected path with this ledger.csv")
    ap.add_argument("--paths", type=int, help="run this many Monte Carlo paths")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--summary", type=Path, help="compare the paths with this summary.csv")
    ap.add_argument("--out", type=Path, help="write the reference's summary here (CSV)")
    a = ap.parse_args(argv)
    scenario = load(a.scenario)
    status = 0
    if a.ledger:
        expected = project_expected(scenario)
        diff = compare_ledger(scenario, a.ledger, expected)
        print(f"membership: worst relative difference from the ledger {diff:.3e}")
        lines = compare_ledger_lines(scenario, a.ledger, expected)
        for line, d in lines.items():
            print(f"{line}: worst relative difference from the ledger {d:.3e}")
        # Far inside the 0.01 % the issue asks: both sides compute the same expected values in
        # floating point, so anything above rounding noise is a difference of model.
        status |= int(max([diff, *lines.values()]) > 1e-8)
    if a.paths:
        import time
        started = time.perf_counter()
        sim = simulate(scenario, a.paths, a.seed)
        print(f"simulated {a.paths} paths in {time.perf_counter() - started:.2f} s")
        if a.out:
            rows = summary_rows(sim)
            with open(a.out, "w", newline="", encoding="utf-8") as f:
                w = csv.DictWriter(f, fieldnames=list(rows[0]))
                w.writeheader()
                w.writerows(rows)
        if a.summary:
            problems = check_summary(sim, a.summary)
            for p in problems:
                print("disagrees:", p)
            print(f"summary: {len(problems)} disagreements beyond Monte Carlo error")
            status |= int(bool(problems))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

