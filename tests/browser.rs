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

/// Per figure: its legend boxes (the rectangles stroked in the legend grey, #999998) and how
/// many plotted points (of polylines, polygons and circles) fall inside one, in the SVG's own
/// coordinates as the browser parsed them.
const LEGENDS: &str = r#"JSON.stringify([...document.querySelectorAll('figure')].map(f => {
  const svg = f.querySelector('svg');
  const boxes = [...svg.querySelectorAll('rect')]
    .filter(r => (r.getAttribute('stroke') || '').toUpperCase() === '#999998')
    .map(r => r.getBBox());
  const pts = [];
  svg.querySelectorAll('polyline,polygon').forEach(p => {
    for (const q of p.points) pts.push([q.x, q.y]);
  });
  svg.querySelectorAll('circle').forEach(c => pts.push([c.cx.baseVal.value, c.cy.baseVal.value]));
  // Points of the legend's own keys sit inside it: only points outside every key count.
  const inside = pts.filter(([x, y]) => boxes.some(b =>
    x > b.x + 1 && x < b.x + b.width - 1 && y > b.y + 1 && y < b.y + b.height - 1 &&
    x > b.x + 24)).length;
  return [f.id, boxes.length, inside];
}))"#;

/// The overview table's body rows as laid out: the fund identifier and each cell's text.
const OVERVIEW: &str = r#"JSON.stringify([...document.querySelectorAll('#overview tbody tr')]
  .map(r => [r.dataset.fund, [...r.querySelectorAll('td')].map(c => c.innerText.trim())]))"#;

/// Heat maps: each row label's vertical centre (from its laid-out box) against the centre of
/// the nearest cell to its right, and the label's right edge against the cells' left edge.
const HEAT_ROWS: &str = r#"JSON.stringify([...document.querySelectorAll('figure')]
  .filter(f => f.id.endsWith('_map.svg')).map(f => {
  const svg = f.querySelector('svg');
  const cells = [...svg.querySelectorAll('rect')].map(r => r.getBBox())
    .filter(b => b.width > 20 && b.width < 200 && b.height > 10 && b.height < 60);
  const left = Math.min(...cells.map(b => b.x));
  const labels = [...svg.querySelectorAll('text')]
    .map(t => [t.textContent.trim(), t.getBBox()])
    .filter(([s, b]) => b.x + b.width <= left + 1 && s.length > 0);
  return [f.id, labels.map(([s, b]) => {
    const cy = b.y + b.height / 2;
    let best = null;
    for (const c of cells) {
      const y = c.y + c.height / 2;
      if (best === null || Math.abs(y - cy) < Math.abs(best - cy)) best = y;
    }
    return [s, cy, best, left, b.x + b.width];
  })];
}))"#;

/// A heat map's row label: (text, its centre y, the nearest cell's centre y, the cells' left x,
/// the label's right x).
type HeatRow = (String, f64, f64, f64, f64);

struct Loaded {
    figures: Vec<(String, f64, f64, i64, i64)>,
    /// Per figure: (id, legend boxes, plotted points inside a legend box).
    legends: Vec<(String, i64, i64)>,
    /// Heat maps: (figure id, [(label, label centre y, nearest cell centre y, cell left x,
    /// label right x)]).
    heat_rows: Vec<(String, Vec<HeatRow>)>,
    /// The overview's body rows: (fund identifier, each cell's text).
    overview: Vec<(String, Vec<String>)>,
    /// The page's visible text (`innerText`, SVG text included).
    text: String,
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
    let json = tab.evaluate(LEGENDS, false).unwrap().value.unwrap();
    let legends: Vec<(String, i64, i64)> = serde_json::from_str(json.as_str().unwrap()).unwrap();
    let json = tab.evaluate(HEAT_ROWS, false).unwrap().value.unwrap();
    let heat_rows: Vec<(String, Vec<HeatRow>)> =
        serde_json::from_str(json.as_str().unwrap()).unwrap();
    let json = tab.evaluate(OVERVIEW, false).unwrap().value.unwrap();
    let overview: Vec<(String, Vec<String>)> =
        serde_json::from_str(json.as_str().unwrap()).unwrap();
    let text = tab
        .evaluate(
            "document.body.innerText + ' ' + [...document.querySelectorAll('svg text')].map(t => t.textContent).join(' ')",
            false,
        )
        .unwrap()
        .value
        .and_then(|v| v.as_str().map(String::from))
        .unwrap();
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
        legends,
        heat_rows,
        overview,
        text,
        errors: errors_before,
    }
}

