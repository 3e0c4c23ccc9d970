//! The independent NumPy reference (`benches/reference/fundrisk_ref.py`) against the engine.
//! The expected path's membership by status, its contribution-income lines and (where the
//! reference has them) its inpatient and outpatient spending, every month of
//! every unit of every scenario, must agree with `fundrisk ledger` to 1e-8 relative beyond the ledger's rounding, far inside
//! the 0.01 % the issue asks. Leaving out one term of the exit rate shows as 1.8e-5. The test
//! runs when python3 with numpy is present (`.ci/run` installs numpy); otherwise it says it is
//! skipped.

mod common;

use std::path::Path;
use std::process::Command;

fn numpy_available() -> bool {
    Command::new("python3")
        .args(["-c", "import numpy"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn reference_membership_matches_the_ledger() {
    if !numpy_available() {
        assert!(
            std::env::var_os("FUNDRISK_REQUIRE_REFERENCE").is_none(),
            "FUNDRISK_REQUIRE_REFERENCE is set but python3 with numpy is missing"
        );
        eprintln!("skipped: python3 with numpy not found");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "guangdong-merger",
        "huainan-merger",
        "shandong-provincial",
        "jiujiang-city",
        "jiangmen-integration",
    ] {
        let scenario = root.join("scenarios").join(format!("{name}.toml"));
        let ledger = dir.path().join(format!("{name}.csv"));
        common::fundrisk_ok([
            "ledger".as_ref(),
            scenario.as_os_str(),
            "--out".as_ref(),
            ledger.as_os_str(),
        ]);
        let out = Command::new("python3")
            .arg(root.join("benches/reference/fundrisk_ref.py"))
            .arg(&scenario)
            .arg("--ledger")
            .arg(&ledger)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{name}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("membership: worst relative difference"),
            "{text}"
        );
    }
}

/// The reference's own Monte Carlo (its own random streams) and `fundrisk run` agree within
/// Monte Carlo error: means and probabilities by their joint standard errors, quantiles by the
/// reference sample's order-statistic interval (5 standard deviations). A mistake in the AR(1)
/// scaling of the driver shocks shows as 9 disagreements at 2,000 paths.
#[test]
fn reference_monte_carlo_agrees_with_the_run() {
    if !numpy_available() {
        assert!(std::env::var_os("FUNDRISK_REQUIRE_REFERENCE").is_none());
        eprintln!("skipped: python3 with numpy not found");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let scenario = root.join("scenarios/huainan-merger.toml");
    let run = dir.path().join("run");
    common::fundrisk_ok([
        "run".as_ref(),
        scenario.as_os_str(),
        "--paths".as_ref(),
        "1000".as_ref(),
        "--out".as_ref(),
        run.as_os_str(),
    ]);
    let out = Command::new("python3")
        .arg(root.join("benches/reference/fundrisk_ref.py"))
        .arg(&scenario)
        .args(["--paths", "1000", "--seed", "3", "--summary"])
        .arg(dir.path().join("run/summary.csv"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("summary: 0 disagreements"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
