//! Between GStreamer's mapped video frames and the core's borrowed frames: the pixel
//! formats the warps handle, chroma siting, and plane-by-plane wrapping with GStreamer's
//! strides (no copies).

use gst_video::prelude::*;
use touchline_core::geometry::ImageSize;
use touchline_core::warp::{ChromaSiting, Frame, FrameMut, PixelFormat};

/// The raw formats the Touchline warps read and write, in the order caps list them.
pub(crate) const FORMATS: [gst_video::VideoFormat; 3] = [
    gst_video::VideoFormat::I420,
    gst_video::VideoFormat::Nv12,
    gst_video::VideoFormat::Rgba,
];

/// The core's name for a GStreamer format, `None` for formats the warps do not handle.
pub(crate) fn pixel_format(format: gst_video::VideoFormat) -> Option<PixelFormat> {
    match format {
        gst_video::VideoFormat::I420 => Some(PixelFormat::I420),
        gst_video::VideoFormat::Nv12 => Some(PixelFormat::Nv12),
        gst_video::VideoFormat::Rgba => Some(PixelFormat::Rgba),
        _ => None,
    }
}

/// Where the chroma samples of a 4:2:0 stream sit. Chroma level with the left luma
/// column (MPEG-2 and most H.264) is `Left`; JPEG's centred chroma, and streams that do
/// not say, are `Centre`, which is what the simulator renders.
pub(crate) fn chroma_siting(site: gst_video::VideoChromaSite) -> ChromaSiting {
    let horizontally_cosited = site.contains(gst_video::VideoChromaSite::H_COSITED);
    let vertically_cosited = site.contains(gst_video::VideoChromaSite::V_COSITED);
    if horizontally_cosited && !vertically_cosited {
        ChromaSiting::Left
    } else {
        ChromaSiting::Centre
    }
}

/// The picture size of a negotiated format.
pub(crate) fn image_size(info: &gst_video::VideoInfo) -> Result<ImageSize, String> {
    ImageSize::new(info.width(), info.height()).map_err(|e| e.to_string())
}

/// A caps field value for a picture side (caps carry sides as `i32`).
pub(crate) fn caps_side(side: u32) -> i32 {
    i32::try_from(side).unwrap_or(i32::MAX)
}

/// The strides of a mapped frame's first `n` planes, in bytes.
fn strides(strides: &[i32], n: usize) -> Result<Vec<usize>, String> {
    strides
        .iter()
        .take(n)
        .map(|&s| usize::try_from(s).map_err(|_| format!("negative row stride {s}")))
        .collect()
}

/// A mapped GStreamer frame as a core frame to read.
pub fn frame<'a>(
    video: &'a gst_video::VideoFrameRef<&gst::BufferRef>,
) -> Result<Frame<'a>, String> {
    let format = pixel_format(video.format())
        .ok_or_else(|| format!("{:?} is not a format the warps handle", video.format()))?;
    let size = image_size(video.info())?;
    let n = format.planes().len();
    let strides = strides(video.plane_stride(), n)?;
    let planes: Vec<(&[u8], usize)> = video
        .planes_data()
        .into_iter()
        .take(n)
        .zip(strides)
        .collect();
    Frame::from_planes(format, size, &planes).map_err(|e| e.to_string())
}

/// A mapped, writable GStreamer frame as a core frame to write into.
pub(crate) fn frame_mut<'a>(
    video: &'a mut gst_video::VideoFrameRef<&mut gst::BufferRef>,
) -> Result<FrameMut<'a>, String> {
    let format = pixel_format(video.format())
        .ok_or_else(|| format!("{:?} is not a format the warps handle", video.format()))?;
    let size = image_size(video.info())?;
    let n = format.planes().len();
    let strides = strides(video.plane_stride(), n)?;
    let planes: Vec<(&mut [u8], usize)> = video
        .planes_data_mut()
        .into_iter()
        .take(n)
        .zip(strides)
        .collect();
    FrameMut::from_planes(format, size, planes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chroma_sites_map_to_the_core_siting() {
        use gst_video::VideoChromaSite as Site;
        assert_eq!(chroma_siting(Site::JPEG), ChromaSiting::Centre);
        assert_eq!(chroma_siting(Site::MPEG2), ChromaSiting::Left);
        assert_eq!(chroma_siting(Site::empty()), ChromaSiting::Centre);
        assert_eq!(chroma_siting(Site::COSITED), ChromaSiting::Centre);
    }

    #[test]
    fn padded_strides_are_kept() {
        gst::init().unwrap();
        // 324 / 2 = 162 is not a multiple of 4: GStreamer pads chroma rows to 164.
        let info = gst_video::VideoInfo::builder(gst_video::VideoFormat::I420, 324, 180)
            .build()
            .unwrap();
        let mut buffer = gst::Buffer::with_size(info.size()).unwrap();
        {
            let mut video = gst_video::VideoFrameRef::from_buffer_ref_writable(
                buffer.get_mut().unwrap(),
                &info,
            )
            .unwrap();
            let out = frame_mut(&mut video).unwrap();
            assert_eq!(out.planes[1].stride, 164);
            assert_eq!(out.planes[1].width, 162);
        }
        let video = gst_video::VideoFrameRef::from_buffer_ref_readable(&buffer, &info).unwrap();
        let input = frame(&video).unwrap();
        assert_eq!(input.format, PixelFormat::I420);
        assert_eq!(input.planes.len(), 3);
    }
}
