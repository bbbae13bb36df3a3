//! Planar 4:2:0 frames (I420), the pixel format the pipeline renders and encodes.

use crate::error::{Error, Result};
use crate::geometry::ImageSize;

/// An 8-bit I420 frame: full-resolution luma, then quarter-resolution Cb and Cr, each
/// plane tightly packed (stride = width). Chroma samples sit between each 2×2 block of
/// luma samples (MPEG-1/JPEG siting), BT.709 limited range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct I420Frame {
    size: ImageSize,
    data: Vec<u8>,
}

impl I420Frame {
    /// A frame of one colour.
    pub fn filled(size: ImageSize, yuv: [u8; 3]) -> Self {
        let luma = size.area();
        let mut data = vec![yuv[0]; luma + luma / 2];
        data[luma..luma + luma / 4].fill(yuv[1]);
        data[luma + luma / 4..].fill(yuv[2]);
        I420Frame { size, data }
    }

    /// Wraps packed I420 bytes, refusing a buffer of the wrong length.
    pub fn from_bytes(size: ImageSize, data: Vec<u8>) -> Result<Self> {
        let expected = size.area() * 3 / 2;
        if data.len() != expected {
            return Err(Error::invalid(
                "I420 frame",
                format!(
                    "{} bytes for {}×{}, expected {expected}",
                    data.len(),
                    size.width,
                    size.height
                ),
            ));
        }
        Ok(I420Frame { size, data })
    }

    /// The frame's size.
    pub fn size(&self) -> ImageSize {
        self.size
    }

    /// All three planes, packed.
    pub fn as_bytes(&self) -> &[u8] {
        &self.data
    }

    /// Gives the packed bytes away (to a video buffer, without a copy).
    pub fn into_bytes(self) -> Vec<u8> {
        self.data
    }

    /// The three planes, mutable.
    pub fn planes_mut(&mut self) -> (&mut [u8], &mut [u8], &mut [u8]) {
        let luma = self.size.area();
        let (y, chroma) = self.data.split_at_mut(luma);
        let (u, v) = chroma.split_at_mut(luma / 4);
        (y, u, v)
    }

    /// The three planes.
    pub fn planes(&self) -> (&[u8], &[u8], &[u8]) {
        let luma = self.size.area();
        let (y, chroma) = self.data.split_at(luma);
        let (u, v) = chroma.split_at(luma / 4);
        (y, u, v)
    }

    /// The Y′CbCr of a pixel (chroma of its 2×2 block).
    pub fn yuv(&self, x: u32, y: u32) -> [u8; 3] {
        let (luma, u, v) = self.planes();
        let w = self.size.width as usize;
        let (x, y) = (x as usize, y as usize);
        let c = (y / 2) * (w / 2) + x / 2;
        [luma[y * w + x], u[c], v[c]]
    }

    /// The frame as packed 8-bit RGB (BT.709 limited range, nearest chroma), for
    /// previews and tests.
    pub fn to_rgb(&self) -> Vec<u8> {
        let (w, h) = (self.size.width, self.size.height);
        let mut rgb = Vec::with_capacity(self.size.area() * 3);
        for y in 0..h {
            for x in 0..w {
                rgb.extend_from_slice(&yuv_to_rgb(self.yuv(x, y)));
            }
        }
        rgb
    }
}

/// BT.709 limited-range Y′CbCr of gamma-encoded RGB in [0, 1].
pub fn rgb_to_yuv(rgb: [f32; 3]) -> [f32; 3] {
    let [r, g, b] = rgb;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let cb = (b - y) / 1.8556;
    let cr = (r - y) / 1.5748;
    [16.0 + 219.0 * y, 128.0 + 224.0 * cb, 128.0 + 224.0 * cr]
}

/// Gamma-encoded 8-bit RGB of BT.709 limited-range Y′CbCr.
pub fn yuv_to_rgb(yuv: [u8; 3]) -> [u8; 3] {
    let y = (yuv[0] as f32 - 16.0) / 219.0;
    let cb = (yuv[1] as f32 - 128.0) / 224.0;
    let cr = (yuv[2] as f32 - 128.0) / 224.0;
    let r = y + 1.5748 * cr;
    let b = y + 1.8556 * cb;
    let g = (y - 0.2126 * r - 0.0722 * b) / 0.7152;
    [r, g, b].map(|c| (c * 255.0).round().clamp(0.0, 255.0) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_survive_the_round_trip_through_yuv() {
        for rgb in [
            [0.9f32, 0.1, 0.1],
            [0.2, 0.6, 0.25],
            [1.0, 1.0, 1.0],
            [0.0, 0.0, 0.0],
        ] {
            let yuv = rgb_to_yuv(rgb).map(|c| c.round() as u8);
            let back = yuv_to_rgb(yuv);
            for c in 0..3 {
                assert!(
                    (back[c] as f32 - rgb[c] * 255.0).abs() <= 3.0,
                    "{rgb:?} → {back:?}"
                );
            }
        }
    }

    #[test]
    fn wrong_buffer_length_is_refused() {
        let size = ImageSize::new(4, 2).unwrap();
        assert!(I420Frame::from_bytes(size, vec![0; 11]).is_err());
        assert!(I420Frame::from_bytes(size, vec![0; 12]).is_ok());
    }
}
