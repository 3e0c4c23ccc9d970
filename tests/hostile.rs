//! Hostile inputs and situations that need a process, a FIFO, a tampered file or a second
//! writer: outputs never replace inputs, a pipe is never read, two writers with the same
//! process id leave one whole output, and a data table changed between shards is noticed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

use common::listing;

fn fundrisk_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fundrisk"));
    c.current_dir(dir).args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("the fundrisk binary runs")
}

fn base_scenario() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs/base.toml.in"),
    )
    .unwrap()
}

/// A scratch folder with `s/s.toml` (the bad-input catalogue's valid base scenario) and a life
/// table beside it that the scenario names.
fn scratch() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("s");
    std::fs::create_dir(&s).unwrap();
    let life = "age,q_male,q_female\n"
        .chars()
        .chain(
            (16..=100)
                .map(|a| {
                    format!(
                        "{a},{:.5},{:.5}\n",
                        0.001 + a as f64 * 1e-4,
                        0.0008 + a as f64 * 1e-4
                    )
                })
                .collect::<String>()
                .chars(),
        )
        .collect::<String>();
    std::fs::write(s.join("life.csv"), life).unwrap();
    let text = base_scenario().replace(
        "[policy]\n",
        "[data]\nlife_table = \"life.csv\"\n\n[policy]\n",
    );
    std::fs::write(s.join("s.toml"), text).unwrap();
    let root = dir.path().to_path_buf();
    (dir, root)
}

fn assert_refused(o: &Output, expect: &[&str]) {
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    for e in expect {
        assert!(stderr.contains(e), "`{e}` not in: {stderr}");
    }
}

