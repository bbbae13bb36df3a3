//! Borrowed views of video frames in the pixel formats the warps handle, with the row
//! strides a GStreamer buffer may have.

use crate::error::{Error, Result};
use crate::geometry::ImageSize;

/// The pixel formats the warps read and write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelFormat {
    /// Planar 4:2:0: Y, then Cb, then Cr, BT.709 limited range.
    I420,
    /// Semi-planar 4:2:0: Y, then interleaved Cb Cr.
    Nv12,
    /// Packed 8-bit red, green, blue, alpha, full range.
    Rgba,
}

/// What a channel's values mean, which decides how exposure and colour corrections
/// apply to it and what "no picture" looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelKind {
    /// Limited-range luma: light scales `Y − 16`.
    Luma,
    /// Colour difference: centred on 128.
    Chroma,
    /// Full-range red, green or blue: light scales the value.
    Colour,
    /// Opacity: copied through, never corrected.
    Alpha,
}

impl ChannelKind {
    /// The value that corrections scale around (black for light, grey for chroma).
    pub fn base(self) -> i32 {
        match self {
            ChannelKind::Luma => 16,
            ChannelKind::Chroma => 128,
            ChannelKind::Colour | ChannelKind::Alpha => 0,
        }
    }

    /// The value of a pixel no camera sees: black, opaque.
    pub fn empty(self) -> u8 {
        match self {
            ChannelKind::Luma => 16,
            ChannelKind::Chroma => 128,
            ChannelKind::Colour => 0,
            ChannelKind::Alpha => 255,
        }
    }
}

/// One plane of a format: how much it is subsampled and what its channels are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaneLayout {
    /// 1 for full resolution, 2 for 4:2:0 chroma (both directions).
    pub subsampling: u32,
    /// The channels of one sample, in memory order.
    pub channels: &'static [ChannelKind],
}

impl PlaneLayout {
    /// The plane's size for a picture of `size`.
    pub fn size(&self, size: ImageSize) -> (u32, u32) {
        (
            size.width / self.subsampling,
            size.height / self.subsampling,
        )
    }
}

const LUMA: PlaneLayout = PlaneLayout {
    subsampling: 1,
    channels: &[ChannelKind::Luma],
};
const CHROMA: PlaneLayout = PlaneLayout {
    subsampling: 2,
    channels: &[ChannelKind::Chroma],
};
const CHROMA_PAIR: PlaneLayout = PlaneLayout {
    subsampling: 2,
    channels: &[ChannelKind::Chroma, ChannelKind::Chroma],
};
const RGBA: PlaneLayout = PlaneLayout {
    subsampling: 1,
    channels: &[
        ChannelKind::Colour,
        ChannelKind::Colour,
        ChannelKind::Colour,
        ChannelKind::Alpha,
    ],
};

impl PixelFormat {
    /// The planes, in memory order.
    pub fn planes(self) -> &'static [PlaneLayout] {
        match self {
            PixelFormat::I420 => &[LUMA, CHROMA, CHROMA],
            PixelFormat::Nv12 => &[LUMA, CHROMA_PAIR],
            PixelFormat::Rgba => &[RGBA],
        }
    }

    /// Bytes of a tightly packed frame of `size`.
    pub fn packed_len(self, size: ImageSize) -> usize {
        self.planes()
            .iter()
            .map(|p| {
                let (w, h) = p.size(size);
                w as usize * h as usize * p.channels.len()
            })
            .sum()
    }
}

/// Where 4:2:0 chroma samples sit relative to the luma grid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ChromaSiting {
    /// Centred in each 2×2 block of luma (JPEG/MPEG-1), as the simulator renders.
    #[default]
    Centre,
    /// Level with the left luma column, centred vertically (MPEG-2, most H.264).
    Left,
}

impl ChromaSiting {
    /// Luma-grid position of chroma sample (0, 0).
    pub fn offset(self) -> (f64, f64) {
        match self {
            ChromaSiting::Centre => (0.5, 0.5),
            ChromaSiting::Left => (0.0, 0.5),
        }
    }
}

