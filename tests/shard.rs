//! Sharded runs: the merge of shards is bit-identical to a single run of the same paths and
//! seed (with and without a pooling rule, shards of unequal size, any order on the command
//! line); missing, duplicated and mismatched shards are refused and nothing is written; and
//! `deploy/local.sh`, the local stand-in for a batch engine, runs shards and the merge.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fundrisk(args: &[&str]) -> Output {
    common::fundrisk(args)
}

fn ok(args: &[&str]) {
    let o = fundrisk(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Runs `scenario` once with `paths` paths, and as `shards` shards merged (listed last first);
/// asserts every table of the two is byte for byte the same.
fn single_equals_merged(scenario: &Path, paths: &str, shards: usize, tables: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let single = dir.path().join("single");
    ok(&["run", p(scenario), "--paths", paths, "--out", p(&single)]);
    let mut dirs: Vec<PathBuf> = Vec::new();
    for k in 0..shards {
        let d = dir.path().join(format!("shard-{k}"));
        let shard = format!("{k}/{shards}");
        ok(&[
            "run",
            p(scenario),
            "--paths",
            paths,
            "--shard",
            &shard,
            "--out",
            p(&d),
        ]);
        assert!(d.join("shard.json").exists());
        dirs.push(d);
    }
    dirs.reverse();
    let merged = dir.path().join("merged");
    let mut args = vec!["merge"];
    args.extend(dirs.iter().map(|d| p(d)));
    args.extend(["--out", p(&merged)]);
    ok(&args);
    for t in tables {
        let a = std::fs::read(single.join(t)).unwrap();
        let b = std::fs::read(merged.join(t)).unwrap();
        assert!(a == b, "{t} differs between the single run and the merge");
    }
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(merged.join("run.json")).unwrap()).unwrap();
    assert_eq!(meta["shards"], shards);
    assert_eq!(meta["paths"].to_string(), paths);
}

#[test]
fn four_shards_merge_to_the_single_run_bit_for_bit() {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/guangdong-merger.toml");
    // 1,000 paths are 15.6 blocks of 64: shards of 3 or 4 blocks, the last one partial.
    single_equals_merged(
        &scenario,
        "1000",
        4,
        &[
            "summary.csv",
            "warnings.csv",
            "exhaustion.csv",
            "ledger.csv",
        ],
    );
}

#[test]
fn pooled_shards_merge_with_their_settlements() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("two-cities.toml");
    std::fs::write(&scenario, common::two_city_shandong_text(1e5, 4e5)).unwrap();
    single_equals_merged(
        &scenario,
        "300",
        3,
        &[
            "summary.csv",
            "warnings.csv",
            "exhaustion.csv",
            "pooling.csv",
        ],
    );
}

#[test]
fn missing_duplicated_and_mismatched_shards_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = d.join("s.toml");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/huainan-merger.toml"),
        &scenario,
    )
    .unwrap();
    let shard = |k: usize, m: usize, paths: &str, seed: &str, name: &str| {
        let out = d.join(name);
        let spec = format!("{k}/{m}");
        ok(&[
            "run",
            p(&scenario),
            "--paths",
            paths,
            "--seed",
            seed,
            "--shard",
            &spec,
            "--out",
            p(&out),
        ]);
        out
    };
    let a = shard(0, 3, "200", "1", "a");
    let b = shard(1, 3, "200", "1", "b");
    let c = shard(2, 3, "200", "1", "c");
    let other_seed = shard(2, 3, "200", "2", "c-seed");
    let other_paths = shard(2, 3, "256", "1", "c-paths");
    let out = d.join("merged");
    let refused = |dirs: &[&Path], expect: &[&str]| {
        let mut args = vec!["merge"];
        args.extend(dirs.iter().map(|x| p(x)));
        args.extend(["--out", p(&out)]);
        let o = fundrisk(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        for e in expect {
            assert!(err.contains(e), "`{e}` not in {err}");
        }
        assert!(!out.exists(), "nothing written");
    };
    refused(&[&a, &b], &["missing shard(s) 2/3"]);
    refused(&[&a, &b, &b, &c], &["shard 1/3 given twice"]);
    refused(
        &[&a, &b, &other_seed],
        &["not shards of one run", "seed 2 vs 1"],
    );
    refused(
        &[&a, &b, &other_paths],
        &["not shards of one run", "paths 256 vs 200"],
    );
    refused(&[&a, &b, dir.path()], &["not a complete shard"]);
    // The scenario changed after the shards ran: its hash no longer matches.
    let text = std::fs::read_to_string(&scenario).unwrap();
    std::fs::write(&scenario, format!("{text}\n# edited\n")).unwrap();
    refused(&[&a, &b, &c], &["SHA-256", "not the shards'"]);
    // Bad --shard values.
    for bad in ["3/3", "1", "a/b", "0/0"] {
        let o = fundrisk(&["run", p(&scenario), "--shard", bad, "--out", p(&out)]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{bad}: {err}");
        assert!(err.contains("--shard"), "{err}");
    }
}

/// `deploy/local.sh` (what CI exercises of the deployment): shards in parallel processes, then
/// the merge, equal to a single run.
#[test]
fn local_stand_in_runs_shards_and_merge() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenario = root.join("scenarios/guangdong-merger.toml");
    let out = dir.path().join("local");
    let o = Command::new("bash")
        .arg(root.join("deploy/local.sh"))
        .args([p(&scenario), "700", "3", p(&out), "2"])
        .env("FUNDRISK", env!("CARGO_BIN_EXE_fundrisk"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let single = dir.path().join("single");
    ok(&["run", p(&scenario), "--paths", "700", "--out", p(&single)]);
    for t in ["summary.csv", "warnings.csv", "exhaustion.csv"] {
        assert_eq!(
            std::fs::read(single.join(t)).unwrap(),
            std::fs::read(out.join("run").join(t)).unwrap(),
            "{t}"
        );
    }
}
