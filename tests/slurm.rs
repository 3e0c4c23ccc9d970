//! The Slurm deployment on a real one-node Slurm (`deploy/slurm/test-local.sh`): munged,
//! slurmctld and slurmd started in a temporary folder, `deploy/slurm/submit.sh` submits an array
//! of 2 shards and the merge after them, and the merged tables must equal a single run byte for
//! byte; the daemons are stopped by their pid files. Skipped where Slurm cannot start (not root,
//! packages missing) unless `FUNDRISK_REQUIRE_SLURM` is set, as `.ci/run` sets it.

use std::path::Path;
use std::process::Command;

#[test]
fn sharded_run_under_slurm_equals_the_single_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("bash")
        .arg(root.join("deploy/slurm/test-local.sh"))
        .arg(env!("CARGO_BIN_EXE_fundrisk"))
        .arg(root.join("scenarios/huainan-merger.toml"))
        .args(["512", "2", "150"])
        .env_remove("FUNDRISK_ARGS")
        .output()
        .expect("bash runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    match out.status.code() {
        Some(0) => assert!(
            text.contains("the merged tables equal the single run"),
            "{text}"
        ),
        Some(77) if std::env::var_os("FUNDRISK_REQUIRE_SLURM").is_none() => {
            eprintln!("{}", text.trim());
        }
        code => panic!("the Slurm test failed ({code:?}):\n{text}"),
    }
}
