//! `report.pdf`: the report page printed to A4 by headless Chromium (the page's print CSS keeps
//! each chart on one page).

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The headless Chromium to print with: `$CHROME`, else the first of `chromium`,
/// `chromium-browser`, `google-chrome` found on `PATH`.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROME").map(PathBuf::from) {
        return p.exists().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| {
            ["chromium", "chromium-browser", "google-chrome"].map(|name| dir.join(name))
        })
        .find(|p| p.is_file())
}

/// Prints `html` to `pdf` (A4, no header or footer) with the headless Chromium `chrome`.
pub fn print(chrome: &Path, html: &Path, pdf: &Path) -> Result<()> {
    let fail = |message: String| Error::Output {
        path: pdf.display().to_string(),
        message,
    };
    let html = html
        .canonicalize()
        .map_err(|e| fail(format!("reading {}: {e}", html.display())))?;
    let profile = tempfile_dir(pdf)?;
    let output = Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .map_err(|e| fail(format!("starting {}: {e}", chrome.display())))?;
    let _ = std::fs::remove_dir_all(&profile);
    let printed = std::fs::read(pdf)
        .map(|b| b.starts_with(b"%PDF"))
        .unwrap_or(false);
    if !output.status.success() || !printed {
        return Err(fail(format!(
            "{} did not print the report: {}",
            chrome.display(),
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("no message")
        )));
    }
    Ok(())
}

/// A fresh browser profile folder beside the PDF (inside the staged output folder).
fn tempfile_dir(pdf: &Path) -> Result<PathBuf> {
    let dir = pdf.with_file_name(".chromium-profile");
    std::fs::create_dir_all(&dir).map_err(|e| Error::Output {
        path: dir.display().to_string(),
        message: e.to_string(),
    })?;
    Ok(dir)
}
