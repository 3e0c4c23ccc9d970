//! The crates' dependencies run one way (docs/architecture.md): the model (`fundrisk-core`)
//! builds without the heavy output and command-line crates, and the outputs (`fundrisk-report`,
//! which the Python package uses) without the command line's.

use std::collections::BTreeSet;
use std::process::Command;

/// The names of every crate `package` depends on (normal and build dependencies, all depths).
fn dependencies(package: &str) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "--offline", "--quiet", "-p", package])
        .args(["-e", "normal,build", "--prefix", "none", "--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let names: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();
    assert!(names.contains(package), "{package} not in its own tree");
    names
}

#[test]
fn the_core_builds_without_output_or_command_line_crates() {
    let core = dependencies("fundrisk-core");
    for heavy in [
        "polars",
        "plotters",
        "rust_xlsxwriter",
        "resvg",
        "clap",
        "indicatif",
        "anyhow",
        "fundrisk-report",
        "fundrisk",
    ] {
        assert!(!core.contains(heavy), "fundrisk-core depends on {heavy}");
    }
    // It is the model: the random streams and the exact money type are there.
    for needed in ["rand_chacha", "rust_decimal", "rayon"] {
        assert!(core.contains(needed), "fundrisk-core lacks {needed}");
    }
}

#[test]
fn the_outputs_build_without_command_line_crates() {
    let report = dependencies("fundrisk-report");
    for cli in ["clap", "indicatif", "anyhow", "fundrisk"] {
        assert!(!report.contains(cli), "fundrisk-report depends on {cli}");
    }
    for needed in ["fundrisk-core", "polars", "plotters", "rust_xlsxwriter"] {
        assert!(report.contains(needed), "fundrisk-report lacks {needed}");
    }
    // The Python package sits on the outputs, not on the command.
    let python = dependencies("fundrisk-python");
    assert!(python.contains("fundrisk-report"));
    for cli in ["clap", "indicatif", "fundrisk"] {
        assert!(!python.contains(cli), "fundrisk-python depends on {cli}");
    }
}

/// Within `fundrisk-core`, the modules in the order their dependencies run (docs/architecture.md):
/// each may use only the modules before it.
const CORE_ORDER: [&str; 18] = [
    // foundations
    "numeric",
    "error",
    "params",
    "table",
    "ledger",
    "data",
    // the scenario
    "scenario",
    // the domain
    "economy",
    "population",
    "policy",
    "pooling",
    // the engine, the risk measures
    "engine",
    "risk",
    // the studies
    "calibrate",
    "base_year",
    "backtest",
    "rolling",
    "study",
];

/// The `crate::…` modules named in a file or folder of the core crate.
fn uses(path: &std::path::Path, found: &mut BTreeSet<String>) {
    if path.is_dir() {
        for e in std::fs::read_dir(path).unwrap() {
            uses(&e.unwrap().path(), found);
        }
        return;
    }
    let text = std::fs::read_to_string(path).unwrap();
    for (i, _) in text.match_indices("crate::") {
        let name: String = text[i + 7..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        found.insert(name);
    }
}

#[test]
fn core_modules_depend_one_way() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/core/src");
    let mut listed = BTreeSet::new();
    for e in std::fs::read_dir(&src).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        let module = name.trim_end_matches(".rs").to_string();
        if module != "lib" {
            listed.insert(module);
        }
    }
    let ordered: BTreeSet<String> = CORE_ORDER.iter().map(|m| m.to_string()).collect();
    assert_eq!(
        listed, ordered,
        "every core module has its place in CORE_ORDER"
    );
    for (rank, module) in CORE_ORDER.iter().enumerate() {
        let file = src.join(format!("{module}.rs"));
        let path = if file.exists() {
            file
        } else {
            src.join(module)
        };
        let mut found = BTreeSet::new();
        uses(&path, &mut found);
        for used in found {
            // `crate::Result`/`crate::Error` and the like are re-exports of `error`.
            let Some(r) = CORE_ORDER.iter().position(|m| *m == used) else {
                continue;
            };
            assert!(
                r <= rank,
                "{module} uses {used}, which comes after it (the direction is {})",
                CORE_ORDER.join(" → ")
            );
        }
    }
}

/// Every field of the scenario format (each `pub` field of a struct in
/// `crates/core/src/scenario/spec.rs`, which serde reads under the same name) is named in
/// `docs/scenario-format.md`, so that the documentation cannot fall behind the schema.
#[test]
fn every_scenario_field_is_documented() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = std::fs::read_to_string(root.join("crates/core/src/scenario/spec.rs")).unwrap();
    let doc = std::fs::read_to_string(root.join("docs/scenario-format.md")).unwrap();
    // Fields keep their Rust names (renames would need the test to read them).
    assert!(
        !spec.contains("serde(rename ="),
        "a renamed field: check its documented name"
    );
    let lines: Vec<&str> = spec.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if l.contains("rename_all") {
            let item = lines[i + 1..]
                .iter()
                .find(|l| l.starts_with("pub "))
                .unwrap();
            assert!(item.starts_with("pub enum"), "rename_all on {item}");
        }
    }
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let named = |field: &str| {
        doc.match_indices(field).any(|(i, _)| {
            let before = doc[..i].chars().next_back().is_none_or(|c| !is_word(c));
            let after = doc[i + field.len()..]
                .chars()
                .next()
                .is_none_or(|c| !is_word(c));
            before && after
        })
    };
    let mut fields = 0;
    let mut missing = Vec::new();
    let mut in_struct: Option<String> = None;
    for line in spec.lines() {
        if let Some(rest) = line.strip_prefix("pub struct ") {
            in_struct = rest
                .ends_with('{')
                .then(|| rest.split_whitespace().next().unwrap_or("").to_string());
        } else if line == "}" {
            in_struct = None;
        } else if let (Some(s), Some((field, _))) = (
            &in_struct,
            line.strip_prefix("    pub ")
                .and_then(|r| r.split_once(':')),
        ) {
            fields += 1;
            if !named(field) {
                missing.push(format!("{s}.{field}"));
            }
        }
    }
    assert!(
        fields > 100,
        "only {fields} fields found: is the schema still in spec.rs?"
    );
    assert!(
        missing.is_empty(),
        "fields not in docs/scenario-format.md: {missing:?}"
    );
}
