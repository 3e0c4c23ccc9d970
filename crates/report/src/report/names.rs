//! Display names of units and funds in each report language, from the scenario.
//!
//! Tables written for other programs (`summary.csv`, `ledger.csv`, …) keep the scenario's
//! identifiers (`jinan`, `jinan.maternity`, `adjustment`, `all`); every page, chart and sheet
//! that people read names a fund by these display names instead.

use super::lang::Lang;
use crate::engine::FundKind;
use crate::risk::Layout;
use crate::scenario::{PoolingKind, Scenario};

/// The display names of a run's reported entities (funds and the total), in layout order.
#[derive(Clone, Debug)]
pub struct DisplayNames {
    /// Per entity: (identifier, Chinese, English).
    entities: Vec<(String, String, String)>,
    /// Per unit: (identifier, Chinese, English).
    units: Vec<(String, String, String)>,
}

impl DisplayNames {
    pub fn new(s: &Scenario, layout: &Layout) -> DisplayNames {
        DisplayNames::from_names(s, &layout.names, &layout.kinds)
    }

    fn from_names(s: &Scenario, names: &[String], kinds: &[Option<FundKind>]) -> DisplayNames {
        let units: Vec<(String, String, String)> = s
            .units
            .iter()
            .map(|u| {
                let pick = |t: &str| {
                    if t.is_empty() {
                        u.spec.name.clone()
                    } else {
                        t.to_string()
                    }
                };
                (
                    u.spec.name.clone(),
                    pick(&u.spec.title),
                    pick(&u.spec.title_en),
                )
            })
            .collect();
        let pooling = &s.spec.pooling;
        let shared = |key: &str| {
            let pick = |t: &str, lang: Lang| {
                if t.is_empty() {
                    lang.t(key).to_string()
                } else {
                    t.to_string()
                }
            };
            (
                pick(&pooling.fund_title, Lang::Zh),
                pick(&pooling.fund_title_en, Lang::En),
            )
        };
        let unit_named = |name: &str| units.iter().find(|u| u.0 == name);
        let entities = names
            .iter()
            .zip(kinds)
            .map(|(name, kind)| {
                let (zh, en) = match kind {
                    Some(FundKind::Pooled) => match unit_named(name) {
                        Some(u) => (u.1.clone(), u.2.clone()),
                        None => (name.clone(), name.clone()),
                    },
                    Some(FundKind::Maternity) => {
                        let unit = name.strip_suffix(".maternity").unwrap_or(name);
                        let (zh, en) = unit_named(unit)
                            .map_or((unit.to_string(), unit.to_string()), |u| {
                                (u.1.clone(), u.2.clone())
                            });
                        (
                            format!("{zh}{}", Lang::Zh.t("maternity_fund_suffix")),
                            format!("{en}{}", Lang::En.t("maternity_fund_suffix")),
                        )
                    }
                    Some(FundKind::Adjustment) => shared("adjustment_fund"),
                    Some(FundKind::City) => shared("city_fund"),
                    None if pooling.kind == PoolingKind::Accounts => shared("accounts_fund"),
                    None => (
                        Lang::Zh.t("all_funds").to_string(),
                        Lang::En.t("all_funds").to_string(),
                    ),
                };
                (name.clone(), zh, en)
            })
            .collect();
        DisplayNames { entities, units }
    }

    /// The display names of a scenario's units, their maternity funds, its shared fund and the
    /// total, without a run (for the studies' pages).
    pub fn for_scenario(s: &Scenario) -> DisplayNames {
        let mut names: Vec<String> = Vec::new();
        let mut kinds: Vec<Option<FundKind>> = Vec::new();
        for u in &s.units {
            names.push(u.spec.name.clone());
            kinds.push(Some(FundKind::Pooled));
            names.push(format!("{}.maternity", u.spec.name));
            kinds.push(Some(FundKind::Maternity));
        }
        match s.spec.pooling.kind {
            PoolingKind::ProvincialAdjustment => {
                names.push(s.spec.pooling.fund_name.clone());
                kinds.push(Some(FundKind::Adjustment));
            }
            PoolingKind::CityUnified => {
                names.push(s.spec.pooling.fund_name.clone());
                kinds.push(Some(FundKind::City));
            }
            PoolingKind::Accounts => {
                names.push(s.spec.pooling.fund_name.clone());
                kinds.push(None);
            }
            PoolingKind::Single => {}
        }
        if s.spec.pooling.kind != PoolingKind::Accounts {
            names.push("all".into());
            kinds.push(None);
        }
        DisplayNames::from_names(s, &names, &kinds)
    }

    /// The display name of reported entity `e`.
    pub fn entity(&self, e: usize, lang: Lang) -> &str {
        let (_, zh, en) = &self.entities[e];
        if lang == Lang::Zh { zh } else { en }
    }

    /// The display name of the fund or unit identified by `name` (a name of the tables'
    /// `unit` column); the identifier itself if it names nothing of this run.
    pub fn of<'a>(&'a self, name: &'a str, lang: Lang) -> &'a str {
        self.entities
            .iter()
            .chain(&self.units)
            .find(|(id, _, _)| id == name)
            .map_or(name, |(_, zh, en)| if lang == Lang::Zh { zh } else { en })
    }

    /// Every identifier with its display names, entities first.
    pub fn all(&self) -> impl Iterator<Item = &(String, String, String)> {
        self.entities.iter().chain(&self.units)
    }
}
