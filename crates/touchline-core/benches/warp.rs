//! Criterion benchmarks of the stitcher and the virtual camera on the default rig
//! (two 1920×1080 cameras, a 3840×1130 panorama, a 1920×1080 view, I420).
//! bench/warp_speed.sh runs the same work against OpenCV and ffmpeg.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use touchline_core::geometry::{ImageSize, RigOptions, Sport, ViewAngles};
use touchline_core::warp::{
    ChromaSiting, Frame, FrameMut, Interpolation, PixelFormat, StitchOptions, Stitcher,
    ViewRenderer,
};

fn textured(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

fn warp(c: &mut Criterion) {
    let rig = RigOptions::for_sport(Sport::Football)
        .build()
        .expect("default rig");
    let (camera, pano) = (rig.cameras[0].size, rig.panorama.size);
    let view = ImageSize::new(1920, 1080).expect("view size");
    let mut group = c.benchmark_group("warp");
    group.sample_size(20);

    let source = textured(PixelFormat::I420.packed_len(camera));
    let mut out = vec![0u8; PixelFormat::I420.packed_len(pano)];
    let mut stitcher =
        Stitcher::new(&rig, PixelFormat::I420, StitchOptions::default()).expect("stitcher");
    group.throughput(Throughput::Elements(pano.area() as u64));
    group.bench_function("stitch_2x1080p_to_3840x1130", |b| {
        b.iter(|| {
            let frame = Frame::packed(PixelFormat::I420, camera, &source).expect("frame");
            let mut dst = FrameMut::packed(PixelFormat::I420, pano, &mut out).expect("frame");
            stitcher.stitch(&frame, &frame, &mut dst).expect("stitch");
        })
    });

    let panorama = textured(PixelFormat::I420.packed_len(pano));
    let mut view_out = vec![0u8; PixelFormat::I420.packed_len(view)];
    group.throughput(Throughput::Elements(view.area() as u64));
    for interpolation in [Interpolation::Bilinear, Interpolation::Bicubic] {
        let mut renderer = ViewRenderer::new(
            rig.panorama,
            PixelFormat::I420,
            view,
            interpolation,
            ChromaSiting::Centre,
        )
        .expect("renderer");
        for moving in [false, true] {
            let name = format!(
                "view_1080p_{}_{}",
                format!("{interpolation:?}").to_lowercase(),
                if moving { "moving" } else { "still" }
            );
            let mut i = 0u32;
            group.bench_function(name, |b| {
                b.iter(|| {
                    i += 1;
                    let pan = if moving {
                        (i % 600) as f64 * 0.1 - 30.0
                    } else {
                        12.0
                    };
                    let angles = ViewAngles {
                        pan_deg: pan,
                        tilt_deg: 20.0,
                        fov_deg: 40.0,
                    };
                    let src = Frame::packed(PixelFormat::I420, pano, &panorama).expect("frame");
                    let mut dst =
                        FrameMut::packed(PixelFormat::I420, view, &mut view_out).expect("frame");
                    renderer.render(angles, &src, &mut dst).expect("render");
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, warp);
criterion_main!(benches);