fn assert_drawn(html: &Path, loaded: &Loaded) {
    let charts = std::fs::read_dir(html.with_file_name("charts"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "svg"))
        })
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

/// No legend covers plotted data; heat-map row labels sit on their rows, left of the cells.
fn assert_legends_clear(html: &Path, loaded: &Loaded) {
    for (id, boxes, inside) in &loaded.legends {
        assert_eq!(
            *inside,
            0,
            "{}: {id}'s legend covers {inside} plotted points",
            html.display()
        );
        if id.starts_with("months_") || id.starts_with("balance_") {
            assert!(*boxes >= 1, "{id} has no legend box");
        }
    }
    for (id, rows) in &loaded.heat_rows {
        assert!(!rows.is_empty(), "{id}: no row labels found");
        for (label, label_y, cell_y, cells_left, label_right) in rows {
            assert!(
                (label_y - cell_y).abs() < 2.0,
                "{id}: label {label} centred at {label_y}, its row at {cell_y}"
            );
            assert!(
                label_right <= cells_left,
                "{id}: label {label} runs into the cells"
            );
        }
    }
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
    // Shandong: 19 funds, the heat maps and the legends checked below.
    let shandong_file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/shandong-provincial.toml");
    let shandong = Scenario::from_path(&shandong_file).unwrap();
    let shandong_dir = root.join("shandong");
    fundrisk::run::run_scenario(
        &shandong,
        &RunOptions::new(64, 1),
        &shandong_dir,
        Lang::Zh,
        &|_| {},
    )
    .unwrap();
    pages.push(shandong_dir.join("report.html"));
    // `--pdf` prints the report to A4 with this Chromium.
    let pdf_dir = root.join("pdf");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_fundrisk"))
        .args([
            "run".as_ref(),
            "--paths".as_ref(),
            "16".as_ref(),
            "--pdf".as_ref(),
            "--out".as_ref(),
            pdf_dir.as_os_str(),
        ])
        .env("CHROME", &chrome)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = std::fs::read(pdf_dir.join("report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"), "report.pdf is a PDF");
    let a4 = pdf.windows(9).any(|w| w == b"[0 0 594.");
    assert!(a4, "report.pdf is A4");
    assert!(
        !pdf_dir.join(".chromium-profile").exists(),
        "the browser profile is removed"
    );
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
        assert_legends_clear(page, &loaded);
        if *page == shandong_dir.join("report.html") {
            // The overview as laid out: all 19 funds in risk order with the tables' figures.
            assert_eq!(loaded.overview.len(), 19, "{:?}", loaded.overview);
            common::check_overview(&loaded.overview, &shandong_dir);
            // The visible text: no unit identifier, no snake_case identifier.
            for u in &shandong.units {
                let word = |w: &str| {
                    loaded
                        .text
                        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                        .any(|x| x == w)
                };
                assert!(!word(&u.spec.name), "identifier {} shown", u.spec.name);
            }
            let snake: Vec<&str> = loaded
                .text
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .filter(|w| w.contains('_') && w.chars().any(|c| c.is_ascii_lowercase()))
                .collect();
            assert!(snake.is_empty(), "snake_case shown: {snake:?}");
        }
        eprintln!(
            "{}: {} charts drawn; screenshot {}",
            page.display(),
            loaded.figures.len(),
            page.with_file_name("screenshot.png").display()
        );
    }
}
