//! Times the stitcher and the virtual camera on the default rig, for bench/warp_speed.sh,
//! and writes the view's exact sampling maps so that other libraries can be timed on
//! the very same warp.
//!
//!   cargo run --release -p touchline-core --example warp_speed -- [MAPS_DIR] [SECONDS] [ONLY]
//!
//! Prints one `name fps` line per measurement (only those whose name starts with ONLY,
//! when given; an empty MAPS_DIR writes no maps). Threads: rayon's (RAYON_NUM_THREADS).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use touchline_core::geometry::{ImageSize, RigOptions, Sport, ViewAngles, VirtualCamera};
use touchline_core::warp::{
    ChromaSiting, Frame, FrameMut, Interpolation, PixelFormat, StitchOptions, Stitcher,
    ViewRenderer,
};

/// A deterministic textured frame (the speed does not depend on the content).
fn textured(size: ImageSize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..PixelFormat::I420.packed_len(size))
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 56) as u8
        })
        .collect()
}

/// Calls `f` with the iteration number until `budget` has passed; frames per second.
fn rate(budget: Duration, mut f: impl FnMut(u64)) -> f64 {
    f(0); // warm-up: builds caches and touches memory
    let start = Instant::now();
    let mut n = 0;
    while start.elapsed() < budget {
        n += 1;
        f(n);
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// The moving view of iteration `i`: a slow pan with a breathing zoom.
fn moving(i: u64) -> ViewAngles {
    let t = i as f64 * 0.04;
    ViewAngles {
        pan_deg: -30.0 + 2.0 * t % 60.0,
        tilt_deg: 20.0,
        fov_deg: 40.0 + 5.0 * t.sin(),
    }
}

const STILL: ViewAngles = ViewAngles {
    pan_deg: 12.0,
    tilt_deg: 20.0,
    fov_deg: 40.0,
};

fn write_f32(path: &Path, values: &[f32]) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    for v in values {
        file.write_all(&v.to_le_bytes())?;
    }
    file.flush()
}

/// The still view's exact source position of every output sample of each plane, as
/// little-endian f32 `x` and `y` files.
fn dump_maps(
    dir: &Path,
    rig_panorama: &touchline_core::geometry::Panorama,
    view: ImageSize,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let camera = VirtualCamera::new(STILL, view).expect("a valid view");
    for (name, sub) in [("luma", 1u32), ("chroma", 2)] {
        let (w, h) = (view.width / sub, view.height / sub);
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for y in 0..h {
            for x in 0..w {
                let (lx, ly) = if sub == 1 {
                    (x as f64, y as f64)
                } else {
                    (2.0 * x as f64 + 0.5, 2.0 * y as f64 + 0.5)
                };
                let p = rig_panorama
                    .project_direction(&camera.ray(lx, ly))
                    .expect("the view looks at the panorama");
                let (sx, sy) = if sub == 1 {
                    (p.x, p.y)
                } else {
                    ((p.x - 0.5) / 2.0, (p.y - 0.5) / 2.0)
                };
                xs.push(sx as f32);
                ys.push(sy as f32);
            }
        }
        write_f32(&dir.join(format!("{name}_x.f32")), &xs)?;
        write_f32(&dir.join(format!("{name}_y.f32")), &ys)?;
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let maps = args.first().filter(|s| !s.is_empty()).map(PathBuf::from);
    let only = args.get(2).cloned().unwrap_or_default();
    let wanted = |name: &str| name.starts_with(&only);
    let seconds: f64 = args.get(1).map_or(Ok(3.0), |s| s.parse())?;
    let budget = Duration::from_secs_f64(seconds);

    let rig = RigOptions::for_sport(Sport::Football).build()?;
    let pano = rig.panorama;
    let camera = rig.cameras[0].size;
    let view = ImageSize::new(1920, 1080)?;
    println!(
        "# panorama {}x{}, cameras {}x{}, view {}x{}, I420, {} threads",
        pano.size.width,
        pano.size.height,
        camera.width,
        camera.height,
        view.width,
        view.height,
        rayon::current_num_threads()
    );
    if let Some(dir) = &maps {
        dump_maps(dir, &pano, view)?;
    }

    let (left, right) = (textured(camera), textured(camera));
    let mut out = vec![0u8; PixelFormat::I420.packed_len(pano.size)];
    let mut stitcher = Stitcher::new(&rig, PixelFormat::I420, StitchOptions::default())?;
    if wanted("stitch") {
        let fps = rate(budget, |_| {
            let l = Frame::packed(PixelFormat::I420, camera, &left).expect("packed");
            let r = Frame::packed(PixelFormat::I420, camera, &right).expect("packed");
            let mut o = FrameMut::packed(PixelFormat::I420, pano.size, &mut out).expect("packed");
            stitcher.stitch(&l, &r, &mut o).expect("stitch");
        });
        println!("stitch {fps:.1}");
    }

    let panorama = textured(pano.size);
    let mut view_out = vec![0u8; PixelFormat::I420.packed_len(view)];
    for interpolation in [Interpolation::Bilinear, Interpolation::Bicubic] {
        let mut renderer = ViewRenderer::new(
            pano,
            PixelFormat::I420,
            view,
            interpolation,
            ChromaSiting::Centre,
        )?;
        let name = format!("{interpolation:?}").to_lowercase();
        for (motion, angles) in [
            ("still", (|_| STILL) as fn(u64) -> ViewAngles),
            ("moving", moving),
        ] {
            let label = format!("view_{name}_{motion}");
            if !wanted(&label) {
                continue;
            }
            let fps = rate(budget, |i| {
                let src = Frame::packed(PixelFormat::I420, pano.size, &panorama).expect("packed");
                let mut dst =
                    FrameMut::packed(PixelFormat::I420, view, &mut view_out).expect("packed");
                renderer.render(angles(i), &src, &mut dst).expect("render");
            });
            println!("{label} {fps:.1}");
        }
    }
    Ok(())
}
