//! Each chart also as PNG at print resolution (for Word and WPS, which place pictures better
//! than SVG), rasterised from its SVG by resvg with the machine's fonts.

use crate::error::{Error, Result};
use resvg::{tiny_skia, usvg};

/// Pixels per SVG pixel: 2.5 gives 240 dpi at a chart's size on screen and 300 dpi when it is
/// printed 16 cm wide (a 760-px chart becomes 1,900 px).
pub const SCALE: f32 = 2.5;

/// Sans-serif families to draw the charts' text in, the first installed one taken: CJK fonts
/// first, as the Chinese reports need them.
const SANS_SERIF: [&str; 7] = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    "DejaVu Sans",
];

/// Rendering options: the system's fonts, `sans-serif` set to an installed CJK font if any.
pub fn options() -> usvg::Options<'static> {
    let mut opt = usvg::Options::default();
    let db = opt.fontdb_mut();
    db.load_system_fonts();
    let installed: Vec<String> = db
        .faces()
        .flat_map(|f| f.families.iter().map(|(name, _)| name.clone()))
        .collect();
    if let Some(family) = SANS_SERIF
        .iter()
        .find(|f| installed.iter().any(|i| i == *f))
    {
        db.set_sans_serif_family(*family);
    }
    opt
}

/// The PNG of `svg` at [`SCALE`] on a white background.
pub fn render(svg: &str, opt: &usvg::Options) -> Result<Vec<u8>> {
    let fail = |m: String| Error::Invalid(format!("drawing a chart as PNG: {m}"));
    let tree = usvg::Tree::from_str(svg, opt).map_err(|e| fail(e.to_string()))?;
    let size = tree.size();
    let (w, h) = (
        (size.width() * SCALE).ceil() as u32,
        (size.height() * SCALE).ceil() as u32,
    );
    let mut pixmap =
        tiny_skia::Pixmap::new(w.max(1), h.max(1)).ok_or_else(|| fail(format!("{w}×{h}")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(SCALE, SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| fail(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_becomes_a_png_at_print_scale() {
        let svg = r##"<svg width="40" height="20" viewBox="0 0 40 20" xmlns="http://www.w3.org/2000/svg"><rect x="0" y="0" width="20" height="20" fill="#FF0000"/></svg>"##;
        let png = render(svg, &options()).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        // IHDR: width and height, big-endian, at bytes 16–24.
        let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!((w, h), (100, 50));
    }
}