/// A plane's position in luma coordinates for sample (x, y) of a plane with `layout`.
pub(crate) fn plane_to_luma(
    layout: &PlaneLayout,
    siting: ChromaSiting,
    x: f64,
    y: f64,
) -> (f64, f64) {
    if layout.subsampling == 1 {
        return (x, y);
    }
    let (ox, oy) = siting.offset();
    let s = layout.subsampling as f64;
    (s * x + ox, s * y + oy)
}

/// The inverse of [`plane_to_luma`].
pub(crate) fn luma_to_plane(
    layout: &PlaneLayout,
    siting: ChromaSiting,
    x: f64,
    y: f64,
) -> (f64, f64) {
    if layout.subsampling == 1 {
        return (x, y);
    }
    let (ox, oy) = siting.offset();
    let s = layout.subsampling as f64;
    ((x - ox) / s, (y - oy) / s)
}

/// One plane of a frame being read.
#[derive(Clone, Copy, Debug)]
pub struct Plane<'a> {
    /// The bytes, row after row `stride` apart.
    pub data: &'a [u8],
    /// Samples per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// Bytes from one row to the next.
    pub stride: usize,
}

/// One plane of a frame being written.
#[derive(Debug)]
pub struct PlaneMut<'a> {
    /// The bytes, row after row `stride` apart.
    pub data: &'a mut [u8],
    /// Samples per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// Bytes from one row to the next.
    pub stride: usize,
}

/// Where one plane lies in a buffer.
struct Span {
    start: usize,
    bytes: usize,
    width: u32,
    height: u32,
    stride: usize,
}

/// Splits tightly packed `data` (`len` bytes) into the planes of `format`, checking
/// its length.
fn plane_spans(format: PixelFormat, size: ImageSize, len: usize) -> Result<Vec<Span>> {
    let layouts = format.planes();
    let mut spans = Vec::with_capacity(layouts.len());
    let mut start = 0;
    for layout in layouts {
        let (w, h) = layout.size(size);
        // Packed: each row right after the one before.
        let stride = w as usize * layout.channels.len();
        let bytes = stride * h as usize;
        spans.push(Span {
            start,
            bytes,
            width: w,
            height: h,
            stride,
        });
        start += bytes;
    }
    let needed = spans.last().map_or(0, |s| s.start + s.bytes);
    if len < needed {
        return Err(Error::invalid(
            "frame",
            format!(
                "{len} bytes is too short for a {}×{} {format:?} frame ({needed} needed)",
                size.width, size.height
            ),
        ));
    }
    Ok(spans)
}

/// A frame being read: its format, size and planes.
#[derive(Clone, Debug)]
pub struct Frame<'a> {
    /// Pixel format.
    pub format: PixelFormat,
    /// Picture size.
    pub size: ImageSize,
    /// The planes, in [`PixelFormat::planes`] order.
    pub planes: Vec<Plane<'a>>,
}

impl<'a> Frame<'a> {
    /// A tightly packed frame (planes one after the other, no row padding).
    pub fn packed(format: PixelFormat, size: ImageSize, data: &'a [u8]) -> Result<Self> {
        let spans = plane_spans(format, size, data.len())?;
        Ok(Frame {
            format,
            size,
            planes: spans
                .into_iter()
                .map(
                    |Span {
                         start,
                         bytes,
                         width,
                         height,
                         stride,
                     }| Plane {
                        data: &data[start..start + bytes],
                        width,
                        height,
                        stride,
                    },
                )
                .collect(),
        })
    }

