//! Expected benefit payments tabulated against the cost-index shift, for Monte Carlo paths.
//!
//! A cell's expected annual payment E[f(X·eˢ)] depends on the path only through the month's
//! log cost-index shift s (medical prices × utilisation). The exact ledger evaluates it through
//! the lognormal limited expected value every month; on Monte Carlo paths that is most of the
//! work, so the values are tabulated once per benefit regime on a grid of s and read back by
//! cubic (Catmull-Rom) interpolation, which is accurate to about 1e-7 relative at the grid step
//! used. Outside the grid the exact value is computed.

use std::sync::OnceLock;

/// Fills `out[cell]` with every cell's value at `(regime, s)`.
type Fill = dyn Fn(usize, f64, &mut [f64]) + Send + Sync;

/// Points a block of the grid starts; a block also holds the next three, so that the four
/// points a month interpolates between always lie in one block.
const BLOCK: usize = 16;
/// Points a block holds.
const SPAN: usize = BLOCK + 3;

/// Values of `n_cells` functions of s on the grid s_lo + i·step, in blocks of points per
/// regime, each block stored [cell][j] so that the four points a month interpolates between are
/// one contiguous run per cell. A block is tabulated the first time a path reads it: the grid
/// covers every shift a path can reach, and most of it is never reached (a path's cost shift
/// after ten years lies within a few tenths of its expected value, the grid spans several
/// units). Each value is the same whoever fills it first, so results do not depend on the order
/// or the threads.
pub(crate) struct ShiftGrid {
    s_lo: f64,
    step: f64,
    n_points: usize,
    n_cells: usize,
    /// [regime × blocks a regime + block]: the block's values once read.
    blocks: Vec<OnceLock<Box<[f64]>>>,
    fill: Box<Fill>,
}

/// Where a shift falls on the grid: the first of the four rows and their weights.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GridPoint {
    row: usize,
    weights: [f64; 4],
}

/// Bytes of `blocks` blocks of `n_cells` cells.
fn blocks_bytes(blocks: usize, n_cells: usize) -> usize {
    blocks
        .saturating_mul(SPAN)
        .saturating_mul(n_cells)
        .saturating_mul(std::mem::size_of::<f64>())
}

/// Points of a grid over [s_lo, s_hi] with `step` (at least 4), or None when not finite.
fn n_points_of(s_lo: f64, s_hi: f64, step: f64) -> Option<usize> {
    let points = ((s_hi - s_lo) / step).ceil();
    (points.is_finite() && points >= 0.0).then(|| (points as usize).saturating_add(1).max(4))
}

impl ShiftGrid {
    /// Bytes of the values [`ShiftGrid::new`] would tabulate if every block were read, known
    /// before it does.
    pub(crate) fn planned_bytes(
        n_regimes: usize,
        n_cells: usize,
        s_lo: f64,
        s_hi: f64,
        step: f64,
    ) -> usize {
        n_points_of(s_lo, s_hi, step).map_or(usize::MAX, |points| {
            blocks_bytes(points.div_ceil(BLOCK).saturating_mul(n_regimes), n_cells)
        })
    }

    /// A grid of `f(regime, s, out)` (which fills `out[cell]`) for every regime over
    /// [s_lo, s_hi] with the given step, tabulated block by block as it is read.
    pub fn new(
        n_regimes: usize,
        n_cells: usize,
        s_lo: f64,
        s_hi: f64,
        step: f64,
        f: impl Fn(usize, f64, &mut [f64]) + Send + Sync + 'static,
    ) -> ShiftGrid {
        let n_points = n_points_of(s_lo, s_hi, step).unwrap_or(4);
        let n_blocks = n_regimes * n_points.div_ceil(BLOCK);
        ShiftGrid {
            s_lo,
            step,
            n_points,
            n_cells,
            blocks: (0..n_blocks).map(|_| OnceLock::new()).collect(),
            fill: Box::new(f),
        }
    }

    /// Block `b` of `regime`, tabulated now if no path has read it yet: its points b·BLOCK + j
    /// (j < SPAN, up to the last point), each at s_lo + i·step.
    #[inline]
    fn block(&self, regime: usize, b: usize) -> &[f64] {
        let per_regime = self.n_points.div_ceil(BLOCK);
        self.blocks[regime * per_regime + b].get_or_init(|| self.tabulate(regime, b))
    }

