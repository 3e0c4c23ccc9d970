//! Crash-safe output: files and folders are written under a temporary name and renamed into
//! place only when complete, so a reader sees the previous complete output or the new one.

use crate::error::{Error, Result};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

fn io_err(path: &Path, e: std::io::Error) -> Error {
    Error::Output {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// A temporary sibling of `path` (same folder, so the rename is atomic).
fn temp_sibling(path: &Path) -> PathBuf {
    sibling(path, "tmp")
}

/// `.NAME.KIND-PID-HOST-TOKEN` beside `path`: the writer's process id, a fingerprint of its
/// machine and process-id namespace (HOST), and a random token, so that writers in different
/// containers or on different machines sharing a folder never share a name even when their
/// process ids are equal.
fn sibling(path: &Path, kind: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(
        ".{name}.{kind}-{}-{}-{:016x}",
        writer_pid(),
        host_fingerprint(),
        rand::random::<u64>()
    ))
}

/// This writer's process id. `FUNDRISK_WRITER_PID` overrides it, for the tests that run two
/// writers with the same id.
fn writer_pid() -> u32 {
    std::env::var("FUNDRISK_WRITER_PID")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(std::process::id)
}

/// Eight hex digits identifying this machine's boot and process-id namespace (Linux), so a
/// writer only ever judges the liveness of processes it can see. `FUNDRISK_WRITER_HOST`
/// overrides it for tests.
fn host_fingerprint() -> String {
    if let Ok(v) = std::env::var("FUNDRISK_WRITER_HOST") {
        return v;
    }
    let boot = fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap_or_default();
    let ns = fs::read_link("/proc/self/ns/pid")
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let host = fs::read_to_string("/etc/hostname").unwrap_or_default();
    // FNV-1a: stable across runs and builds.
    let mut h: u32 = 0x811c_9dc5;
    for b in boot
        .trim()
        .bytes()
        .chain(ns.bytes())
        .chain(host.trim().bytes())
    {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{h:08x}")
}

/// Writes a file through `fill`, then renames it over `path`. On error the temporary file is
/// removed and `path` is untouched.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<File>) -> Result<()>,
) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if dir.is_file() {
            return Err(Error::Output {
                path: path.display().to_string(),
                message: format!("{} is a file, not a folder", dir.display()),
            });
        }
        fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    }
    if path.is_dir() {
        return Err(Error::Output {
            path: path.display().to_string(),
            message: "is a folder".into(),
        });
    }
    recover_stale(path);
    let tmp = temp_sibling(path);
    let result = (|| {
        let file = File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
        let mut w = BufWriter::new(file);
        fill(&mut w)?;
        let file = w.into_inner().map_err(|e| io_err(&tmp, e.into_error()))?;
        file.sync_all().map_err(|e| io_err(&tmp, e))?;
        fs::rename(&tmp, path).map_err(|e| io_err(path, e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A folder being written: files go into a temporary sibling folder, which replaces `final_dir`
/// only in `commit`. Dropped without commit, the temporary folder is removed.
pub struct StagedDir {
    final_dir: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl StagedDir {
    pub fn new(final_dir: &Path) -> Result<StagedDir> {
        if final_dir.is_file() {
            return Err(Error::Output {
                path: final_dir.display().to_string(),
                message: "is a file; the output must be a folder".into(),
            });
        }
        let parent = final_dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        recover_stale(final_dir);
        let cannot = |e: std::io::Error| Error::Output {
            path: final_dir.display().to_string(),
            message: format!("cannot write the output folder here: {e}"),
        };
        fs::create_dir_all(parent).map_err(cannot)?;
        let tmp = temp_sibling(final_dir);
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(cannot)?;
        }
        fs::create_dir(&tmp).map_err(cannot)?;
        Ok(StagedDir {
            final_dir: final_dir.to_path_buf(),
            tmp,
            committed: false,
        })
    }

    /// Path of a file inside the staged folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.tmp.join(name)
    }

    /// Replaces the final folder with the staged one. The previous output is moved aside and
    /// removed only after the new one is in place.
    pub fn commit(mut self) -> Result<PathBuf> {
        let old = sibling(&self.final_dir, "old");
        let had_old = self.final_dir.exists();
        if had_old {
            fs::rename(&self.final_dir, &old).map_err(|e| io_err(&self.final_dir, e))?;
        }
        if let Err(e) = fs::rename(&self.tmp, &self.final_dir) {
            if had_old {
                let _ = fs::rename(&old, &self.final_dir);
            }
            return Err(io_err(&self.final_dir, e));
        }
        if had_old {
            let _ = fs::remove_dir_all(&old);
        }
        self.committed = true;
        Ok(self.final_dir.clone())
    }
}

/// Cleans up after a writer of `final_dir` that was killed (SIGKILL, power loss): its staging
/// folders (`.NAME.tmp-PID-HOST-TOKEN`) are removed, and if it died between moving the previous
/// output aside (`.NAME.old-PID-HOST-TOKEN`) and putting the new one in place, the previous
/// output is restored. Only folders of this machine and namespace whose process is no longer
/// running are touched (Linux: /proc/PID); another container's writer is left alone.
fn recover_stale(final_dir: &Path) {
    let (Some(parent), Some(name)) = (final_dir.parent(), final_dir.file_name()) else {
        return;
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    if !Path::new("/proc/self").exists() {
        return;
    }
    let name = name.to_string_lossy();
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let host = host_fingerprint();
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        for (kind, restore) in [(".tmp-", false), (".old-", true)] {
            let Some(rest) = file.strip_prefix(&format!(".{name}{kind}")) else {
                continue;
            };
            // PID-HOST-TOKEN; a folder of another machine or namespace is not ours to judge.
            let mut parts = rest.split('-');
            let pid = parts.next().unwrap_or_default();
            if parts.next().is_some_and(|h| h != host) {
                continue;
            }
            let alive = pid.parse::<u32>().is_ok_and(|p| {
                p == writer_pid() || Path::new("/proc").join(p.to_string()).exists()
            });
            if alive {
                continue;
            }
            let path = entry.path();
            if restore && !final_dir.exists() {
                let _ = fs::rename(&path, final_dir);
            } else if path.is_dir() {
                let _ = fs::remove_dir_all(&path);
            } else {
                let _ = fs::remove_file(&path);
            }
        }
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Writes a JSON record (`run.json`, `shard.json`) atomically, reads it back and checks it is
/// the record written: the last file of an output, it vouches for the ones before it.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Output {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    write_text(path, &text)?;
    let back = fs::read_to_string(path).map_err(|e| io_err(path, e))?;
    let same = serde_json::from_str::<serde_json::Value>(&back).ok()
        == serde_json::from_str::<serde_json::Value>(&text).ok();
    if !same {
        return Err(Error::Output {
            path: path.display().to_string(),
            message: "read back, it is not the record written".into(),
        });
    }
    Ok(())
}

/// Writes small text (JSON) atomically.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    write_atomically(path, |w| {
        w.write_all(text.as_bytes()).map_err(|e| io_err(path, e))
    })
}

/// `path` made absolute and resolved: its longest existing part through the file system (links
/// followed), the rest by its names (`.` dropped, `..` taken back).
pub fn resolved(path: &Path) -> PathBuf {
    use std::path::Component;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let mut lexical = PathBuf::new();
    for c in cwd.join(path).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    let mut existing = lexical.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => {
                rest.push(name.to_owned());
                existing.pop();
            }
            None => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    out.extend(rest.iter().rev());
    out
}

/// Refuses an output (a folder, or a file for a ledger) that is, holds or lies inside one of
/// `inputs` (the scenario, its fragments and tables, shard folders being merged), or that is
/// the file system's root, the working folder or one of its parents: an output never
/// replaces an input, and a run never clears the folder it was started from.
pub fn check_output(out: &Path, inputs: &[PathBuf]) -> Result<()> {
    let target = resolved(out);
    let refuse = |message: String| {
        Err(Error::Output {
            path: out.display().to_string(),
            message,
        })
    };
    if target.parent().is_none() {
        return refuse("is the root of the file system; name a folder of its own".into());
    }
    let cwd = resolved(Path::new("."));
    if cwd.starts_with(&target) {
        return refuse(
            "is the working folder or one of its parents; name a folder of its own (e.g. reports/NAME)"
                .into(),
        );
    }
    for input in inputs {
        let input_path = resolved(input);
        if input_path == target {
            return refuse(format!(
                "is the input {}: an output never replaces an input",
                input.display()
            ));
        }
        if input_path.starts_with(&target) {
            return refuse(format!(
                "holds the input {}: writing it would replace the input; name another folder",
                input.display()
            ));
        }
        if target.starts_with(&input_path) {
            return refuse(format!(
                "lies inside the input {}: name a folder outside it",
                input.display()
            ));
        }
    }
    Ok(())
}
