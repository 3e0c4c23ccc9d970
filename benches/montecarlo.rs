//! Wall time and peak memory of `fundrisk run` on the Guangdong merger scenario (120
//! months), for path counts × thread counts, each in its own process so that peak memory is
//! the run's own. `cargo bench --bench montecarlo`; set FUNDRISK_BENCH_PATHS (default
//! "10000,100000") and FUNDRISK_BENCH_THREADS (default "1,2") to change the grid.

use std::process::Command;

fn list(var: &str, default: &str) -> Vec<usize> {
    std::env::var(var)
        .unwrap_or_else(|_| default.into())
        .split(',')
        .filter_map(|x| x.trim().parse().ok())
        .collect()
}

fn main() {
    // `cargo bench` passes --bench; nothing else is accepted.
    let paths = list("FUNDRISK_BENCH_PATHS", "10000,100000");
    let threads = list("FUNDRISK_BENCH_THREADS", "1,2");
    let dir = std::env::temp_dir().join(format!("fundrisk-bench-{}", std::process::id()));
    println!("| paths | threads | wall s | paths/s | peak MiB | speedup vs 1 thread |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for &n in &paths {
        let mut one_thread = None;
        for &t in &threads {
            let out = dir.join(format!("{n}-{t}"));
            let status = Command::new(env!("CARGO_BIN_EXE_fundrisk"))
                .args([
                    "run",
                    concat!(
                        env!("CARGO_MANIFEST_DIR"),
                        "/scenarios/guangdong-merger.toml"
                    ),
                    "--paths",
                    &n.to_string(),
                    "--threads",
                    &t.to_string(),
                ])
                .arg("--out")
                .arg(&out)
                .output()
                .expect("fundrisk runs");
            assert!(
                status.status.success(),
                "{}",
                String::from_utf8_lossy(&status.stderr)
            );
            let meta: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(out.join("run.json")).expect("run.json"),
            )
            .expect("json");
            let wall = meta["wall_seconds"].as_f64().unwrap_or(f64::NAN);
            let peak = meta["peak_memory_bytes"].as_f64().unwrap_or(f64::NAN) / 1048576.0;
            if t == 1 {
                one_thread = Some(wall);
            }
            let speedup = one_thread.map_or(String::new(), |w| format!("{:.2}", w / wall));
            println!(
                "| {n} | {t} | {wall:.1} | {:.0} | {peak:.0} | {speedup} |",
                n as f64 / wall
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
