//! The Monte Carlo engine: paths in parallel (rayon), each with its own random stream derived
//! from (seed, path) alone, folded into fixed blocks of paths that are merged in path order.
//! The result is therefore bit-identical for any number of threads and any work chunking.

use super::unit::UnitMonth;
use super::{Observer, PathState, ScenarioModel, UnitMonths, project_trials_with};
use crate::error::{Error, Result};
use crate::population::SmallCellDraws;
use crate::scenario::PolicySpec;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Paths per accumulation block. Sums are taken within a block in path order and across blocks
/// in block order: this constant (not the thread count) fixes the order of every addition.
pub const BLOCK_PATHS: usize = 64;

/// How to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub paths: usize,
    pub seed: u64,
    /// Worker threads; None: one per core.
    pub threads: Option<usize>,
    /// Keep every path's monthly series (memory grows with paths × months × funds).
    pub keep_paths: bool,
    /// Smallest number of blocks a worker takes at a time (work granularity only).
    pub chunk_blocks: usize,
    /// Set to true (from any thread: a server's request, a notebook's interrupt) to stop the
    /// run: blocks not yet started are skipped and the run returns [`Error::Cancelled`].
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

impl RunOptions {
    pub fn new(paths: usize, seed: u64) -> RunOptions {
        RunOptions {
            paths,
            seed,
            threads: None,
            keep_paths: false,
            chunk_blocks: 1,
            cancel: None,
        }
    }
}

/// The random stream of path `p`: ChaCha8 seeded by the scenario seed, on stream `p`.
pub fn path_rng(seed: u64, p: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(p);
    rng
}

/// Runs path `p`: draws its drivers, then projects it, small cells drawing their counts from
/// the same stream.
pub fn run_path(
    model: &ScenarioModel,
    seed: u64,
    p: u64,
    state: &mut PathState<f64>,
    observer: &mut impl Observer<f64>,
) {
    run_path_trials(
        model,
        seed,
        p,
        std::slice::from_mut(state),
        &[],
        std::slice::from_mut(observer),
        None,
    );
}

/// Runs path `p` under several trials' policies at once (see
/// [`crate::engine::project_trials`]; the units' own policies when `policies` is empty): the
/// same drivers and draws as [`run_path`].
pub(crate) fn run_path_trials<O: Observer<f64>>(
    model: &ScenarioModel,
    seed: u64,
    p: u64,
    states: &mut [PathState<f64>],
    policies: &[Vec<PolicySpec>],
    observers: &mut [O],
    cache: Option<&ProjectionCache>,
) {
    let mut rng = path_rng(seed, p);
    let drivers = model.drivers.sample(&mut rng);
    let mut counts = SmallCellDraws::new(&mut rng, model.small_cell_threshold);
    let slot = cache.and_then(|c| c.slots.get(p as usize));
    let recorded = slot.and_then(|s| s.get());
    // A path kept but not yet recorded records its months as it projects them.
    let mut record = slot
        .filter(|_| recorded.is_none())
        .map(|_| Vec::with_capacity(model.units.len() * model.horizon as usize));
    let months = match recorded {
        // The path's months before rates, as an earlier pass projected them (its drivers are
        // drawn again: the money needs their interest rates).
        Some(record) => UnitMonths::Replay(record),
        None => UnitMonths::Project(record.as_mut()),
    };
    project_trials_with(
        model,
        &drivers,
        states,
        policies,
        &mut counts,
        observers,
        months,
    );
    if let (Some(slot), Some(record)) = (slot, record) {
        // Were the same path run on two threads at once, both records would be the same.
        let _ = slot.set(record.into_boxed_slice());
    }
}

/// The units' months before rates of the first paths of a rate study, kept from its first pass
/// for the later ones (their membership, benefits and contribution bases do not depend on the
/// trial rates): each later pass projects only money. At most [`PROJECTION_CACHE_BYTES`] are
/// held; paths beyond are projected in every pass.
pub struct ProjectionCache {
    slots: Vec<std::sync::OnceLock<Box<[UnitMonth]>>>,
}

