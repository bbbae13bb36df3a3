//! `touchline stitch` and `touchline render` as a user runs them, on a short, small
//! simulated match: what they write, and one clear line for every bad input.

use crate::common::{succeeds, text, touchline};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tempfile::TempDir;
use touchline::media::{decode, VideoWriter};
use touchline_core::geometry::{ImageSize, Rig};
use touchline_core::image::I420Frame;

/// Frames of the simulated footage: 2 s at 25 fps.
const FRAMES: u64 = 50;

/// A 2 s, 640×360 simulation (left.mp4, right.mp4, rig.toml) and its panorama.mp4 as
/// `touchline stitch` made it, shared by the tests of this file.
fn footage() -> &'static Path {
    static FOOTAGE: OnceLock<TempDir> = OnceLock::new();
    FOOTAGE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            succeeds(&[
                "sim",
                "--seconds",
                "2",
                "--width",
                "640",
                "--height",
                "360",
                "-o",
                text(dir.path()),
            ]);
            let d = dir.path();
            succeeds(&[
                "stitch",
                text(&d.join("left.mp4")),
                text(&d.join("right.mp4")),
                "--rig",
                text(&d.join("rig.toml")),
                "-o",
                text(&d.join("panorama.mp4")),
            ]);
            dir
        })
        .path()
}

fn rig() -> Rig {
    Rig::load(&footage().join("rig.toml")).unwrap()
}

/// Files in `dir` whose names end in `.partial`.
fn partial_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".partial"))
        .collect()
}

#[test]
fn stitch_writes_the_rigs_panorama_with_every_frame() {
    let dir = footage();
    let (info, _) = decode(&dir.join("panorama.mp4"), &[]).unwrap();
    let size = rig().panorama.size;
    assert_eq!((info.width, info.height), (size.width, size.height));
    assert_eq!(info.fps, (25, 1));
    let (left, _) = decode(&dir.join("left.mp4"), &[]).unwrap();
    assert_eq!(left.frames, FRAMES);
    assert_eq!(info.frames, left.frames, "one panorama per pair of frames");
    assert!(partial_files(dir).is_empty());
}

/// The mean absolute difference of two pictures' luma.
fn luma_difference(a: &I420Frame, b: &I420Frame) -> f64 {
    let (a, b) = (a.planes().0, b.planes().0);
    let total: u64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    total as f64 / a.len() as f64
}

#[test]
fn render_follows_the_path_at_the_requested_size() {
    let work = tempfile::tempdir().unwrap();
    let panorama = footage().join("panorama.mp4");
    let render = |name: &str, csv: &str, extra: &[&str]| {
        let path = work.path().join(format!("{name}.csv"));
        std::fs::write(&path, csv).unwrap();
        let output = work.path().join(format!("{name}.mp4"));
        // No --rig: the rig.toml beside the panorama is the one.
        let mut args = vec![
            "render",
            text(&panorama),
            "--path",
            text(&path),
            "--width",
            "512",
            "--height",
            "288",
            "-o",
            text(&output),
        ];
        args.extend_from_slice(extra);
        succeeds(&args);
        decode(&output, &[0, FRAMES - 1]).unwrap()
    };
    // The last frame is at 1.96 s.
    let (info, panning) = render(
        "panning",
        "time,pan,tilt,fov\n0,-30,10,30\n1.96,30,10,30\n",
        &[],
    );
    assert_eq!((info.width, info.height), (512, 288));
    assert_eq!(info.fps, (25, 1));
    assert_eq!(info.frames, FRAMES);
    let (_, left) = render("left", "time,pan,tilt,fov\n0,-30,10,30\n", &[]);
    let (_, right) = render("right", "time,pan,tilt,fov\n0,30,10,30\n", &["--bicubic"]);
    let first = luma_difference(&panning[0].1, &left[0].1);
    let last_vs_left = luma_difference(&panning[1].1, &left[1].1);
    let last_vs_right = luma_difference(&panning[1].1, &right[1].1);
    assert!(first < 1.0, "the path starts where it says: {first}");
    assert!(
        last_vs_right < 3.0 && last_vs_left > 3.0 * last_vs_right,
        "and ends where it says: {last_vs_right} from the right view, {last_vs_left} from the left"
    );
    assert!(partial_files(work.path()).is_empty());
}

/// Runs a bad command line: one clear line on stderr, a failure code, and neither the
/// output nor a partial file of it left behind.
fn refuses(args: &[&str], output: &Path, expected: &str) {
    let out = touchline(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} succeeded");
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    assert_eq!(
        stderr.trim().lines().count(),
        1,
        "{args:?}: not one line: {stderr}"
    );
    assert!(
        stderr.contains(expected),
        "{args:?}: '{stderr}' does not mention '{expected}'"
    );
    assert!(!output.exists(), "{args:?} left {}", output.display());
    let mut partial = output.as_os_str().to_owned();
    partial.push(".partial");
    assert!(
        !Path::new(&partial).exists(),
        "{args:?} left a partial file"
    );
}