    /// The values of block `b` of `regime` ([`Self::block`]'s first read; kept out of the
    /// paths' code).
    #[cold]
    #[inline(never)]
    fn tabulate(&self, regime: usize, b: usize) -> Box<[f64]> {
        let first = b * BLOCK;
        let mut values = vec![0.0; self.n_cells * SPAN].into_boxed_slice();
        let mut out = vec![0.0; self.n_cells];
        for j in 0..SPAN.min(self.n_points - first) {
            (self.fill)(regime, self.s_lo + (first + j) as f64 * self.step, &mut out);
            for (c, v) in out.iter().enumerate() {
                values[c * SPAN + j] = *v;
            }
        }
        values
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
        let block = self.block(regime, p.row / BLOCK);
        let base = cell * SPAN + p.row % BLOCK;
        let mut v = 0.0;
        for (j, w) in p.weights.iter().enumerate() {
            v += w * block[base + j];
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
        let np = SPAN;
        let base = first * np + p.row % BLOCK;
        // The last cell's run ends at `base + (n − 1)·np + 4`.
        let values = &self.block(regime, p.row / BLOCK)[base..base + n.saturating_sub(1) * np + 4];
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

    /// Memory the grid may hold (every block read), bytes.
    pub fn bytes(&self) -> usize {
        blocks_bytes(self.blocks.len(), self.n_cells)
    }

    /// Memory held now (the blocks read so far), bytes.
    #[cfg(test)]
    pub(crate) fn filled_bytes(&self) -> usize {
        let filled = self.blocks.iter().filter(|b| b.get().is_some()).count();
        blocks_bytes(filled, self.n_cells)
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
        fn exact(mu: f64, s: f64) -> f64 {
            PiecewiseLinear::coinsurance(1000.0, &[(f64::INFINITY, 0.85)], 600_000.0).expected(
                &LogNormal {
                    mu: mu + s,
                    sigma: 1.0,
                },
            )
        }
        let mus = [6.0, 9.0, 12.5];
        let grid = ShiftGrid::new(1, mus.len(), -1.0, 2.0, 0.005, move |_, s, out| {
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

    /// A block is tabulated the first time it is read, and only then: a grid read at a few
    /// shifts holds those blocks alone, and every value read, in any order and from any
    /// thread, is the function's at its grid point (s_lo + i·step), to the bit, the same as a
    /// sum over a run of cells read against a fully tabulated copy.
    #[test]
    fn blocks_are_tabulated_as_read_with_the_values_of_their_points() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let (s_lo, step, n_cells) = (-1.3, 0.005, 7);
        let f = |r: usize, s: f64, c: usize| (1.0 + r as f64) * (c as f64 * 0.4 + s).exp();
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let grid = ShiftGrid::new(2, n_cells, s_lo, 2.0, step, move |r, s, out| {
            counted.fetch_add(1, Ordering::Relaxed);
            for (c, o) in out.iter_mut().enumerate() {
                *o = f(r, s, c);
            }
        });
        assert_eq!(grid.filled_bytes(), 0);
        assert_eq!(calls.load(Ordering::Relaxed), 0);
        // Shifts on both sides of block boundaries, in no order, from two threads.
        let shifts = [0.731, -1.29, 1.9899, 0.0, 0.7, -0.5 + 16.0 * step, 0.2];
        std::thread::scope(|scope| {
            for half in shifts.chunks(4) {
                let grid = &grid;
                scope.spawn(move || {
                    for &s in half {
                        for r in 0..2 {
                            let p = grid.locate(s).expect("on the grid");
                            for c in 0..n_cells {
                                let by_hand: f64 = (0..4)
                                    .map(|j| {
                                        let at = s_lo + (p.row + j) as f64 * step;
                                        p.weights[j] * f(r, at, c)
                                    })
                                    .fold(0.0, |sum, x| sum + x);
                                assert_eq!(grid.value(r, &p, c).to_bits(), by_hand.to_bits());
                            }
                        }
                    }
                });
            }
        });
        let read: std::collections::BTreeSet<(usize, usize)> = shifts
            .iter()
            .flat_map(|&s| {
                let row = grid.locate(s).unwrap().row;
                (0..2).map(move |r| (r, row / BLOCK))
            })
            .collect();
        assert_eq!(grid.filled_bytes(), read.len() * SPAN * n_cells * 8);
        assert!(grid.filled_bytes() < grid.bytes() / 4);
        // Each block's points computed once (the last block holds fewer than SPAN: the grid
        // has 661 points, and 1.9899 lies in its last block).
        let points: usize = read
            .iter()
            .map(|&(_, b)| SPAN.min(grid.n_points - b * BLOCK))
            .sum();
        assert_eq!(grid.n_points, 661);
        assert!(points < read.len() * SPAN);
        assert_eq!(calls.load(Ordering::Relaxed), points);
    }
}
