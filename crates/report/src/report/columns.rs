//! Human column headings in the report's language, for the workbook and the HTML tables.
//!
//! The CSV and Parquet files keep their snake_case column names (other tools read them); the
//! workbook and the report, which people read, show these headings in the same column order.

use super::lang::Lang;

/// Suffixes that qualify a stem; each has its label `suffix` + suffix.
const SUFFIXES: [&str; 12] = [
    "_base", "_other", "_se", "_mean", "_diff", "_change", "_p5", "_p25", "_p50", "_p75", "_p95",
    "_count",
];

/// The heading of a whole column name, from the one label dictionary ([`Lang::t`]): the
/// column's own label (`col_` + name) or, for shared words (`never`), the word's.
fn lookup(name: &str, lang: Lang) -> Option<String> {
    [format!("col_{name}"), name.to_string()]
        .iter()
        .map(|k| lang.t(k))
        .find(|t| *t != "??")
        .map(str::to_string)
}

/// The heading of column `name` (the name itself if nothing matches, so a gap shows in tests).
pub fn heading(name: &str, lang: Lang) -> String {
    if let Some(h) = lookup(name, lang) {
        return h;
    }
    for suffix in SUFFIXES {
        if let Some(stem) = name.strip_suffix(suffix) {
            let h = heading(stem, lang);
            if h != stem {
                return format!("{h}{}", lang.t(&format!("suffix{suffix}")));
            }
        }
    }
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_digit()) {
        // A year as a column (the units × years layout): its year end.
        return lang.fill("column_year_end", &[name]);
    }
    if let Some(stem) = name.strip_prefix("worst_") {
        let h = heading(stem, lang);
        if h != stem {
            return format!("{}{h}", lang.t("prefix_worst"));
        }
    }
    if let Some(band) = name.strip_prefix("share_") {
        let h = heading(band, lang);
        if h != band {
            return lang.fill("column_share_of_paths", &[&h]);
        }
    }
    if let Some(stem) = name.strip_prefix("treasury_") {
        let h = heading(stem, lang);
        if h != stem {
            return lang.fill("column_treasury", &[&h]);
        }
    }
    name.to_string()
}

/// A text cell of a table in the report's language: the words a table uses as values (`never`,
/// `yes`, `high`, the assumptions of a sensitivity table), other text unchanged.
pub fn value_text(v: &str, lang: Lang) -> String {
    if lang == Lang::Zh {
        if let Some(x) = v
            .strip_prefix("mean ")
            .and_then(|r| r.strip_suffix(" points"))
        {
            return lang.fill("value_mean_points", &[x]);
        }
        if let Some(x) = v.strip_prefix("level × ") {
            return lang.fill("value_level_times", &[x]);
        }
    }
    match (v, lang) {
        ("no 2025 reform", Lang::Zh) => lang.t("value_no_2025_reform").into(),
        ("as the scenario", Lang::Zh) => lang.t("value_as_the_scenario").into(),
        ("yes", Lang::Zh) => lang.t("value_yes").into(),
        ("no", Lang::Zh) => lang.t("value_no").into(),
        ("high", _) => lang.t("value_high").into(),
        _ => lookup(v, lang)
            .filter(|_| !v.is_empty())
            .unwrap_or_else(|| v.to_string()),
    }
}

/// How a numeric column is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A probability, share or rate (0–1), shown as a percentage.
    Share,
    /// A year or a count of paths.
    Integer,
    /// Months of payment capacity.
    Months,
    /// Yuan.
    Money,
    /// People, births and other quantities.
    Quantity,
}

/// The kind of column `name`, from its name and its heading's unit.
pub fn kind(name: &str) -> Kind {
    if let Some(stem) = name.strip_prefix("worst_").filter(|s| *s != "year") {
        return kind(stem);
    }
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_digit()) {
        // A year as a column: the units × years layout of median months of capacity.
        return Kind::Months;
    }
    if name.starts_with("p_")
        || name.starts_with("share")
        || name.contains("probability")
        || name.contains("_rate")
        || name == "cumulative_share"
        || name.ends_with("abs_pct_error")
        || name == "active_error"
        || name == "mean_crps_relative"
        || name == "crps_relative"
    {
        Kind::Share
    } else if matches!(
        name,
        "year"
            | "paths"
            | "binding_year"
            | "horizon_years"
            | "origin"
            | "n_actuals"
            | "n_inside_90"
            | "n_inside_50"
            | "rank"
            | "last_year"
            | "worst_year"
    ) {
        Kind::Integer
    } else if name.starts_with("months") {
        Kind::Months
    } else if heading(name, Lang::En).contains("(yuan)") {
        Kind::Money
    } else {
        Kind::Quantity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_compose() {
        assert_eq!(
            heading("p_months_lt_6_se", Lang::Zh),
            "可支付月数低于6个月的概率（标准误）"
        );
        assert_eq!(
            heading("months_p95", Lang::En),
            "Year-end months of capacity (95th percentile)"
        );
        assert_eq!(
            heading("share_serious_se", Lang::En),
            "Share of paths: Seriously insufficient (0–3 months) (standard error)"
        );
        assert_eq!(
            heading("income_employer_mean", Lang::Zh),
            "单位缴费收入（元）（均值）"
        );
        assert_eq!(heading("no_such_column", Lang::Zh), "no_such_column");
        assert_eq!(value_text("never", Lang::Zh), "未出现");
        assert_eq!(heading("never", Lang::Zh), Lang::Zh.t("never"));
        assert_eq!(value_text("2031", Lang::Zh), "2031");
        assert_eq!(
            value_text("mean -1.00 points", Lang::Zh),
            "均值 -1.00 个百分点"
        );
        assert_eq!(kind("p_exhausted_diff_se"), Kind::Share);
        assert_eq!(kind("balance_mean_diff"), Kind::Money);
        assert_eq!(kind("months_p50_change"), Kind::Months);
        assert_eq!(kind("members_retiree"), Kind::Quantity);
    }
}
