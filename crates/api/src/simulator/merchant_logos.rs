//! Merchant logos: 96×96 PNGs of the merchant's initial on a rounded tile, its colour picked from
//! the logo's slug, so the same merchant always looks the same. Served at
//! `/sim/plaid/merchant-logos/<slug>.png` in place of Plaid's logo host, which is not reachable
//! offline.

use super::activity;
use super::logos::encode_png;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

const SIZE: u32 = 96;
/// Corner radius of the tile; outside it the image is transparent.
const RADIUS: u32 = 18;
/// Each pixel of the 5×7 glyph becomes a square this wide.
const SCALE: u32 = 8;
const WHITE: [u8; 4] = [255, 255, 255, 255];

/// Tile colours, all dark enough for a white letter.
const PALETTE: [[u8; 3]; 10] = [
    [0x0f, 0x76, 0x6e],
    [0x1d, 0x4e, 0xd8],
    [0x7c, 0x3a, 0xed],
    [0xbe, 0x18, 0x5d],
    [0xb9, 0x1c, 0x1c],
    [0xc2, 0x41, 0x0c],
    [0x85, 0x4d, 0x0e],
    [0x15, 0x80, 0x3d],
    [0x03, 0x69, 0xa1],
    [0x43, 0x38, 0xca],
];

/// The logo of the merchant with this slug, or `None` for a slug no simulated merchant has.
pub fn png(slug: &str) -> Option<Vec<u8>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Vec<u8>>>> = OnceLock::new();
    let name = activity::merchant_of_logo(slug)?;
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(png) = cache.get(slug) {
        return Some(png.clone());
    }
    let png = draw(name, color_of(slug))?;
    cache.insert(slug.to_owned(), png.clone());
    Some(png)
}

/// FNV-1a of the slug picks the colour.
fn color_of(slug: &str) -> [u8; 3] {
    let hash = slug.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    let index = usize::try_from(hash % 10).unwrap_or(0);
    PALETTE[index]
}

fn draw(name: &str, tile: [u8; 3]) -> Option<Vec<u8>> {
    let glyph = name
        .chars()
        .find(char::is_ascii_alphabetic)
        .and_then(|initial| glyph(initial.to_ascii_uppercase()));
    let glyph_left = (SIZE - 5 * SCALE) / 2;
    let glyph_top = (SIZE - 7 * SCALE) / 2;
    let mut pixels = Vec::with_capacity(usize::try_from(SIZE * SIZE * 4).ok()?);
    for y in 0..SIZE {
        for x in 0..SIZE {
            let pixel = if !inside_tile(x, y) {
                [0, 0, 0, 0]
            } else if glyph.is_some_and(|rows| {
                let (gx, gy) = (x.wrapping_sub(glyph_left), y.wrapping_sub(glyph_top));
                gx < 5 * SCALE && gy < 7 * SCALE && {
                    let row = rows[usize::try_from(gy / SCALE).unwrap_or(0)];
                    row & (0b10000 >> (gx / SCALE)) != 0
                }
            }) {
                WHITE
            } else {
                [tile[0], tile[1], tile[2], 255]
            };
            pixels.extend_from_slice(&pixel);
        }
    }
    encode_png(SIZE, &pixels)
}

/// Within the square with rounded corners.
fn inside_tile(x: u32, y: u32) -> bool {
    let nearest_x = x.clamp(RADIUS, SIZE - 1 - RADIUS);
    let nearest_y = y.clamp(RADIUS, SIZE - 1 - RADIUS);
    let (dx, dy) = (x.abs_diff(nearest_x), y.abs_diff(nearest_y));
    dx * dx + dy * dy <= RADIUS * RADIUS
}

/// A 5×7 capital letter, one row a byte, the leftmost pixel in bit 4.
fn glyph(letter: char) -> Option<[u8; 7]> {
    let rows = match letter {
        'A' => [0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11],
        'B' => [0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e],
        'C' => [0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e],
        'D' => [0x1e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1e],
        'E' => [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f],
        'F' => [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10],
        'G' => [0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f],
        'H' => [0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11],
        'I' => [0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e],
        'J' => [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c],
        'K' => [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
        'L' => [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f],
        'M' => [0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11],
        'N' => [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        'O' => [0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e],
        'P' => [0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10],
        'Q' => [0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d],
        'R' => [0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11],
        'S' => [0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e],
        'T' => [0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'U' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e],
        'V' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04],
        'W' => [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a],
        'X' => [0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11],
        'Y' => [0x11, 0x11, 0x0a, 0x04, 0x04, 0x04, 0x04],
        'Z' => [0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f],
        _ => return None,
    };
    Some(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pixel(png: &[u8], x: u32, y: u32) -> [u8; 4] {
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (SIZE, SIZE));
        let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut buffer).unwrap();
        let at = usize::try_from((y * SIZE + x) * 4).unwrap();
        buffer[at..at + 4].try_into().unwrap()
    }

    #[test]
    fn a_known_slug_is_a_tile_with_its_initial() {
        let logo = png("starbucks_956").unwrap();
        assert_eq!(&logo[1..4], b"PNG");
        assert_eq!(pixel(&logo, 0, 0)[3], 0, "the corners are transparent");
        let tile = color_of("starbucks_956");
        assert_eq!(pixel(&logo, 48, 4), [tile[0], tile[1], tile[2], 255]);
        // S's top row starts one glyph pixel in from the left.
        let (left, top) = ((SIZE - 5 * SCALE) / 2, (SIZE - 7 * SCALE) / 2);
        assert_eq!(pixel(&logo, left + SCALE + 1, top + 1), WHITE);
        assert_ne!(pixel(&logo, left + 1, top + 1), WHITE);
    }

    #[test]
    fn unknown_slugs_have_no_logo() {
        assert!(png("not_a_merchant").is_none());
        assert!(png("../../etc/passwd").is_none());
    }
}
