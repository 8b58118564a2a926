//! Uploaded images. The type is read from the bytes (never the file name or the declared
//! type), the image is decoded in full, resized and encoded again: what is stored is a new
//! file made from the pixels only, so no metadata (GPS position, camera, comments) and no
//! hidden payload of a polyglot file survives. The uploaded bytes are never stored or served.

use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// The largest upload accepted.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// The largest side of a logo, in pixels.
pub const LOGO_SIDE: u32 = 256;

/// The box a mission photo's card variant fits in (search cards, lists).
pub const CARD_BOX: (u32, u32) = (640, 480);

/// The box a mission photo's page variant fits in (the mission page).
pub const PAGE_BOX: (u32, u32) = (1600, 1200);

/// JPEG quality of the photo variants.
const PHOTO_QUALITY: u8 = 82;

/// Why an upload is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("the file is larger than 10 MB")]
    TooLarge,
    #[error("the file is not a JPEG, PNG or WebP image")]
    NotAnImage,
    #[error("the image could not be read: damaged, or too large in pixels")]
    Unreadable,
}

/// An image ready to store.
#[derive(Debug, Clone)]
pub struct Processed {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
}

/// The format of `bytes` by their first bytes, when it is one we take.
pub fn accepted_format(bytes: &[u8]) -> Option<ImageFormat> {
    match image::guess_format(bytes).ok()? {
        f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => Some(f),
        _ => None,
    }
}

/// Decodes `bytes` of an accepted type within bounded dimensions and memory.
fn decode(bytes: &[u8]) -> Result<image::DynamicImage, ImageError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(ImageError::TooLarge);
    }
    let format = accepted_format(bytes).ok_or(ImageError::NotAnImage)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // A small file may claim enormous dimensions (a decompression bomb): bounded.
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    reader.decode().map_err(|_| ImageError::Unreadable)
}

/// The two variants of a mission photo, both JPEG made from the pixels only.
#[derive(Debug, Clone)]
pub struct PhotoVariants {
    pub card: Processed,
    pub page: Processed,
}

/// `image` reduced to fit `(width, height)` (never enlarged), flattened on white and encoded
/// as JPEG.
fn jpeg_variant(
    image: &image::DynamicImage,
    (width, height): (u32, u32),
) -> Result<Processed, ImageError> {
    let fitted = if image.width() > width || image.height() > height {
        image.thumbnail(width, height)
    } else {
        image.clone()
    };
    let rgba = fitted.to_rgba8();
    let mut rgb = image::RgbImage::new(rgba.width(), rgba.height());
    for (out, px) in rgb.pixels_mut().zip(rgba.pixels()) {
        let a = u16::from(px[3]);
        for c in 0..3 {
            // Transparent parts become white, as on the page.
            out[c] = ((u16::from(px[c]) * a + 255 * (255 - a)) / 255) as u8;
        }
    }
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, PHOTO_QUALITY)
        .encode_image(&rgb)
        .map_err(|_| ImageError::Unreadable)?;
    Ok(Processed {
        bytes: out.into_inner(),
        content_type: "image/jpeg",
        width: rgb.width(),
        height: rgb.height(),
    })
}

/// A mission photo: a card variant within `CARD_BOX` and a page variant within `PAGE_BOX`.
/// A photo that already fits the card box is encoded once: both variants are the same.
pub fn photo(bytes: &[u8]) -> Result<PhotoVariants, ImageError> {
    let decoded = decode(bytes)?;
    let card = jpeg_variant(&decoded, CARD_BOX)?;
    let page = if decoded.width() <= CARD_BOX.0 && decoded.height() <= CARD_BOX.1 {
        card.clone()
    } else {
        jpeg_variant(&decoded, PAGE_BOX)?
    };
    Ok(PhotoVariants { card, page })
}

