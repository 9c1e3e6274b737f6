//! Institution logos: 152×152 PNGs (Plaid's size), drawn from each bank's colour and the fabric
//! its name comes from, encoded once and served as base64 like Plaid's `logo` field.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::collections::HashMap;
use std::sync::OnceLock;

const SIZE: u32 = 152;

/// The base64 PNG logo of an institution.
pub fn logo(institution_id: &str, name: &str, color: &str) -> Option<String> {
    static CACHE: OnceLock<std::sync::Mutex<HashMap<String, String>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(logo) = cache.get(institution_id) {
        return Some(logo.clone());
    }
    let png = draw(name, parse_color(color)?)?;
    let encoded = STANDARD.encode(png);
    cache.insert(institution_id.to_owned(), encoded.clone());
    Some(encoded)
}

fn parse_color(hex: &str) -> Option<[u8; 3]> {
    let hex = hex.strip_prefix('#')?;
    let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

/// Mixes `base` towards white by `percent`.
fn lighten(base: [u8; 3], percent: u16) -> [u8; 3] {
    base.map(|c| {
        let c = u16::from(c);
        u8::try_from(c + (255 - c) * percent / 100).unwrap_or(u8::MAX)
    })
}

fn draw(name: &str, base: [u8; 3]) -> Option<Vec<u8>> {
    let light = lighten(base, 35);
    let lighter = lighten(base, 70);
    let pattern = name.to_lowercase();
    let mut pixels = Vec::with_capacity(usize::try_from(SIZE * SIZE * 4).ok()?);
    for y in 0..SIZE {
        for x in 0..SIZE {
            let color = if pattern.contains("tartan") {
                match (x % 38 < 8, y % 38 < 8) {
                    (true, true) => lighter,
                    (true, false) | (false, true) => light,
                    _ => base,
                }
            } else if pattern.contains("houndstooth") {
                let (cx, cy) = (x % 19, y % 19);
                if ((x / 19) + (y / 19)) % 2 == 0 && cx + cy < 19 {
                    lighter
                } else {
                    base
                }
            } else if pattern.contains("gingham") {
                match ((x / 19) % 2 == 0, (y / 19) % 2 == 0) {
                    (true, true) => lighter,
                    (true, false) | (false, true) => light,
                    _ => base,
                }
            } else if pattern.contains("tattersall") {
                if x % 25 < 3 || y % 25 < 3 {
                    lighter
                } else {
                    base
                }
            } else {
                // A coin: a light ring on the bank's colour.
                let (dx, dy) = (i64::from(x) - 76, i64::from(y) - 76);
                let distance = dx * dx + dy * dy;
                if (1600..=2500).contains(&distance) {
                    lighter
                } else {
                    base
                }
            };
            pixels.extend_from_slice(&[color[0], color[1], color[2], 255]);
        }
    }
    encode_png(SIZE, &pixels)
}

/// A square RGBA image (`size`×`size`, row by row, 4 bytes a pixel) as PNG bytes.
pub(super) fn encode_png(size: u32, rgba: &[u8]) -> Option<Vec<u8>> {
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, size, size);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(rgba).ok()?;
    writer.finish().ok()?;
    Some(png)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logos_are_152_pixel_pngs() {
        let encoded = logo("ins_109511", "Tartan Bank", "#9b2335").unwrap();
        let bytes = STANDARD.decode(encoded).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let reader = decoder.read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (152, 152));
        assert!(logo("x", "Nothing", "not a colour").is_none());
    }
}
