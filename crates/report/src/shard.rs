//! Sharded runs and their exact merge.
//!
//! A run of N paths is cut into blocks of 64 paths ([`BLOCK_PATHS`]); shard K of M runs blocks
//! ⌊K·B/M⌋ … ⌊(K+1)·B/M⌋ − 1 of the B blocks, each path with the random stream a single run
//! gives it. A shard writes, per chunk of blocks, Parquet files of its blocks' sums and counts
//! and of every path's year-end results per fund and year (balance, months of capacity, the
//! year's surplus; with a pooling rule, every unit's settlement), then `shard.json` last.
//! `merge` checks that the shards belong together (scenario hash, seed, N, M, each shard once)
//! and folds the chunks, one file at a time, into the same block accumulators in the same
//! order as a single run: the merged tables are bit-identical to it.

use crate::engine::ScenarioModel;
use crate::engine::montecarlo::{BLOCK_PATHS, RunOptions, n_blocks};
use crate::error::{Error, Result};
use crate::report::output::{StagedDir, write_json};
use crate::report::table::{Table, TableFiles, Values};
use crate::risk::simulate_blocks;
use crate::risk::{
    BANDS, BlockAccumulator, Layout, MEMO_NAMES, N_LINES, SETTLEMENT_NAMES, Simulation,
};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Blocks per chunk file (16,384 paths): the unit in which a merge reads.
pub const CHUNK_BLOCKS: usize = 256;

/// Version of the shard files' layout.
const FORMAT: u32 = 2;

/// Shard `index` (0 … count − 1) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Parses `K/M` with 0 ≤ K < M (the index a batch engine gives: Slurm's
    /// `SLURM_ARRAY_TASK_ID` from `--array=0-(M-1)`, Kubernetes' `JOB_COMPLETION_INDEX`).
    pub fn parse(text: &str) -> Result<Shard> {
        let bad = || {
            Error::Invalid(format!(
                "shard `{text}`: expected K/M with 0 <= K < M, e.g. 0/4 … 3/4"
            ))
        };
        let (k, m) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) = (
            k.trim().parse().map_err(|_| bad())?,
            m.trim().parse().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The blocks of this shard in a run of `paths` paths.
    pub fn blocks(&self, paths: usize) -> std::ops::Range<usize> {
        let b = n_blocks(paths);
        (self.index * b / self.count)..((self.index + 1) * b / self.count)
    }

    /// The paths of this shard (those of its blocks) in a run of `paths` paths.
    pub fn paths(&self, paths: usize) -> std::ops::Range<usize> {
        let b = self.blocks(paths);
        (b.start * BLOCK_PATHS).min(paths)..(b.end * BLOCK_PATHS).min(paths)
    }
}

/// What a shard folder holds (`shard.json`, written last).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: u32,
    pub scenario: String,
    /// The scenario file as given to the shard (absolute when it could be resolved).
    pub scenario_file: String,
    pub scenario_hash: String,
    pub seed: u64,
    /// Paths of the whole run.
    pub paths: usize,
    pub shard: usize,
    pub shards: usize,
    pub first_block: usize,
    pub end_block: usize,
    pub first_path: usize,
    pub end_path: usize,
    /// Funds (and the total) reported, and the number of years: the merge checks them.
    pub entities: Vec<String>,
    pub years: usize,
    pub units: Vec<String>,
    /// Chunk files, each covering up to [`CHUNK_BLOCKS`] blocks: (first block, end block).
    pub chunks: Vec<(usize, usize)>,
    /// SHA-256 (hex) of every chunk file by name: the merge checks each before reading it.
    pub sha256: std::collections::BTreeMap<String, String>,
    pub program_version: String,
    pub wall_seconds: f64,
    pub peak_memory_bytes: Option<u64>,
}

/// The files of a chunk (settlements only with a pooling rule).
const CHUNK_KINDS: [&str; 4] = ["blocks", "first_exhaustion", "paths", "settlements"];

