//! The demo has no real photos: each domain gets a light landscape in its colour, drawn here as a PNG so that it goes through the same photo pipeline as
//! an upload.

use image::{ImageFormat, Rgb, RgbImage};
use jsap_domain::Taxonomy;
use std::io::Cursor;

const WIDTH: u32 = 640;
const HEIGHT: u32 = 360;

/// `h` in degrees, `s` and `l` in 0..=1.
fn hsl(h: f32, s: f32, l: f32) -> [f32; 3] {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let h = h / 60.0;
    let x = c * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    [(r + m) * 255.0, (g + m) * 255.0, (b + m) * 255.0]
}

fn rgb(c: [f32; 3]) -> Rgb<u8> {
    Rgb(c.map(|v| v.round().clamp(0.0, 255.0) as u8))
}

fn mix(a: [f32; 3], b: [f32; 3], t: f32) -> Rgb<u8> {
    rgb([0, 1, 2].map(|i| a[i] + (b[i] - a[i]) * t))
}

/// The PNG bytes of `domain`'s illustration.
pub(super) fn png(domain: &str) -> anyhow::Result<Vec<u8>> {
    let taxonomy = Taxonomy::builtin();
    let index = taxonomy
        .domains
        .iter()
        .position(|d| d.slug == domain)
        .unwrap_or(0);
    let hue = ((index * 24) % 360) as f32;
    let sun_x = (80 + (index * 29) % 480) as f32;
    let sky = hsl(hue, 0.6, 0.72);
    let horizon = [255.0, 244.0, 221.0];
    let sun = Rgb([255, 209, 102]);
    let near_hill = rgb(hsl(hue, 0.45, 0.48));
    let far_hill = rgb(hsl(hue, 0.5, 0.32));
    let mut img = RgbImage::new(WIDTH, HEIGHT);
    for (x, y, pixel) in img.enumerate_pixels_mut() {
        let (fx, fy) = (x as f32, y as f32);
        let wave = |base: f32, amp: f32, period: f32, shift: f32| {
            base + amp * (fx / period * std::f32::consts::TAU + shift).sin()
        };
        *pixel = if fy > wave(312.0, 14.0, 400.0, 1.0) {
            far_hill
        } else if fy > wave(244.0, 22.0, 320.0, 0.0) {
            near_hill
        } else if (fx - sun_x).powi(2) + (fy - 92.0).powi(2) <= 40.0 * 40.0 {
            sun
        } else {
            mix(sky, horizon, fy / HEIGHT as f32)
        };
    }
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)?;
    Ok(out.into_inner())
}
