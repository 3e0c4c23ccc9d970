//! Expected benefit payments tabulated against the cost-index shift, for Monte Carlo paths.
//!
//! A cell's expected annual payment E[f(X·eˢ)] depends on the path only through the month's
//! log cost-index shift s (medical prices × utilisation). The exact ledger evaluates it through
//! the lognormal limited expected value every month; on Monte Carlo paths that is most of the
//! work, so the values are tabulated once per benefit regime on a grid of s and read back by
//! cubic (Catmull-Rom) interpolation, which is accurate to about 1e-7 relative at the grid step
//! used. Outside the grid the exact value is computed.

/// Values of `n_cells` functions of s on the grid s_lo + i·step, stored [regime][cell][i] so
/// that the four points a month interpolates between are one contiguous run per cell.
pub(crate) struct ShiftGrid {
    s_lo: f64,
    step: f64,
    n_points: usize,
    n_cells: usize,
    values: Vec<f64>,
}

/// Where a shift falls on the grid: the first of the four rows and their weights.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GridPoint {
    row: usize,
    weights: [f64; 4],
}

impl ShiftGrid {
    /// Bytes of the values [`ShiftGrid::new`] would tabulate, known before it does.
    pub(crate) fn planned_bytes(
        n_regimes: usize,
        n_cells: usize,
        s_lo: f64,
        s_hi: f64,
        step: f64,
    ) -> usize {
        let points = ((s_hi - s_lo) / step).ceil();
        let points = if points.is_finite() && points >= 0.0 {
            (points as usize).saturating_add(1).max(4)
        } else {
            usize::MAX
        };
        points
            .saturating_mul(n_regimes)
            .saturating_mul(n_cells)
            .saturating_mul(std::mem::size_of::<f64>())
    }

    /// Tabulates `f(regime, s, out)` (which fills `out[cell]`) for every regime over
    /// [s_lo, s_hi] with the given step.
    pub fn new(
        n_regimes: usize,
        n_cells: usize,
        s_lo: f64,
        s_hi: f64,
        step: f64,
        f: impl Fn(usize, f64, &mut [f64]) + Sync,
    ) -> ShiftGrid {
        use rayon::prelude::*;
        let n_points = (((s_hi - s_lo) / step).ceil() as usize + 1).max(4);
        let mut values = vec![0.0; n_regimes * n_points * n_cells];
        // Points are independent: a block of them is filled in parallel (each the same
        // whatever the thread count), then stored by cell ([regime][cell][i]); a block at a
        // time, so the working space stays small.
        const BLOCK: usize = 64;
        let mut block = vec![0.0; BLOCK * n_cells];
        for r in 0..n_regimes {
            let into = &mut values[r * n_points * n_cells..][..n_points * n_cells];
            for first in (0..n_points).step_by(BLOCK) {
                let points = BLOCK.min(n_points - first);
                block[..points * n_cells]
                    .par_chunks_mut(n_cells.max(1))
                    .enumerate()
                    .for_each(|(j, out)| f(r, s_lo + (first + j) as f64 * step, out));
                for (j, row) in block[..points * n_cells]
                    .chunks_exact(n_cells.max(1))
                    .enumerate()
                {
                    for (c, v) in row.iter().enumerate() {
                        into[c * n_points + first + j] = *v;
                    }
                }
            }
        }
        ShiftGrid {
            s_lo,
            step,
            n_points,
            n_cells,
            values,
        }
    }

    /// The grid point of shift `s`, or None outside the interpolable range.
    #[inline]
    pub(crate) fn locate(&self, s: f64) -> Option<GridPoint> {
        let x = (s - self.s_lo) / self.step;
        let i = x.floor();
        if !(1.0..(self.n_points as f64 - 2.0)).contains(&i) {
            return None;
        }
        let i = i as usize;
        Some(GridPoint {
            row: i - 1,
            weights: crate::numeric::catmull_rom(x - i as f64),
        })
    }

    /// The interpolated value of `cell` in `regime` at `p`.
    #[cfg(test)]
    fn value(&self, regime: usize, p: &GridPoint, cell: usize) -> f64 {
        let base = (regime * self.n_cells + cell) * self.n_points + p.row;
        let mut v = 0.0;
        for (j, w) in p.weights.iter().enumerate() {
            v += w * self.values[base + j];
        }
        v
    }

    /// Σ_c `weights[c]` × value(`regime`, `p`, `first + c`) over the contiguous cells
    /// `first..first + weights.len()`: four dot products with the grid's points, then the
    /// interpolation. Each cell's four points are one contiguous run, read as one vector; the
    /// accumulators are one per point and per parity of the cell (cells in ascending order
    /// within each), so wider lanes change nothing in the result.
    #[inline(always)]
    pub(crate) fn weighted_sum(
        &self,
        regime: usize,
        p: &GridPoint,
        first: usize,
        weights: &[f64],
    ) -> f64 {
        let n = weights.len();
        let np = self.n_points;
        let base = (regime * self.n_cells + first) * np + p.row;
        // The last cell's run ends at `base + (n − 1)·np + 4`.
        let values = &self.values[base..base + n.saturating_sub(1) * np + 4];
        let point = |c: usize| -> [f64; 4] {
            let run = &values[c * np..c * np + 4];
            [run[0], run[1], run[2], run[3]]
        };
        let mut even = [0.0; 4];
        let mut odd = [0.0; 4];
        for c in 0..n / 2 {
            let (w0, w1) = (weights[2 * c], weights[2 * c + 1]);
            let (v0, v1) = (point(2 * c), point(2 * c + 1));
            for j in 0..4 {
                even[j] += w0 * v0[j];
                odd[j] += w1 * v1[j];
            }
        }
        if n % 2 == 1 {
            let v = point(n - 1);
            for j in 0..4 {
                even[j] += weights[n - 1] * v[j];
            }
        }
        (0..4).map(|j| p.weights[j] * (even[j] + odd[j])).sum()
    }

    /// Memory held, bytes.
    pub fn bytes(&self) -> usize {
        self.values.len() * std::mem::size_of::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::lognormal::LogNormal;
    use crate::policy::scale::PiecewiseLinear;

    /// Interpolated expected payments of a deductible-coinsurance-cap scale agree with the exact
    /// lognormal formula to 1e-7 relative between grid points (step 0.005), even in the far tail.
    #[test]
    fn interpolation_matches_the_exact_expectation() {
        let scale = PiecewiseLinear::coinsurance(1000.0, &[(f64::INFINITY, 0.85)], 600_000.0);
        let exact = |mu: f64, s: f64| {
            scale.expected(&LogNormal {
                mu: mu + s,
                sigma: 1.0,
            })
        };
        let mus = [6.0, 9.0, 12.5];
        let grid = ShiftGrid::new(1, mus.len(), -1.0, 2.0, 0.005, |_, s, out| {
            for (o, mu) in out.iter_mut().zip(mus) {
                *o = exact(mu, s);
            }
        });
        for k in 0..997 {
            let s = -0.98 + k as f64 * 0.002_97;
            let p = grid.locate(s).expect("inside");
            for (c, mu) in mus.iter().enumerate() {
                let e = exact(*mu, s);
                let v = grid.value(0, &p, c);
                assert!((v - e).abs() <= 1e-7 * e, "mu {mu} s {s}: {v} vs {e}");
            }
        }
        assert!(grid.locate(-1.0).is_none());
        assert!(grid.locate(2.5).is_none());
    }
}
