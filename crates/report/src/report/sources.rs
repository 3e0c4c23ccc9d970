//! Sources in the report's language. Scenarios cite their sources in English or in the policy
//! texts' own Chinese; a Chinese report shows each through the translation table
//! `data/labels/sources.zh.csv` (English template, Chinese), in which `{}` stands for a number
//! in the English and `{1}`, `{2}`, … for the numbers in order in the Chinese.

use super::lang::Lang;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../../../../data/labels/sources.zh.csv");

/// One row of the table: the English template's literal parts (around its numbers) and the
/// Chinese.
struct Template {
    parts: Vec<String>,
    chinese: String,
}

fn templates() -> &'static [Template] {
    static T: OnceLock<Vec<Template>> = OnceLock::new();
    T.get_or_init(|| {
        csv::Reader::from_reader(TABLE.as_bytes())
            .records()
            .filter_map(|r| r.ok())
            .filter(|r| r.len() == 2)
            .map(|r| Template {
                parts: r[0].split("{}").map(str::to_string).collect(),
                chinese: r[1].to_string(),
            })
            .collect()
    })
}

/// Length (bytes) of the number at the start of `s`: digits with thousands commas inside,
/// then an optional decimal part; None if `s` does not start with a digit.
fn number_at(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut end = b
        .iter()
        .position(|c| !c.is_ascii_digit() && *c != b',')
        .unwrap_or(b.len());
    while b[end - 1] == b',' {
        end -= 1;
    }
    if b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end += 1;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
    }
    Some(end)
}

/// The numbers of `s` if it is an instance of `t`.
fn instance<'a>(t: &Template, s: &'a str) -> Option<Vec<&'a str>> {
    let mut rest = s.strip_prefix(t.parts[0].as_str())?;
    let mut numbers = Vec::new();
    for part in &t.parts[1..] {
        let n = number_at(rest)?;
        numbers.push(&rest[..n]);
        rest = rest[n..].strip_prefix(part.as_str())?;
    }
    rest.is_empty().then_some(numbers)
}

/// A source as the report shows it: in a Chinese report its translation (with the source's own
/// numbers), or, for a source the table does not hold, the text with the marker ASSUMPTION as
/// 假设; in an English report the text itself.
pub fn source_text(s: &str, lang: Lang) -> String {
    if lang == Lang::En || s.is_empty() {
        return s.to_string();
    }
    for t in templates() {
        if let Some(numbers) = instance(t, s) {
            let mut out = t.chinese.clone();
            // From the highest index down, so that {1} does not touch {10}.
            for (i, n) in numbers.iter().enumerate().rev() {
                out = out.replace(&format!("{{{}}}", i + 1), n);
            }
            return out;
        }
    }
    s.replace("ASSUMPTION", "假设")
}

/// Whether the table translates `s`.
pub fn translated(s: &str) -> bool {
    templates().iter().any(|t| instance(t, s).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_read_in_chinese_with_their_numbers() {
        assert_eq!(
            source_text(
                "ASSUMPTION: 9.2 m residents (2020 census) x 26 % coverage; see the tool",
                Lang::Zh
            ),
            "假设：常住人口9.2百万（2020年人口普查）×覆盖率26%；见生成脚本"
        );
        assert_eq!(
            source_text(
                "NBS communiqué 2021: 10.62 m births against 12.02 m in 2020",
                Lang::Zh
            ),
            "国家统计局2021年统计公报：出生人口10.62百万，2020年为12.02百万"
        );
        assert_eq!(
            source_text("26,607 / 26,106 (2022 flash)", Lang::Zh),
            "26,607 / 26,106（2022年快报）"
        );
        assert_eq!(
            source_text("ASSUMPTION: new text", Lang::Zh),
            "假设: new text"
        );
        assert_eq!(
            source_text("ASSUMPTION: new text", Lang::En),
            "ASSUMPTION: new text"
        );
        assert_eq!(number_at("2024, 6.51"), Some(4));
        assert_eq!(number_at("6.51, 5.68"), Some(4));
        assert_eq!(number_at("17,342.45 亿"), Some(9));
        assert_eq!(number_at("x1"), None);
    }

    /// Every source of every bundled scenario and calibration fragment has its Chinese.
    #[test]
    fn every_bundled_source_is_translated() {
        fn walk(v: &toml::Value, out: &mut Vec<String>) {
            match v {
                toml::Value::Table(t) => {
                    for (k, x) in t {
                        match (k.as_str(), x) {
                            ("source", toml::Value::String(s)) => out.push(s.clone()),
                            _ => walk(x, out),
                        }
                    }
                }
                toml::Value::Array(xs) => xs.iter().for_each(|x| walk(x, out)),
                _ => {}
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut sources = Vec::new();
        for dir in ["scenarios", "data/calibration"] {
            for f in std::fs::read_dir(root.join(dir)).unwrap() {
                let p = f.unwrap().path();
                if p.extension().is_some_and(|e| e == "toml") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    let table: toml::Table = toml::from_str(&text).unwrap();
                    walk(&toml::Value::Table(table), &mut sources);
                }
            }
        }
        assert!(sources.len() > 150, "{} sources", sources.len());
        let missing: Vec<&String> = sources.iter().filter(|s| !translated(s)).collect();
        assert!(missing.is_empty(), "sources without Chinese: {missing:?}");
    }
}
