//! A run killed part-way (SIGKILL, so no destructor runs) leaves the previous complete output
//! or nothing, never a partial folder in its place; `run.json` is the last file written, so a
//! folder with it is complete. The next run cleans up what the killed one left.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

mod common;

use common::listing;

fn run(out: &Path, paths: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_fundrisk"))
        .args(["run", "--paths", paths, "--threads", "1", "--out"])
        .arg(out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn killed_runs_leave_the_previous_output_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    // Killed before any output existed: nothing at `out`.
    let mut child = run(&out, "400");
    std::thread::sleep(Duration::from_millis(150));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!out.exists(), "no partial folder after a first killed run");
    // A complete output, then runs killed at a spread of moments, from the simulation to the
    // writing of files (the run below takes about a second and a half on one thread).
    let status = run(&out, "64").wait().unwrap();
    assert!(status.success());
    let complete = listing(&out);
    assert!(complete.contains(&"run.json".to_string()));
    let run_json = std::fs::read_to_string(out.join("run.json")).unwrap();
    let mut hidden_seen = 0;
    for delay_ms in [50, 200, 400, 600, 800, 1000, 1200, 1400, 1600, 2000] {
        let mut child = run(&out, "1000");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let finished = child.try_wait().unwrap().is_some();
        let _ = child.kill();
        child.wait().unwrap();
        hidden_seen = hidden_seen.max(listing(dir.path()).len() - 1);
        assert!(
            out.exists(),
            "the previous output is still there (killed at {delay_ms} ms)"
        );
        let now = listing(&out);
        assert!(
            now.contains(&"run.json".to_string()),
            "complete at {delay_ms} ms: {now:?}"
        );
        if !finished {
            // Not finished: exactly the previous output, or the new one complete (a kill can
            // land after the folder was committed and before the process exited, while it
            // prints its summary) — never a mix.
            let now_json = std::fs::read_to_string(out.join("run.json")).unwrap();
            let previous = now_json == run_json;
            let replaced = now_json.contains("\"paths\": 1000");
            assert!(previous || replaced, "killed at {delay_ms} ms: {now_json}");
            assert_eq!(now, complete, "killed at {delay_ms} ms");
        }
    }
    // What the kills left beside the output is hidden (`.report.tmp-PID`, staged before the
    // simulation starts) and is removed by the next complete run.
    assert!(
        hidden_seen > 0,
        "the killed runs left their staging folders"
    );
    let status = run(&out, "64").wait().unwrap();
    assert!(status.success());
    let left: Vec<String> = listing(dir.path());
    assert_eq!(
        left,
        vec!["report".to_string()],
        "stale staging folders removed"
    );
}