/// A short video of `size` at `fps` frames per second.
fn small_video(path: &Path, size: (u32, u32), fps: u32) {
    let size = ImageSize::new(size.0, size.1).unwrap();
    let mut writer = VideoWriter::new(path, size, fps).unwrap();
    for _ in 0..3 {
        writer
            .push(I420Frame::filled(size, [90, 128, 128]))
            .unwrap();
    }
    writer.finish().unwrap();
}

#[test]
fn bad_stitch_inputs_get_one_clear_line_and_leave_no_output() {
    let d = footage();
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let out = w.join("panorama.mp4");
    let (left, right, rig) = (d.join("left.mp4"), d.join("right.mp4"), d.join("rig.toml"));
    let stitch = |l: &Path, r: &Path, rig: &Path, o: &Path, expected: &str| {
        refuses(
            &[
                "stitch",
                text(l),
                text(r),
                "--rig",
                text(rig),
                "-o",
                text(o),
            ],
            o,
            expected,
        );
    };

    stitch(
        &w.join("missing.mp4"),
        &right,
        &rig,
        &out,
        "no such video file",
    );
    let not_video = w.join("notes.mp4");
    std::fs::write(&not_video, "not a video at all").unwrap();
    stitch(&left, &not_video, &rig, &out, "cannot read");
    stitch(&left, &not_video, &rig, &out, "as a video");

    let smaller = w.join("smaller.mp4");
    small_video(&smaller, (320, 180), 25);
    stitch(&left, &smaller, &rig, &out, "frame sizes differ");
    let faster = w.join("faster.mp4");
    small_video(&faster, (640, 360), 30);
    stitch(&left, &faster, &rig, &out, "frame rates differ");
    stitch(
        &smaller,
        &smaller,
        &rig,
        &out,
        "the rig's camera 'left' is 640×360",
    );

    stitch(
        &left,
        &right,
        &w.join("none.toml"),
        &out,
        "cannot read rig file",
    );
    let malformed = w.join("malformed.toml");
    std::fs::write(&malformed, "format = \"touchline-rig/1\"\n[pitch\n").unwrap();
    stitch(&left, &right, &malformed, &out, "malformed rig file");

    let unwritable = Path::new("/proc/touchline-cannot-write-here/panorama.mp4");
    stitch(&left, &right, &rig, unwritable, "output");

    // Without --rig, the rig is looked for beside the left video.
    let lonely = w.join("lonely.mp4");
    std::fs::copy(&left, &lonely).unwrap();
    refuses(
        &["stitch", text(&lonely), text(&right), "-o", text(&out)],
        &out,
        "no rig given and no rig.toml beside",
    );
}

#[test]
fn bad_render_inputs_get_one_clear_line_and_leave_no_output() {
    let d = footage();
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let out = w.join("view.mp4");
    let panorama = d.join("panorama.mp4");
    let rig = d.join("rig.toml");
    let path = w.join("path.csv");
    std::fs::write(&path, "time,pan,tilt,fov\n0,0,10,40\n").unwrap();
    let render = |input: &Path, path: &Path, extra: &[&str], o: &Path, expected: &str| {
        let mut args = vec![
            "render",
            text(input),
            "--rig",
            text(&rig),
            "--path",
            text(path),
            "-o",
            text(o),
        ];
        args.extend_from_slice(extra);
        refuses(&args, o, expected);
    };

    render(
        &panorama,
        &w.join("none.csv"),
        &[],
        &out,
        "cannot read camera path",
    );
    let malformed = w.join("malformed.csv");
    std::fs::write(&malformed, "time,pan,tilt,fov\n0,0,ten,40\n").unwrap();
    render(&panorama, &malformed, &[], &out, "'ten' is not a number");
    let impossible = w.join("impossible.csv");
    std::fs::write(&impossible, "time,pan,tilt,fov\n0,0,95,40\n").unwrap();
    render(&panorama, &impossible, &[], &out, "tilt 95");

    render(
        &w.join("missing.mp4"),
        &path,
        &[],
        &out,
        "no such video file",
    );
    let not_video = w.join("notes.mp4");
    std::fs::write(&not_video, "not a video at all").unwrap();
    render(&not_video, &path, &[], &out, "as a video");
    render(
        &d.join("left.mp4"),
        &path,
        &[],
        &out,
        "is 640×360, but the rig's panorama is",
    );
    render(&panorama, &path, &["--width", "641"], &out, "even sides");
    render(
        &panorama,
        &path,
        &[],
        Path::new("/proc/touchline-cannot-write-here/view.mp4"),
        "output",
    );

    let lonely = w.join("lonely.mp4");
    std::fs::copy(&panorama, &lonely).unwrap();
    refuses(
        &[
            "render",
            text(&lonely),
            "--path",
            text(&path),
            "-o",
            text(&out),
        ],
        &out,
        "no rig given and no rig.toml beside",
    );
}