/// Memory a [`ProjectionCache`] may hold, bytes (1 GiB).
pub const PROJECTION_CACHE_BYTES: usize = 1 << 30;

impl ProjectionCache {
    /// For a run of `paths` paths of `model`.
    pub fn new(model: &ScenarioModel, paths: usize) -> ProjectionCache {
        let per_path = Self::bytes_per_path(model).max(1);
        let kept = paths.min(PROJECTION_CACHE_BYTES / per_path);
        ProjectionCache {
            slots: (0..kept).map(|_| std::sync::OnceLock::new()).collect(),
        }
    }

    /// Bytes one path's record takes.
    pub fn bytes_per_path(model: &ScenarioModel) -> usize {
        model.units.len() * model.horizon as usize * std::mem::size_of::<UnitMonth>()
    }

    /// Paths whose record it keeps.
    pub fn paths_kept(&self) -> usize {
        self.slots.len()
    }
}

/// Runs `work` on a pool of `threads` workers, or on rayon's global pool (one per core).
pub(crate) fn with_threads<T: Send>(
    threads: Option<usize>,
    work: impl FnOnce() -> T + Send,
) -> Result<T> {
    match threads {
        Some(t) => Ok(rayon::ThreadPoolBuilder::new()
            .num_threads(t.max(1))
            .build()
            .map_err(|e| Error::Invalid(format!("cannot start {t} threads: {e}")))?
            .install(work)),
        None => Ok(work()),
    }
}

/// Number of blocks of `paths` paths.
pub fn n_blocks(paths: usize) -> usize {
    paths.div_ceil(BLOCK_PATHS)
}

/// What the executor does with each path: a per-thread scratch space, an empty result per
/// block, and the path itself (run it with [`run_path`] on a [`PathState`] of the worker's and
/// an observer of its own, then fold what it observed into the block's result).
pub(crate) trait PathFold: Sync {
    /// Scratch space reused from path to path on one worker thread (its path states, records).
    type Worker: Send;
    /// The result of one block of paths.
    type Block: Send;
    fn worker(&self) -> Self::Worker;
    fn block(&self) -> Self::Block;
    /// Runs path `p` and folds it into `block`.
    fn path(&self, p: usize, worker: &mut Self::Worker, block: &mut Self::Block);
}

/// The one Monte Carlo executor: runs the paths of blocks `blocks` of a run of `opts.paths`
/// paths (block b holds paths b·64 … b·64 + 63) in parallel on `opts.threads` workers and
/// returns each block's result, in block order, whatever the threads and their chunking.
/// `progress` is called with the number of paths each block finished.
pub(crate) fn execute<F: PathFold>(
    opts: &RunOptions,
    blocks: std::ops::Range<usize>,
    fold: &F,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<F::Block>> {
    if opts.paths == 0 {
        return Err(Error::Invalid("paths: a run needs at least 1 path".into()));
    }
    use std::sync::atomic::{AtomicUsize, Ordering};
    let cancelled = || {
        opts.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    };
    let done = AtomicUsize::new(0);
    let run_blocks = || -> Vec<F::Block> {
        blocks
            .clone()
            .into_par_iter()
            .with_min_len(opts.chunk_blocks.max(1))
            .map_init(
                || fold.worker(),
                |worker, b| {
                    let mut block = fold.block();
                    if cancelled() {
                        return block;
                    }
                    let first = b * BLOCK_PATHS;
                    let last = (first + BLOCK_PATHS).min(opts.paths);
                    for p in first..last {
                        fold.path(p, worker, &mut block);
                    }
                    done.fetch_add(last - first, Ordering::Relaxed);
                    progress(last - first);
                    block
                },
            )
            .collect()
    };
    let results = with_threads(opts.threads, run_blocks)?;
    if cancelled() {
        return Err(Error::Cancelled {
            done: done.load(Ordering::Relaxed),
            paths: opts.paths,
        });
    }
    Ok(results)
}