/// SHA-256 of a file, hex.
fn file_sha256(path: &Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Reads a chunk file after checking its SHA-256 against the shard's manifest.
fn read_checked(dir: &Path, name: &str, m: &Manifest) -> Result<Table> {
    let path = dir.join(name);
    let expected = m.sha256.get(name).ok_or_else(|| {
        Error::Invalid(format!(
            "{}: not listed in {}'s shard.json",
            path.display(),
            dir.display()
        ))
    })?;
    let got = file_sha256(&path)
        .map_err(|_| Error::Invalid(format!("{}: missing or unreadable", path.display())))?;
    if &got != expected {
        return Err(Error::Invalid(format!(
            "{}: its SHA-256 is not the one shard.json records: the file was changed or damaged after the shard was written",
            path.display()
        )));
    }
    Table::read_parquet(&path)
}

/// A count read back from a chunk, checked to lie in [0, `max`].
fn count(v: i64, max: usize, what: &str, path: &Path) -> Result<u64> {
    if v < 0 || v as u64 > max as u64 {
        return Err(Error::Invalid(format!(
            "{}: {what} {v} is outside [0, {max}]",
            path.display()
        )));
    }
    Ok(v as u64)
}

fn chunk_file(kind: &str, first_block: usize) -> String {
    format!("{kind}-{first_block:07}.parquet")
}

fn ints(v: impl IntoIterator<Item = usize>) -> Vec<i64> {
    v.into_iter().map(|x| x as i64).collect()
}

/// Writes the chunk of `blocks` (the accumulators of blocks first … first + len − 1).
fn write_chunk(
    staged: &StagedDir,
    layout: &Layout,
    first: usize,
    blocks: &[BlockAccumulator],
    paths_before: usize,
) -> Result<()> {
    let (ne, ny) = (layout.n_entities(), layout.n_years);
    // Block sums and counts: one row per block, entity and year.
    let mut t = Table::default();
    let rows = blocks.len() * ne * ny;
    let idx = |f: &dyn Fn(usize, usize, usize) -> usize| -> Vec<i64> {
        let mut v = Vec::with_capacity(rows);
        for b in 0..blocks.len() {
            for e in 0..ne {
                for y in 0..ny {
                    v.push(f(b, e, y) as i64);
                }
            }
        }
        v
    };
    t.int("block", idx(&|b, _, _| first + b));
    t.int("entity", idx(&|_, e, _| e));
    t.int("year", idx(&|_, _, y| y));
    t.int("paths", idx(&|b, _, _| blocks[b].paths));
    let per = |get: &dyn Fn(&BlockAccumulator, usize) -> f64| -> Vec<f64> {
        let mut v = Vec::with_capacity(rows);
        for b in blocks {
            for i in 0..ne * ny {
                v.push(get(b, i));
            }
        }
        v
    };
    for l in 0..N_LINES {
        t.f64(
            &format!("line_{l}"),
            per(&|b, i| b.sum_lines[i * N_LINES + l]),
        );
    }
    let nm = MEMO_NAMES.len();
    for m in 0..nm {
        t.f64(&format!("memo_{m}"), per(&|b, i| b.sum_memo[i * nm + m]));
    }
    let counts = |get: &dyn Fn(&BlockAccumulator, usize) -> u64| -> Vec<i64> {
        let mut v = Vec::with_capacity(rows);
        for b in blocks {
            for i in 0..ne * ny {
                v.push(get(b, i) as i64);
            }
        }
        v
    };
    t.int("n_deficit", counts(&|b, i| b.n_deficit[i]));
    t.int("n_months_lt_6", counts(&|b, i| b.n_months_lt_6[i]));
    t.int("n_months_lt_3", counts(&|b, i| b.n_months_lt_3[i]));
    t.int("n_exhausted", counts(&|b, i| b.n_exhausted[i]));
    for (k, band) in BANDS.iter().enumerate() {
        t.int(
            &format!("n_band_{band}"),
            counts(&|b, i| b.n_band[i * BANDS.len() + k]),
        );
    }
    t.write_parquet_exact(&staged.file(&chunk_file("blocks", first)))?;
    // First year of exhaustion: one row per block, entity and year index (n_years = never).
    let mut f = Table::default();
    let (mut blk, mut ent, mut yr, mut cnt) = (vec![], vec![], vec![], vec![]);
    for (b, acc) in blocks.iter().enumerate() {
        for e in 0..ne {
            for y in 0..=ny {
                blk.push(first + b);
                ent.push(e);
                yr.push(y);
                cnt.push(acc.n_first_exhaustion[e * (ny + 1) + y] as usize);
            }
        }
    }
    f.int("block", ints(blk));
    f.int("entity", ints(ent));
    f.int("first_year_index", ints(yr));
    f.int("paths", ints(cnt));
    f.write_parquet_exact(&staged.file(&chunk_file("first_exhaustion", first)))?;
    // Every path's year-end results, in path order, then entity, then year.
    let n_paths: usize = blocks.iter().map(|b| b.paths).sum();
    let mut p = Table::default();
    p.int(
        "path",
        (0..n_paths * ne * ny)
            .map(|i| (paths_before + i / (ne * ny)) as i64)
            .collect(),
    );
    p.int(
        "entity",
        (0..n_paths * ne * ny)
            .map(|i| ((i / ny) % ne) as i64)
            .collect(),
    );
    p.int(
        "year",
        (0..n_paths * ne * ny).map(|i| (i % ny) as i64).collect(),
    );
    let gather = |get: &dyn Fn(&BlockAccumulator) -> &Vec<f64>| -> Vec<f64> {
        blocks.iter().flat_map(|b| get(b).iter().copied()).collect()
    };
    p.f64("balance_end", gather(&|b| &b.balance_end));
    p.f64("months_end", gather(&|b| &b.months_end));
    p.f64("surplus", gather(&|b| &b.surplus));
    p.f64("treasury", gather(&|b| &b.treasury));
    p.write_parquet_exact(&staged.file(&chunk_file("paths", first)))?;
    if layout.has_settlements {
        let nu = layout.unit_names.len();
        let ns = SETTLEMENT_NAMES.len();
        let n = n_paths * nu * ny;
        let mut st = Table::default();
        st.int(
            "path",
            (0..n)
                .map(|i| (paths_before + i / (nu * ny)) as i64)
                .collect(),
        );
        st.int("unit", (0..n).map(|i| ((i / ny) % nu) as i64).collect());
        st.int("year", (0..n).map(|i| (i % ny) as i64).collect());
        let all = gather(&|b| &b.settled);
        for (k, name) in SETTLEMENT_NAMES.iter().enumerate() {
            st.f64(name, (0..n).map(|i| all[i * ns + k]).collect());
        }
        st.write_parquet_exact(&staged.file(&chunk_file("settlements", first)))?;
    }
    Ok(())
}

/// Runs shard `shard` of a run of `opts.paths` paths and writes it into `dir` (atomically;
/// `shard.json` last). The shard's memory is that of its own paths.
pub fn run_shard(
    s: &Scenario,
    opts: &RunOptions,
    shard: Shard,
    dir: &Path,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Manifest> {
    let started = std::time::Instant::now();
    if opts.keep_paths {
        return Err(Error::Invalid(
            "keep_paths: every path's monthly series cannot be kept by a shard of a run".into(),
        ));
    }
    let staged = StagedDir::new(dir)?;
    let mut model = ScenarioModel::new(s);
    model.build_benefit_grids()?;
    let layout = Layout::new(&model, &s.spec.risk);
    let range = shard.blocks(opts.paths);
    let mut chunks = Vec::new();
    let mut sha256 = std::collections::BTreeMap::new();
    let mut paths_before = range.start * BLOCK_PATHS;
    let mut first = range.start;
    while first < range.end {
        let end = (first + CHUNK_BLOCKS).min(range.end);
        let blocks = simulate_blocks(&model, &layout, opts, first..end, progress)?;
        write_chunk(&staged, &layout, first, &blocks, paths_before)?;
        for kind in CHUNK_KINDS {
            let name = chunk_file(kind, first);
            let path = staged.file(&name);
            if path.exists() {
                sha256.insert(name, file_sha256(&path)?);
            }
        }
        paths_before += blocks.iter().map(|b| b.paths).sum::<usize>();
        chunks.push((first, end));
        first = end;
    }
    let manifest = Manifest {
        format: FORMAT,
        scenario: s.spec.name.clone(),
        scenario_file: std::fs::canonicalize(&s.file)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| s.file.clone()),
        scenario_hash: s.hash.clone(),
        seed: opts.seed,
        paths: opts.paths,
        shard: shard.index,
        shards: shard.count,
        first_block: range.start,
        end_block: range.end,
        first_path: shard.paths(opts.paths).start,
        end_path: paths_before,
        entities: layout.names.clone(),
        years: layout.n_years,
        units: layout.unit_names.clone(),
        chunks,
        sha256,
        program_version: env!("CARGO_PKG_VERSION").into(),
        wall_seconds: started.elapsed().as_secs_f64(),
        peak_memory_bytes: crate::run::peak_memory_bytes(),
    };
    write_json(&staged.file("shard.json"), &manifest)?;
    staged.commit()?;
    Ok(manifest)
}

/// A manifest's own consistency: its shard among its count, its blocks within the run's,
/// chunks of at most [`CHUNK_BLOCKS`] blocks covering its blocks in order.
fn check_manifest(path: &Path, m: &Manifest) -> Result<()> {
    let bad = |what: String| Err(Error::Invalid(format!("{}: {what}", path.display())));
    let run_blocks = m.paths.div_ceil(BLOCK_PATHS);
    if m.shards == 0 || m.shard >= m.shards {
        return bad(format!("shard {} of {} is not a shard", m.shard, m.shards));
    }
    if m.first_block > m.end_block || m.end_block > run_blocks {
        return bad(format!(
            "blocks {}–{} are not within the run's {run_blocks}",
            m.first_block, m.end_block
        ));
    }
    let mut next = m.first_block;
    for &(a, b) in &m.chunks {
        if a != next || b <= a || b - a > CHUNK_BLOCKS || b > m.end_block {
            return bad(format!(
                "chunk {a}–{b} does not continue the blocks at {next} (chunks of 1–{CHUNK_BLOCKS} blocks, in order, up to {})",
                m.end_block
            ));
        }
        next = b;
    }
    if next != m.end_block {
        return bad(format!(
            "its chunks end at block {next}, its blocks at {}",
            m.end_block
        ));
    }
    Ok(())
}

/// Reads and checks the manifests of `dirs`: each a complete shard, all of the same run, every
/// shard present once. Returns them in shard order with their folders.
pub fn check_shards(dirs: &[PathBuf]) -> Result<Vec<(PathBuf, Manifest)>> {
    if dirs.is_empty() {
        return Err(Error::Invalid("merge: no shard folders given".into()));
    }
    let mut shards: Vec<(PathBuf, Manifest)> = Vec::new();
    for d in dirs {
        let path = d.join("shard.json");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::Invalid(format!(
                "{}: not a complete shard (no readable shard.json: {e})",
                d.display()
            ))
        })?;
        let m: Manifest = serde_json::from_str(&text)
            .map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?;
        if m.format != FORMAT {
            return Err(Error::Invalid(format!(
                "{}: shard format {} (this program reads {FORMAT})",
                path.display(),
                m.format
            )));
        }
        check_manifest(&path, &m)?;
        shards.push((d.clone(), m));
    }
    let (d0, first) = shards[0].clone();
    for (d, m) in &shards[1..] {
        for (what, a, b) in [
            ("scenario hash", &m.scenario_hash, &first.scenario_hash),
            ("seed", &m.seed.to_string(), &first.seed.to_string()),
            ("paths", &m.paths.to_string(), &first.paths.to_string()),
            (
                "shard count",
                &m.shards.to_string(),
                &first.shards.to_string(),
            ),
            ("funds", &m.entities.join(","), &first.entities.join(",")),
        ] {
            if a != b {
                return Err(Error::Invalid(format!(
                    "{} and {} are not shards of one run: {what} {a} vs {b}",
                    d.display(),
                    d0.display()
                )));
            }
        }
    }
    shards.sort_by_key(|(_, m)| m.shard);
    for w in shards.windows(2) {
        if w[0].1.shard == w[1].1.shard {
            return Err(Error::Invalid(format!(
                "shard {}/{} given twice: {} and {}",
                w[0].1.shard,
                first.shards,
                w[0].0.display(),
                w[1].0.display()
            )));
        }
    }
    let missing: Vec<String> = (0..first.shards)
        .filter(|k| !shards.iter().any(|(_, m)| m.shard == *k))
        .map(|k| format!("{k}/{}", first.shards))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Invalid(format!(
            "missing shard(s) {} of the run of {} paths (seed {})",
            missing.join(", "),
            first.paths,
            first.seed
        )));
    }
    Ok(shards)
}

