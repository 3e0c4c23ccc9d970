//! The report in a real browser: headless Chromium (Debian's `chromium`, which `.ci/run`
//! installs) loads each report.html from disk; every chart must have a non-empty drawing and
//! the page must log no console errors. A screenshot is saved next to each report.

mod common;

use base64::Engine;
use fundrisk::data::DataSource;
use fundrisk::engine::montecarlo::RunOptions;
use fundrisk::report::lang::Lang;
use fundrisk::scenario::{GUANGDONG_MERGER_SCENARIO, Scenario};
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Log, Page, Runtime};
use headless_chrome::{Browser, LaunchOptions, Tab};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn chromium() -> Option<PathBuf> {
    std::env::var_os("CHROME")
        .map(PathBuf::from)
        .into_iter()
        .chain(
            [
                "/usr/bin/chromium",
                "/usr/bin/chromium-browser",
                "/usr/bin/google-chrome",
            ]
            .map(PathBuf::from),
        )
        .find(|p| p.exists())
}

/// Per figure: (id, width, height, drawn shapes, texts), as the browser laid it out.
const MEASURE: &str = r#"JSON.stringify([...document.querySelectorAll('figure')].map(f => {
  const svg = f.querySelector('svg');
  if (!svg) return [f.id, 0, 0, 0, 0];
  const r = svg.getBoundingClientRect();
  const b = svg.getBBox();
  // Drawn marks: shapes with a visible extent, beyond the white background.
  const marks = [...svg.querySelectorAll('polyline,polygon,rect,circle,path,line')]
    .filter(e => { const x = e.getBBox(); return x.width > 0 || x.height > 0; }).length - 1;
  return [f.id, Math.min(r.width, b.width), Math.min(r.height, b.height), marks,
          svg.querySelectorAll('text').length];
}))"#;

struct Loaded {
    figures: Vec<(String, f64, f64, i64, i64)>,
    errors: Vec<String>,
}

/// Loads `html` in a fresh tab, measures its figures, collects console errors and saves a
/// full-page screenshot as `screenshot.png` beside it.
fn load(browser: &Browser, html: &Path) -> Loaded {
    let tab: Arc<Tab> = browser.new_tab().unwrap();
    let errors = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&errors);
    tab.add_event_listener(Arc::new(move |event: &Event| {
        let message = match event {
            Event::RuntimeConsoleAPICalled(e)
                if e.params.Type == Runtime::ConsoleAPICalledEventTypeOption::Error =>
            {
                Some(format!("console.error: {:?}", e.params.args))
            }
            Event::RuntimeExceptionThrown(e) => Some(format!("exception: {:?}", e.params)),
            Event::LogEntryAdded(e) if e.params.entry.level == Log::LogEntryLevel::Error => {
                Some(format!("log: {}", e.params.entry.text))
            }
            _ => None,
        };
        if let Some(m) = message {
            sink.lock().unwrap().push(m);
        }
    }))
    .unwrap();
    tab.enable_runtime().unwrap();
    tab.enable_log().unwrap();
    let url = format!("file://{}", html.canonicalize().unwrap().display());
    tab.navigate_to(&url)
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    let json = tab.evaluate(MEASURE, false).unwrap().value.unwrap();
    let figures: Vec<(String, f64, f64, i64, i64)> =
        serde_json::from_str(json.as_str().unwrap()).unwrap();
    let height = tab
        .evaluate("document.documentElement.scrollHeight", false)
        .unwrap()
        .value
        .and_then(|v| v.as_f64())
        .unwrap();
    let shot = tab
        .call_method(Page::CaptureScreenshot {
            format: Some(Page::CaptureScreenshotFormatOption::Png),
            quality: None,
            clip: Some(Page::Viewport {
                x: 0.0,
                y: 0.0,
                width: 1000.0,
                height: height.min(30_000.0),
                scale: 1.0,
            }),
            from_surface: Some(true),
            capture_beyond_viewport: Some(true),
            optimize_for_speed: None,
        })
        .unwrap();
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot.data)
        .unwrap();
    std::fs::write(html.with_file_name("screenshot.png"), png).unwrap();
    // Give late console messages a moment, then a probe that must be caught: the check of
    // console errors is itself working.
    std::thread::sleep(Duration::from_millis(300));
    let errors_before = errors.lock().unwrap().clone();
    tab.evaluate("console.error('fundrisk-probe')", false)
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        errors
            .lock()
            .unwrap()
            .iter()
            .any(|e| e.contains("fundrisk-probe")),
        "the console listener did not see a probe error"
    );
    Loaded {
        figures,
        errors: errors_before,
    }
}

fn assert_drawn(html: &Path, loaded: &Loaded) {
    let charts = std::fs::read_dir(html.with_file_name("charts"))
        .unwrap()
        .count();
    assert_eq!(loaded.figures.len(), charts, "every chart is on the page");
    for (id, w, h, marks, texts) in &loaded.figures {
        assert!(*w > 300.0 && *h > 150.0, "{id} laid out at {w}×{h}");
        assert!(*marks >= 3, "{id} draws {marks} marks");
        assert!(*texts >= 3, "{id} has {texts} texts");
    }
    assert!(
        loaded.errors.is_empty(),
        "console errors: {:?}",
        loaded.errors
    );
}

#[test]
fn reports_render_in_chromium() {
    let Some(chrome) = chromium() else {
        assert!(
            std::env::var_os("FUNDRISK_REQUIRE_BROWSER").is_none(),
            "FUNDRISK_REQUIRE_BROWSER is set but no chromium was found"
        );
        eprintln!("skipped: no chromium (install Debian's `chromium`)");
        return;
    };
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-browser");
    let s = Scenario::parse(
        GUANGDONG_MERGER_SCENARIO,
        "test.toml",
        DataSource::default(),
    )
    .unwrap();
    let mut pages = Vec::new();
    for lang in [Lang::Zh, Lang::En] {
        let dir = root.join(format!("run-{lang:?}"));
        fundrisk::run::run_scenario(&s, &RunOptions::new(64, 1), &dir, lang, &|_| {}).unwrap();
        pages.push(dir.join("report.html"));
    }
    // A study page too: its charts are drawn by other code.
    let dir = root.join("solve-rate");
    common::fundrisk_ok([
        "solve-rate".as_ref(),
        "--target".as_ref(),
        "P(months<9)<=0.2".as_ref(),
        "--paths".as_ref(),
        "32".as_ref(),
        "--out".as_ref(),
        dir.as_os_str(),
    ]);
    pages.push(dir.join("report.html"));
    let user_data = tempfile::tempdir().unwrap();
    let args: Vec<&OsStr> = [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let browser = Browser::new(
        LaunchOptions::default_builder()
            .path(Some(chrome))
            .headless(true)
            .sandbox(false)
            .window_size(Some((1000, 900)))
            .user_data_dir(Some(user_data.path().to_path_buf()))
            .idle_browser_timeout(Duration::from_secs(120))
            .args(args)
            .build()
            .unwrap(),
    )
    .unwrap();
    for page in &pages {
        let loaded = load(&browser, page);
        assert_drawn(page, &loaded);
        eprintln!(
            "{}: {} charts drawn; screenshot {}",
            page.display(),
            loaded.figures.len(),
            page.with_file_name("screenshot.png").display()
        );
    }
}