    /// A frame from separately stored planes with their strides (a mapped GStreamer
    /// video frame), checking every plane is long enough.
    pub fn from_planes(
        format: PixelFormat,
        size: ImageSize,
        planes: &[(&'a [u8], usize)],
    ) -> Result<Self> {
        let layouts = plane_layouts(format, planes.len())?;
        let planes = planes
            .iter()
            .zip(layouts)
            .enumerate()
            .map(|(i, (&(data, stride), layout))| {
                let (width, height) = layout.size(size);
                check_plane(i, data.len(), width, height, stride, layout)?;
                Ok(Plane {
                    data,
                    width,
                    height,
                    stride,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Frame {
            format,
            size,
            planes,
        })
    }
}

/// The planes of `format`, refusing a frame given with another number of planes.
fn plane_layouts(format: PixelFormat, given: usize) -> Result<&'static [PlaneLayout]> {
    let layouts = format.planes();
    if given != layouts.len() {
        return Err(Error::invalid(
            "frame",
            format!("{format:?} has {} planes, got {given}", layouts.len()),
        ));
    }
    Ok(layouts)
}

fn check_plane(
    index: usize,
    len: usize,
    width: u32,
    height: u32,
    stride: usize,
    layout: &PlaneLayout,
) -> Result<()> {
    let row = width as usize * layout.channels.len();
    if stride < row || len < stride * (height as usize - 1) + row {
        return Err(Error::invalid(
            "frame",
            format!(
                "plane {index} holds {len} bytes at stride {stride}, too few for {width}×{height}"
            ),
        ));
    }
    Ok(())
}

/// A frame being written.
#[derive(Debug)]
pub struct FrameMut<'a> {
    /// Pixel format.
    pub format: PixelFormat,
    /// Picture size.
    pub size: ImageSize,
    /// The planes, in [`PixelFormat::planes`] order.
    pub planes: Vec<PlaneMut<'a>>,
}

impl<'a> FrameMut<'a> {
    /// A tightly packed frame to write into.
    pub fn packed(format: PixelFormat, size: ImageSize, data: &'a mut [u8]) -> Result<Self> {
        let spans = plane_spans(format, size, data.len())?;
        let mut planes = Vec::with_capacity(spans.len());
        let mut rest = data;
        let mut consumed = 0;
        for Span {
            start,
            bytes,
            width,
            height,
            stride,
        } in spans
        {
            let (_, tail) = rest.split_at_mut(start - consumed);
            let (plane, tail) = tail.split_at_mut(bytes);
            planes.push(PlaneMut {
                data: plane,
                width,
                height,
                stride,
            });
            rest = tail;
            consumed = start + bytes;
        }
        Ok(FrameMut {
            format,
            size,
            planes,
        })
    }

    /// A frame from separately stored planes with their strides.
    pub fn from_planes(
        format: PixelFormat,
        size: ImageSize,
        planes: Vec<(&'a mut [u8], usize)>,
    ) -> Result<Self> {
        let layouts = plane_layouts(format, planes.len())?;
        let planes = planes
            .into_iter()
            .zip(layouts)
            .enumerate()
            .map(|(i, ((data, stride), layout))| {
                let (width, height) = layout.size(size);
                check_plane(i, data.len(), width, height, stride, layout)?;
                Ok(PlaneMut {
                    data,
                    width,
                    height,
                    stride,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(FrameMut {
            format,
            size,
            planes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_i420_splits_into_three_planes() {
        let size = ImageSize::new(8, 4).unwrap();
        let data = vec![0u8; PixelFormat::I420.packed_len(size)];
        assert_eq!(data.len(), 48);
        let frame = Frame::packed(PixelFormat::I420, size, &data).unwrap();
        let dims: Vec<_> = frame
            .planes
            .iter()
            .map(|p| (p.width, p.height, p.data.len()))
            .collect();
        assert_eq!(dims, vec![(8, 4, 32), (4, 2, 8), (4, 2, 8)]);
    }

    #[test]
    fn short_buffers_are_refused() {
        let size = ImageSize::new(8, 4).unwrap();
        let mut data = vec![0u8; 47];
        assert!(Frame::packed(PixelFormat::I420, size, &data).is_err());
        assert!(FrameMut::packed(PixelFormat::Nv12, size, &mut data).is_err());
        assert!(Frame::from_planes(PixelFormat::Rgba, size, &[(&data[..], 30)]).is_err());
    }

    #[test]
    fn chroma_siting_round_trips() {
        let layout = PixelFormat::I420.planes()[1];
        for siting in [ChromaSiting::Centre, ChromaSiting::Left] {
            let (x, y) = plane_to_luma(&layout, siting, 3.0, 5.0);
            assert_eq!(luma_to_plane(&layout, siting, x, y), (3.0, 5.0));
        }
    }
}