fn column<'a>(t: &'a Table, name: &str, file: &Path) -> Result<&'a Values> {
    t.column(name)
        .ok_or_else(|| Error::Invalid(format!("{}: no column `{name}`", file.display())))
}

fn int_column(t: &Table, name: &str, file: &Path) -> Result<Vec<i64>> {
    match column(t, name, file)? {
        Values::Int(v) => Ok(v.clone()),
        _ => Err(Error::Invalid(format!(
            "{}: `{name}` is not integer",
            file.display()
        ))),
    }
}

fn f64_column(t: &Table, name: &str, file: &Path) -> Result<Vec<f64>> {
    match column(t, name, file)? {
        Values::F64(v) => Ok(v.clone()),
        _ => Err(Error::Invalid(format!(
            "{}: `{name}` is not a float",
            file.display()
        ))),
    }
}

/// Reads one chunk back into its blocks' accumulators, each file checked against the
/// manifest's SHA-256 and every value against what a run can write (counts within the block's
/// paths, finite sums and balances).
fn read_chunk(
    dir: &Path,
    m: &Manifest,
    layout: &Layout,
    first: usize,
    end: usize,
) -> Result<Vec<BlockAccumulator>> {
    let (ne, ny) = (layout.n_entities(), layout.n_years);
    let nb = end - first;
    let mut blocks: Vec<BlockAccumulator> =
        (0..nb).map(|_| BlockAccumulator::new(layout)).collect();
    let name = chunk_file("blocks", first);
    let path = dir.join(&name);
    let t = read_checked(dir, &name, m)?;
    let rows = nb * ne * ny;
    if t.n_rows() != rows {
        return Err(Error::Invalid(format!(
            "{}: {} rows where {rows} were expected",
            path.display(),
            t.n_rows()
        )));
    }
    let paths = int_column(&t, "paths", &path)?;
    let lines: Vec<Vec<f64>> = (0..N_LINES)
        .map(|l| f64_column(&t, &format!("line_{l}"), &path))
        .collect::<Result<_>>()?;
    let nm = MEMO_NAMES.len();
    let memo: Vec<Vec<f64>> = (0..nm)
        .map(|m| f64_column(&t, &format!("memo_{m}"), &path))
        .collect::<Result<_>>()?;
    if let Some(bad) = lines.iter().chain(&memo).flatten().find(|v| !v.is_finite()) {
        return Err(Error::Invalid(format!(
            "{}: a sum is {bad}, not a finite number",
            path.display()
        )));
    }
    let (deficit, lt6, lt3, exhausted) = (
        int_column(&t, "n_deficit", &path)?,
        int_column(&t, "n_months_lt_6", &path)?,
        int_column(&t, "n_months_lt_3", &path)?,
        int_column(&t, "n_exhausted", &path)?,
    );
    let bands: Vec<Vec<i64>> = BANDS
        .iter()
        .map(|b| int_column(&t, &format!("n_band_{b}"), &path))
        .collect::<Result<_>>()?;
    for (b, acc) in blocks.iter_mut().enumerate() {
        acc.paths = count(paths[b * ne * ny], BLOCK_PATHS, "paths", &path)? as usize;
        let n = acc.paths;
        for i in 0..ne * ny {
            let r = b * ne * ny + i;
            for l in 0..N_LINES {
                acc.sum_lines[i * N_LINES + l] = lines[l][r];
            }
            for m in 0..nm {
                acc.sum_memo[i * nm + m] = memo[m][r];
            }
            acc.n_deficit[i] = count(deficit[r], n, "n_deficit", &path)?;
            acc.n_months_lt_6[i] = count(lt6[r], n, "n_months_lt_6", &path)?;
            acc.n_months_lt_3[i] = count(lt3[r], n, "n_months_lt_3", &path)?;
            acc.n_exhausted[i] = count(exhausted[r], n, "n_exhausted", &path)?;
            for (k, band) in bands.iter().enumerate() {
                acc.n_band[i * BANDS.len() + k] = count(band[r], n, "a band count", &path)?;
            }
        }
    }
    let name = chunk_file("first_exhaustion", first);
    let path = dir.join(&name);
    let t = read_checked(dir, &name, m)?;
    let counts = int_column(&t, "paths", &path)?;
    if counts.len() != nb * ne * (ny + 1) {
        return Err(Error::Invalid(format!(
            "{}: wrong number of rows",
            path.display()
        )));
    }
    for (b, acc) in blocks.iter_mut().enumerate() {
        for i in 0..ne * (ny + 1) {
            acc.n_first_exhaustion[i] =
                count(counts[b * ne * (ny + 1) + i], acc.paths, "paths", &path)?;
        }
    }
    let name = chunk_file("paths", first);
    let path = dir.join(&name);
    let t = read_checked(dir, &name, m)?;
    let (balance, months, surplus, treasury) = (
        f64_column(&t, "balance_end", &path)?,
        f64_column(&t, "months_end", &path)?,
        f64_column(&t, "surplus", &path)?,
        f64_column(&t, "treasury", &path)?,
    );
    let per_path = ne * ny;
    let expected: usize = blocks.iter().map(|b| b.paths * per_path).sum();
    if [balance.len(), months.len(), surplus.len(), treasury.len()] != [expected; 4] {
        return Err(Error::Invalid(format!(
            "{}: {} rows where {expected} were expected",
            path.display(),
            balance.len()
        )));
    }
    if balance
        .iter()
        .chain(&surplus)
        .chain(&treasury)
        .any(|v| !v.is_finite())
        || months.iter().any(|v| v.is_nan())
    {
        return Err(Error::Invalid(format!(
            "{}: a balance or surplus that is not a finite number",
            path.display()
        )));
    }
    let mut at = 0;
    for acc in blocks.iter_mut() {
        let n = acc.paths * per_path;
        acc.balance_end.extend_from_slice(&balance[at..at + n]);
        acc.months_end.extend_from_slice(&months[at..at + n]);
        acc.surplus.extend_from_slice(&surplus[at..at + n]);
        acc.treasury.extend_from_slice(&treasury[at..at + n]);
        at += n;
    }
    if layout.has_settlements {
        let name = chunk_file("settlements", first);
        let path = dir.join(&name);
        let t = read_checked(dir, &name, m)?;
        let items: Vec<Vec<f64>> = SETTLEMENT_NAMES
            .iter()
            .map(|n| f64_column(&t, n, &path))
            .collect::<Result<_>>()?;
        let per = layout.unit_names.len() * ny;
        let rows: usize = blocks.iter().map(|b| b.paths * per).sum();
        if items.iter().any(|item| item.len() != rows) {
            return Err(Error::Invalid(format!(
                "{}: {} rows where {rows} were expected",
                path.display(),
                items.first().map_or(0, Vec::len)
            )));
        }
        let mut row = 0;
        for acc in blocks.iter_mut() {
            for _ in 0..acc.paths * per {
                for item in &items {
                    acc.settled.push(item[row]);
                }
                row += 1;
            }
        }
    }
    Ok(blocks)
}

