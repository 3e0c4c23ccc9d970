//! The catalogue of bad inputs (`tests/bad_inputs/`, written by its `make_cases.py`): every
//! scenario there must be refused by `check`, `ledger` and `run` with exit code 2, one or two
//! lines on stderr containing each expected substring (the file, the field path, the value and
//! the allowed range), and nothing written: an earlier ledger and an earlier report folder are
//! left as they were, and no file appears beside the inputs. Bad command-line arguments are
//! checked the same way.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fundrisk(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fundrisk"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the fundrisk binary runs")
}

fn catalogue() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs")
}

/// The expected substrings of a case: its `.expect` sidecar's lines, or its `# expect:` lines.
fn expectations(case: &Path) -> Vec<String> {
    let sidecar = case.with_extension("expect");
    if sidecar.exists() {
        return std::fs::read_to_string(sidecar)
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
    }
    std::fs::read_to_string(case)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .map(str::to_string)
        .collect()
}

mod common;

use common::listing;

/// Runs `args` (with `{out}` replaced by a scratch folder) and asserts the refusal.
fn assert_refused(cwd: &Path, args: &[&str], expect: &[String], label: &str) {
    let o = fundrisk(cwd, args);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{label} {args:?}: {stderr}");
    let lines = stderr.trim_end().lines().count();
    assert!(
        (1..=2).contains(&lines),
        "{label}: one or two lines: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{label}: {stderr}");
    for e in expect {
        assert!(
            stderr.contains(e.as_str()),
            "{label} {args:?}: `{e}` not in: {stderr}"
        );
    }
    assert!(o.stdout.is_empty(), "{label}: nothing on stdout");
}

#[test]
fn every_bad_input_is_refused_with_its_field_and_range_and_nothing_written() {
    let dir = catalogue();
    let before = listing(&dir);
    let cases: Vec<PathBuf> = before
        .iter()
        .filter(|n| n.ends_with(".toml") && n.as_bytes()[0].is_ascii_digit())
        .map(|n| dir.join(n))
        .collect();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    let scratch = tempfile::tempdir().unwrap();
    let ledger = scratch.path().join("ledger.csv");
    let report = scratch.path().join("report");
    std::fs::create_dir(&report).unwrap();
    std::fs::write(report.join("summary.csv"), "earlier report\n").unwrap();
    for case in &cases {
        std::fs::write(&ledger, "earlier output\n").unwrap();
        let expect = expectations(case);
        assert!(expect.len() >= 2, "{}: no expectations", case.display());
        let name = case.file_name().unwrap().to_str().unwrap();
        let (l, r) = (ledger.to_str().unwrap(), report.to_str().unwrap());
        for args in [
            vec!["check", name],
            vec!["ledger", name, "--out", l],
            vec!["run", name, "--paths", "8", "--out", r],
        ] {
            assert_refused(&dir, &args, &expect, name);
        }
        assert_eq!(
            std::fs::read_to_string(&ledger).unwrap(),
            "earlier output\n"
        );
        assert_eq!(listing(&report), vec!["summary.csv".to_string()]);
        assert_eq!(
            std::fs::read_to_string(report.join("summary.csv")).unwrap(),
            "earlier report\n"
        );
        assert_eq!(
            listing(scratch.path()).len(),
            2,
            "{name}: no temporary files left"
        );
    }
    assert_eq!(listing(&dir), before, "nothing written beside the inputs");
}

/// Bad arguments: zero paths or threads, an output folder that is a file or cannot be made,
/// a language that does not exist. Each is refused before anything is written.
#[test]
fn bad_arguments_are_refused() {
    let scratch = tempfile::tempdir().unwrap();
    let s = scratch.path();
    let file = s.join("a-file");
    std::fs::write(&file, "not a folder\n").unwrap();
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs/base.toml.in");
    let scenario = s.join("good.toml");
    std::fs::copy(&good, &scenario).unwrap();
    let sc = scenario.to_str().unwrap();
    let out = s.join("out");
    let o = out.to_str().unwrap();
    let under_file = file.join("report");
    let calibration = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/calibration")
        .display()
        .to_string();
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["run", sc, "--paths", "0", "--out", o],
            vec!["--paths", "at least 1"],
        ),
        (
            vec!["run", sc, "--threads", "0", "--out", o],
            vec!["--threads", "at least 1"],
        ),
        (
            vec!["run", sc, "--paths", "4", "--out", file.to_str().unwrap()],
            vec!["a-file", "is a file"],
        ),
        (
            vec![
                "run",
                sc,
                "--paths",
                "4",
                "--out",
                under_file.to_str().unwrap(),
            ],
            vec!["a-file"],
        ),
        (
            vec![
                "run",
                sc,
                "--paths",
                "4",
                "--out",
                "/proc/fundrisk-cannot-write-here",
            ],
            vec!["/proc/fundrisk-cannot-write-here"],
        ),
        (
            vec!["run", sc, "--lang", "fr", "--out", o],
            vec!["--lang", "zh or en"],
        ),
        (vec!["ledger", sc, "--out", file.to_str().unwrap()], vec![]),
        (
            vec!["solve-rate", sc, "--target", "P(months<3)<=2"],
            vec!["target"],
        ),
        // Studies check their output folder before running (they can take minutes).
        (
            vec![
                "solve-rate",
                sc,
                "--target",
                "P(months<3)<=0.05",
                "--out",
                file.to_str().unwrap(),
            ],
            vec!["a-file", "is a file"],
        ),
        (
            vec!["sensitivity", sc, "--out", under_file.to_str().unwrap()],
            vec!["a-file"],
        ),
        (
            vec!["compare", sc, sc, "--out", file.to_str().unwrap()],
            vec!["a-file", "is a file"],
        ),
        (
            vec!["backtest", sc, "--actuals", "no-such.csv", "--out", o],
            vec!["no-such.csv"],
        ),
        // Arguments bounded before any work: paths, threads, a study's window and target.
        (
            vec!["run", sc, "--paths", "100000000000", "--out", o],
            vec!["--paths", "[1, 100000000]", "shards"],
        ),
        (
            vec!["run", sc, "--paths", "18446744073709551615", "--out", o],
            vec!["--paths", "[1, 100000000]"],
        ),
        (
            vec!["run", sc, "--threads", "10000", "--out", o],
            vec!["--threads", "10000", "cores"],
        ),
        (
            vec![
                "solve-rate",
                sc,
                "--target",
                "P(months<3)<=0.05",
                "--from",
                "2300-12",
                "--out",
                o,
            ],
            vec!["--from", "2300-12", "outside the horizon"],
        ),
        (
            vec![
                "solve-rate",
                sc,
                "--target",
                "P(months<NaN)<=0.05",
                "--out",
                o,
            ],
            vec!["target", "NaN", "(0, 1200]"],
        ),
        (
            vec!["calibrate", "--data", &calibration, "--years", "1-99999"],
            vec!["1–99999", "growth rates for"],
        ),
    ];
    for (args, expect) in cases {
        let expect: Vec<String> = expect.iter().map(|e| e.to_string()).collect();
        let before = std::fs::read_to_string(&file).unwrap();
        if args[0] == "ledger" {
            // Writing a ledger over an existing file is allowed (it is replaced atomically);
            // over a folder it is refused.
            let o = fundrisk(s, &["ledger", sc, "--out", s.to_str().unwrap()]);
            assert_eq!(o.status.code(), Some(2));
            continue;
        }
        assert_refused(s, &args, &expect, &args.join(" "));
        assert!(!out.exists(), "{args:?}: nothing written");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    }
}