/// A logo: at most `LOGO_SIDE` pixels on its longer side, as PNG (transparency kept).
pub fn logo(bytes: &[u8]) -> Result<Processed, ImageError> {
    let decoded = decode(bytes)?;
    let resized = if decoded.width() > LOGO_SIDE || decoded.height() > LOGO_SIDE {
        decoded.thumbnail(LOGO_SIDE, LOGO_SIDE)
    } else {
        decoded
    };
    let mut out = Cursor::new(Vec::new());
    resized
        .write_to(&mut out, ImageFormat::Png)
        .map_err(|_| ImageError::Unreadable)?;
    Ok(Processed {
        bytes: out.into_inner(),
        content_type: "image/png",
        width: resized.width(),
        height: resized.height(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(width, height, image::Rgba([31, 111, 80, 255]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).expect("png");
        out.into_inner()
    }

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Jpeg).expect("jpeg");
        out.into_inner()
    }

    #[test]
    fn a_photo_that_fits_the_card_is_encoded_once_for_both_variants() {
        let small = photo(&png(640, 360)).expect("small");
        assert_eq!((small.card.width, small.card.height), (640, 360));
        assert_eq!(small.page.bytes, small.card.bytes);
        let large = photo(&png(1280, 720)).expect("large");
        assert_eq!((large.card.width, large.card.height), (640, 360));
        assert_eq!((large.page.width, large.page.height), (1280, 720));
    }

    #[test]
    fn a_large_jpeg_becomes_a_small_png_made_from_its_pixels_only() {
        let mut input = jpeg(1200, 600);
        // A comment segment after the start of image: metadata that must not survive.
        let marker = b"GPS 4.05N 9.70E secret";
        let mut com = vec![0xFF, 0xFE, 0x00, (marker.len() + 2) as u8];
        com.extend_from_slice(marker);
        input.splice(2..2, com);
        let out = logo(&input).expect("logo");
        assert_eq!((out.width, out.height), (256, 128));
        assert_eq!(out.content_type, "image/png");
        assert_eq!(accepted_format(&out.bytes), Some(ImageFormat::Png));
        assert!(
            !out.bytes.windows(marker.len()).any(|w| w == marker),
            "no metadata kept"
        );
        // A small logo keeps its size.
        let small = logo(&png(100, 80)).expect("logo");
        assert_eq!((small.width, small.height), (100, 80));
    }

    #[test]
    fn a_photo_gives_a_card_and_a_page_jpeg_without_its_metadata() {
        let mut input = jpeg(3000, 2000);
        let marker = b"GPS 4.05N 9.70E secret";
        let mut com = vec![0xFF, 0xFE, 0x00, (marker.len() + 2) as u8];
        com.extend_from_slice(marker);
        input.splice(2..2, com);
        let v = photo(&input).expect("photo");
        assert_eq!((v.card.width, v.card.height), (640, 427));
        assert_eq!((v.page.width, v.page.height), (1600, 1067));
        for variant in [&v.card, &v.page] {
            assert_eq!(variant.content_type, "image/jpeg");
            assert_eq!(accepted_format(&variant.bytes), Some(ImageFormat::Jpeg));
            assert!(!variant.bytes.windows(marker.len()).any(|w| w == marker));
        }
        // A small transparent PNG is not enlarged, and its transparency becomes white.
        let clear = image::RgbaImage::from_pixel(40, 30, image::Rgba([0, 0, 0, 0]));
        let mut png_bytes = Cursor::new(Vec::new());
        clear
            .write_to(&mut png_bytes, ImageFormat::Png)
            .expect("png");
        let v = photo(&png_bytes.into_inner()).expect("photo");
        assert_eq!((v.page.width, v.page.height), (40, 30));
        let back = image::load_from_memory(&v.card.bytes)
            .expect("jpeg")
            .to_rgb8();
        assert!(back.get_pixel(5, 5)[0] > 240, "white, not black");
        assert_eq!(
            photo(b"<svg onload=alert(1)>").err(),
            Some(ImageError::NotAnImage)
        );
    }

    #[test]
    fn scripts_other_formats_damaged_and_oversized_files_are_refused() {
        assert_eq!(
            logo(b"<script>alert(1)</script>").err(),
            Some(ImageError::NotAnImage)
        );
        assert_eq!(
            logo(b"GIF89a\x01\x00\x01\x00").err(),
            Some(ImageError::NotAnImage),
            "GIF is not taken"
        );
        // A PNG signature followed by HTML: claims to be an image, is not one.
        let mut fake = b"\x89PNG\r\n\x1a\n".to_vec();
        fake.extend_from_slice(b"<html><script>alert(1)</script></html>");
        assert_eq!(logo(&fake).err(), Some(ImageError::Unreadable));
        let mut huge = png(10, 10);
        huge.resize(MAX_UPLOAD_BYTES + 1, 0);
        assert_eq!(logo(&huge).err(), Some(ImageError::TooLarge));
    }
}