/// Merges checked shards into the simulation a single run of the same paths gives, reading one
/// chunk at a time.
pub fn merge_shards(
    model: &ScenarioModel,
    s: &Scenario,
    shards: &[(PathBuf, Manifest)],
) -> Result<Simulation> {
    let first = &shards[0].1;
    if s.hash != first.scenario_hash {
        return Err(Error::Invalid(format!(
            "{}: its SHA-256 {} is not the shards' {} (they were run from another version of it)",
            s.file, s.hash, first.scenario_hash
        )));
    }
    let layout = Layout::new(model, &s.spec.risk);
    if layout.names != first.entities || layout.n_years != first.years {
        return Err(Error::Invalid(format!(
            "{}: the shards report funds {:?} over {} years, the scenario {:?} over {}",
            s.file, first.entities, first.years, layout.names, layout.n_years
        )));
    }
    let mut total = BlockAccumulator::new(&layout);
    let mut next_block = 0;
    for (dir, m) in shards {
        if m.first_block != next_block {
            return Err(Error::Invalid(format!(
                "{}: starts at block {} where block {next_block} was expected",
                dir.display(),
                m.first_block
            )));
        }
        for &(a, b) in &m.chunks {
            for block in read_chunk(dir, m, &layout, a, b)? {
                total.merge(block);
            }
        }
        next_block = m.end_block;
    }
    if total.paths != first.paths {
        return Err(Error::Invalid(format!(
            "the shards hold {} paths, not the {} of the run",
            total.paths, first.paths
        )));
    }
    Ok(Simulation {
        layout,
        acc: total,
        seed: first.seed,
    })
}