/// `run --out s` where s holds the scenario, `ledger --out s/s.toml`, an output inside the
/// life table, the root, the working folder and its parent: each refused before any work, and
/// every input byte for byte as it was.
#[test]
fn outputs_never_replace_inputs() {
    let (_keep, root) = scratch();
    let before: Vec<(String, Vec<u8>)> = listing(&root.join("s"))
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(root.join("s").join(&n)).unwrap();
            (n, bytes)
        })
        .collect();
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["run", "s/s.toml", "--paths", "4", "--out", "s"],
            vec!["holds the input", "s/s.toml"],
        ),
        (
            vec!["ledger", "s/s.toml", "--out", "s/s.toml"],
            vec!["is the input"],
        ),
        (
            vec!["ledger", "s/s.toml", "--out", "s/life.csv"],
            vec!["is the input", "life.csv"],
        ),
        (
            vec!["run", "s/s.toml", "--paths", "4", "--out", "s/life.csv/x"],
            vec!["lies inside the input"],
        ),
        (
            vec!["run", "s/s.toml", "--paths", "4", "--out", "/"],
            vec!["root of the file system"],
        ),
        (
            vec!["run", "s/s.toml", "--paths", "4", "--out", "."],
            vec!["working folder"],
        ),
        (
            vec!["run", "s/s.toml", "--paths", "4", "--out", ".."],
            vec!["working folder"],
        ),
        (
            vec!["run", "s/s.toml", "--paths", "4", "--out", "s/../s"],
            vec!["holds the input"],
        ),
        (
            vec!["sensitivity", "s/s.toml", "--paths", "4", "--out", "s"],
            vec!["holds the input"],
        ),
        (
            vec![
                "compare", "s/s.toml", "s/s.toml", "--paths", "4", "--out", "s",
            ],
            vec!["holds the input"],
        ),
        (
            vec![
                "run", "s/s.toml", "--paths", "4", "--shard", "0/2", "--out", "s",
            ],
            vec!["holds the input"],
        ),
    ];
    for (args, expect) in &cases {
        let o = fundrisk_in(&root, args, &[]);
        assert_refused(&o, expect);
        for (name, bytes) in &before {
            assert_eq!(
                &std::fs::read(root.join("s").join(name)).unwrap(),
                bytes,
                "{args:?} changed {name}"
            );
        }
        assert_eq!(
            listing(&root),
            vec!["s".to_string()],
            "{args:?} wrote beside the inputs"
        );
    }
    // A shard being merged is an input too.
    let o = fundrisk_in(
        &root,
        &[
            "run", "s/s.toml", "--paths", "64", "--shard", "0/1", "--out", "shard",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let shard_files = listing(&root.join("shard"));
    let o = fundrisk_in(
        &root,
        &["merge", "shard", "--scenario", "s/s.toml", "--out", "shard"],
        &[],
    );
    assert_refused(&o, &["is the input", "shard"]);
    assert_eq!(listing(&root.join("shard")), shard_files);
}

/// A data table that is a FIFO is refused at once instead of blocking the read.
#[test]
fn a_pipe_is_never_read() {
    let (_keep, root) = scratch();
    let fifo = root.join("s/pipe.csv");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let text = std::fs::read_to_string(root.join("s/s.toml"))
        .unwrap()
        .replace("life_table = \"life.csv\"", "life_table = \"pipe.csv\"");
    std::fs::write(root.join("s/p.toml"), text).unwrap();
    let started = std::time::Instant::now();
    let o = fundrisk_in(&root, &["check", "s/p.toml"], &[]);
    assert_refused(&o, &["data.life_table", "pipe.csv", "not a regular file"]);
    assert!(started.elapsed().as_secs() < 10);
    // The scenario itself may not be a pipe either.
    let o = fundrisk_in(&root, &["check", "s/pipe.csv"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a regular file"));
}

/// Two writers with the same process id (as in two containers) write the same output folder
/// at once, with different seeds: the folder ends as one run or the other, whole, with no
/// staging folder left.
#[test]
fn two_writers_with_the_same_process_id_leave_one_whole_output() {
    let (_keep, root) = scratch();
    let run = |seed: &str, out: &str, host: &str| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_fundrisk"));
        c.current_dir(&root)
            .args([
                "run", "s/s.toml", "--paths", "400", "--seed", seed, "--out", out,
            ])
            .env("FUNDRISK_WRITER_PID", "4242")
            .env("FUNDRISK_WRITER_HOST", host);
        c
    };
    // What each run writes alone.
    for (seed, out) in [("1", "alone-1"), ("2", "alone-2")] {
        assert!(run(seed, out, "aaaaaaaa").status().unwrap().success());
    }
    let alone = |out: &str| std::fs::read(root.join(out).join("summary.csv")).unwrap();
    let (one, two) = (alone("alone-1"), alone("alone-2"));
    assert_ne!(one, two);
    for trial in 0..6 {
        let mut a = run("1", "shared", "aaaaaaaa").spawn().unwrap();
        let mut b = run("2", "shared", "bbbbbbbb").spawn().unwrap();
        let (sa, sb) = (a.wait().unwrap(), b.wait().unwrap());
        assert!(
            sa.success() || sb.success(),
            "trial {trial}: neither run succeeded"
        );
        let got = std::fs::read(root.join("shared/summary.csv")).unwrap();
        assert!(got == one || got == two, "trial {trial}: a mixed summary");
        let files = listing(&root.join("shared"));
        assert!(
            files.contains(&"run.json".to_string()),
            "trial {trial}: {files:?}"
        );
        let run_json = std::fs::read_to_string(root.join("shared/run.json")).unwrap();
        let seed = if got == one {
            "\"seed\": 1"
        } else {
            "\"seed\": 2"
        };
        assert!(
            run_json.contains(seed),
            "trial {trial}: run.json of the other run"
        );
    }
    let staging: Vec<String> = listing(&root)
        .into_iter()
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(staging.is_empty(), "left behind: {staging:?}");
}

/// The scenario's hash covers its data tables: a shard run, the life table edited, another
/// shard run, and the merge is refused instead of mixing two models.
#[test]
fn a_table_changed_between_shards_is_noticed() {
    let (_keep, root) = scratch();
    let shard = |k: &str, out: &str| {
        fundrisk_in(
            &root,
            &[
                "run", "s/s.toml", "--paths", "128", "--shard", k, "--out", out,
            ],
            &[],
        )
    };
    assert!(shard("0/2", "a").status.success());
    let life = std::fs::read_to_string(root.join("s/life.csv")).unwrap();
    std::fs::write(
        root.join("s/life.csv"),
        life.replace("\n40,", "\n40,0.0099,0.0099\n#40,"),
    )
    .unwrap();
    let o = shard("1/2", "b");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = fundrisk_in(
        &root,
        &["merge", "a", "b", "--scenario", "s/s.toml", "--out", "m"],
        &[],
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!root.join("m").exists());
}

/// Shards prove themselves: a flipped byte in a chunk, an absurd chunk list in shard.json, and
/// a count out of range written with a matching checksum are each refused by the merge, with
/// the file named, and nothing is written.
#[test]
fn tampered_shards_are_refused() {
    use fundrisk::report::table::{Table, TableFiles, Values};
    use sha2::{Digest, Sha256};
    let (_keep, root) = scratch();
    let run_shard = |k: &str, out: &str| {
        let o = fundrisk_in(
            &root,
            &[
                "run", "s/s.toml", "--paths", "200", "--shard", k, "--out", out,
            ],
            &[],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let fresh = |name: &str| {
        let _ = std::fs::remove_dir_all(root.join(name));
        run_shard("0/2", name);
        run_shard("1/2", &format!("{name}-b"));
    };
    let merge = |name: &str| {
        let b = format!("{name}-b");
        fundrisk_in(
            &root,
            &[
                "merge",
                name,
                &b,
                "--scenario",
                "s/s.toml",
                "--out",
                "merged",
            ],
            &[],
        )
    };
    fresh("a");
    assert!(merge("a").status.success(), "the untouched shards merge");
    std::fs::remove_dir_all(root.join("merged")).unwrap();

    // One flipped byte in a chunk.
    let chunk = root.join("a/paths-0000000.parquet");
    let mut bytes = std::fs::read(&chunk).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x5a;
    std::fs::write(&chunk, bytes).unwrap();
    let o = merge("a");
    assert_refused(&o, &["paths-0000000.parquet", "SHA-256"]);
    assert!(!root.join("merged").exists());

    // An absurd chunk list.
    fresh("a");
    let manifest = root.join("a/shard.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["chunks"] = serde_json::json!([[0, 1_000_000_000_000u64]]);
    std::fs::write(&manifest, json.to_string()).unwrap();
    let o = merge("a");
    assert_refused(&o, &["shard.json", "chunk"]);

    // A negative count, written with its checksum updated: the values are checked too.
    fresh("a");
    let blocks = root.join("a/blocks-0000000.parquet");
    let mut t = Table::read_parquet(&blocks).unwrap();
    for (name, v) in t.columns.iter_mut() {
        if let (true, Values::Int(x)) = (name == "n_deficit", v) {
            x[0] = -5;
        }
    }
    t.write_parquet_exact(&blocks).unwrap();
    let digest: String = Sha256::digest(std::fs::read(&blocks).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let text = std::fs::read_to_string(&manifest).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["sha256"]["blocks-0000000.parquet"] = serde_json::Value::String(digest);
    std::fs::write(&manifest, json.to_string()).unwrap();
    let o = merge("a");
    assert_refused(&o, &["blocks-0000000.parquet", "n_deficit", "-5"]);
    assert!(!root.join("merged").exists());
}

/// Draws that would leave the model's domain are truncated: employment growth with a mean of
/// −50 % a year, volatility 1 and persistence 0.999 (each within its range) runs to the end
/// with finite members and balances on every path, instead of NaN members on a third of them.
#[test]
fn wild_drivers_are_truncated_not_nan() {
    let (_keep, root) = scratch();
    let text = std::fs::read_to_string(root.join("s/s.toml")).unwrap().replace(
        "wage_growth = { mean = 0.05, volatility = 0.01, persistence = 0.5 }",
        "wage_growth = { mean = 0.05, volatility = 0.01, persistence = 0.5 }\nemployment_growth = { mean = -0.5, volatility = 1.0, persistence = 0.999 }",
    );
    std::fs::write(root.join("s/wild.toml"), text).unwrap();
    let o = fundrisk_in(
        &root,
        &["run", "s/wild.toml", "--paths", "300", "--out", "wild"],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = std::fs::read_to_string(root.join("wild/summary.csv")).unwrap();
    let mut lines = summary.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        for name in [
            "members_active_mean",
            "balance_mean",
            "balance_p50",
            "p_months_lt_6",
            "p_exhausted",
        ] {
            let v: f64 = cells[col(name)].parse().unwrap_or(f64::NAN);
            assert!(v.is_finite(), "{name} in {line}");
        }
    }
}

/// The benefit tables' size is known before they are built: a scenario that would need more
/// than the limit is refused at once, naming its file and what to change, instead of
/// allocating gigabytes, by `run` and already by `check` (which reports the size of the
/// tables of a scenario it passes).
/// The scratch scenario over 100 years with `units` units of different benefits (a benefit
/// table each), medical prices and utilisation growing with these inline tables.
fn long_scenario(root: &Path, prices: &str, utilisation: &str, units: usize) -> String {
    let s = std::fs::read_to_string(root.join("s/s.toml"))
        .unwrap()
        .replace("horizon_months = 24", "horizon_months = 1200")
        .replace(
            "wage_growth = { mean = 0.05, volatility = 0.01, persistence = 0.5 }",
            &format!(
                "wage_growth = {{ mean = 0.05, volatility = 0.01, persistence = 0.5 }}\nmedical_price_growth = {prices}\nutilisation_growth = {utilisation}"
            ),
        );
    let unit = s[s.find("[[units]]").unwrap()..].to_string();
    let others: String = (1..units)
        .map(|i| {
            unit.replace("name = \"city\"", &format!("name = \"town{i}\"")).replace(
                "membership = {",
                &format!("policy = {{ inpatient = {{ deductible = {}.0, tiers = [[inf, 0.9]], cap = 300000.0 }} }}\nmembership = {{", 400 + 100 * i),
            )
        })
        .map(|u| format!("\n{u}"))
        .collect();
    format!("{s}{others}")
}

#[test]
fn oversized_benefit_tables_are_refused_before_they_are_built() {
    let (_keep, root) = scratch();
    let volatile = "{ mean = 0.02, volatility = 1.0, persistence = 0.5 }";
    std::fs::write(
        root.join("s/big.toml"),
        long_scenario(&root, volatile, volatile, 2),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let o = fundrisk_in(
        &root,
        &["run", "s/big.toml", "--paths", "10", "--out", "big"],
        &[],
    );
    let refusal = [
        "s/big.toml",
        "economy",
        "benefit tables",
        "MiB",
        "volatility",
    ];
    assert_refused(&o, &refusal);
    assert!(started.elapsed().as_secs() < 10);
    assert!(!root.join("big").exists());
    assert_refused(&fundrisk_in(&root, &["check", "s/big.toml"], &[]), &refusal);
    let passed = fundrisk_in(&root, &["check", "s/s.toml"], &[]);
    let said = String::from_utf8_lossy(&passed.stdout);
    assert!(
        passed.status.success(),
        "{}",
        String::from_utf8_lossy(&passed.stderr)
    );
    assert!(
        said.lines()
            .any(|l| l.starts_with("benefit tables at most ") && l.ends_with("(limit 1024 MiB)")),
        "{said}"
    );
}

/// A study sizes the tables of every scenario it makes before it projects them. A labelled
/// value moved so far that the benefit tables would exceed the limit is refused like a value
/// the scenario refuses, and measured at a smaller step (before, the whole study stopped after
/// its base run): here the prices' volatility of 0.085, labelled ASSUMPTION, with tables of about
/// 1,007 MiB, moved × 1.1 (about 1,060 MiB) is refused and measured at × 1.05. A variation of
/// `sensitivity` beyond the limit, and a compared scenario beyond it, are refused, named,
/// before the first scenario is run.
#[test]
fn a_study_sizes_the_tables_of_the_scenarios_it_makes() {
    let (_keep, root) = scratch();
    let labelled = long_scenario(
        &root,
        "{ mean = 0.02, volatility = 0.085, persistence = 0.5, source = \"ASSUMPTION\" }",
        "{ mean = 0.02, volatility = 0.085, persistence = 0.5 }",
        2,
    );
    std::fs::write(root.join("s/near.toml"), labelled).unwrap();
    let o = fundrisk_in(
        &root,
        &[
            "sensitivity",
            "s/near.toml",
            "--labelled",
            "--only",
            "economy.medical_price_growth.volatility",
            "--paths",
            "2",
            "--out",
            "near",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let labels = std::fs::read_to_string(root.join("near/labels.csv")).unwrap();
    let row = labels
        .lines()
        .find(|l| l.starts_with("economy.medical_price_growth.volatility,"))
        .unwrap_or_else(|| panic!("{labels}"));
    assert!(
        row.contains(
            ",low and high,\"× 1.1 refused: s/near.toml: economy: the benefit tables would take "
        ) && row.contains("(limit 1024 MiB)")
            && row.ends_with("; measured at × 1.05\""),
        "{row}"
    );
    // Growth of 45.5 % a year at a volatility of 1 point: four tables of about 1,018 MiB in
    // all, where prices one point higher (sensitivity's high variation) take 1,028 MiB:
    // refused, naming the variation, before the base run (before, after it).
    let fast = "{ mean = 0.455, volatility = 0.01, persistence = 0.5 }";
    std::fs::write(
        root.join("s/fast.toml"),
        long_scenario(&root, fast, fast, 4),
    )
    .unwrap();
    let o = fundrisk_in(
        &root,
        &[
            "sensitivity",
            "s/fast.toml",
            "--paths",
            "2",
            "--out",
            "fast",
        ],
        &[],
    );
    assert_refused(
        &o,
        &[
            "s/fast.toml: economy: sensitivity's variation medical_price_growth high (mean +1.00 points): the benefit tables would take 1028 MiB",
        ],
    );
    assert!(!root.join("fast").exists());
    let checked = fundrisk_in(&root, &["check", "s/fast.toml"], &[]);
    assert!(checked.status.success());
    let volatile = "{ mean = 0.02, volatility = 1.0, persistence = 0.5 }";
    std::fs::write(
        root.join("s/big.toml"),
        long_scenario(&root, volatile, volatile, 2),
    )
    .unwrap();
    for extra in [&[][..], &["--separate-maternity"][..]] {
        let mut args = vec!["compare", "s/s.toml", "s/big.toml", "--paths", "2"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", "cmp"]);
        let o = fundrisk_in(&root, &args, &[]);
        assert_refused(&o, &["s/big.toml", "economy", "compared scenario `", "MiB"]);
        assert!(!root.join("cmp").exists());
    }
}
