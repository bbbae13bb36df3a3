//! `touchlinestitch`: output caps, pictures against the core stitcher, formats, the
//! truth passed on, pads, and bad rigs and inputs as error messages. A small rig keeps
//! the tests fast.

use std::path::Path;

use crate::common::*;
use gst::prelude::*;
use gsttouchline::truthmeta;
use touchline_core::warp::{Frame, FrameMut, PixelFormat, StitchOptions, Stitcher};
use touchline_sim::truth::{BallTruth, TruthFrame};

/// A stitcher fed by two appsrcs of `caps`, into an appsink named `out`.
fn stitch_pipeline(rig: &Path, caps: &gst::Caps, extra: &str) -> gst::Pipeline {
    pipeline(&format!(
        "appsrc name=left format=time caps=\"{caps}\" ! s.sink_0 \
         appsrc name=right format=time caps=\"{caps}\" ! s.sink_1 \
         touchlinestitch name=s rig=\"{}\" {extra} ! appsink name=out sync=false",
        rig.display()
    ))
}

/// Stitches pairs of pictures through the element.
fn stitch(
    rig: &Path,
    caps: &gst::Caps,
    pairs: Vec<(gst::Buffer, gst::Buffer)>,
    extra: &str,
) -> Outcome {
    let pipeline = stitch_pipeline(rig, caps, extra);
    run_pipeline(&pipeline, |p| {
        let (left, right): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
        push_all(p, "left", left);
        push_all(p, "right", right);
    })
}

fn truth(frame: u64) -> TruthFrame {
    TruthFrame {
        frame,
        time: frame as f64 * 0.04,
        in_play: true,
        ball: BallTruth {
            x: 1.5,
            y: -2.0,
            z: 0.11,
            boxes: Default::default(),
        },
        people: Vec::new(),
    }
}

#[test]
fn grey_cameras_make_a_grey_panorama_of_the_rigs_size_with_the_truth_passed_on() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, rig) = small_rig(dir.path());
    let frames = 3;
    let pairs = (0..frames)
        .map(|k| {
            let mut left = frame_buffer(uniform_i420(CAMERA.0, CAMERA.1, 100, 128, 128), k);
            truthmeta::attach(left.get_mut().unwrap(), &truth(k)).unwrap();
            let right = frame_buffer(uniform_i420(CAMERA.0, CAMERA.1, 100, 128, 128), k);
            (left, right)
        })
        .collect();
    let outcome = stitch(&rig_path, &i420_caps(CAMERA), pairs, "");
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.samples.len(), frames as usize);

    let coverage = Stitcher::new(&rig, PixelFormat::I420, StitchOptions::default())
        .unwrap()
        .coverage();
    for (k, sample) in outcome.samples.iter().enumerate() {
        let (info, planes) = packed_planes(sample);
        assert_eq!(info.format(), gst_video::VideoFormat::I420);
        assert_eq!((info.width(), info.height()), PANORAMA);
        assert_eq!(info.fps(), gst::Fraction::new(25, 1));
        assert_eq!(info.par(), gst::Fraction::new(1, 1));
        let grey = planes[0].iter().filter(|&&v| v.abs_diff(100) <= 1).count();
        let black = planes[0].iter().filter(|&&v| v == 16).count();
        assert_eq!(
            grey + black,
            planes[0].len(),
            "frame {k}: every sample is the cameras' grey or black where no camera sees"
        );
        let seen = grey as f64 / planes[0].len() as f64;
        assert!(
            (seen - coverage).abs() < 0.01,
            "frame {k}: grey over {seen:.3} of the panorama, the cameras cover {coverage:.3}"
        );
        assert!(planes[1..].iter().flatten().all(|&v| v.abs_diff(128) <= 1));
        let buffer = sample.buffer().unwrap();
        assert_eq!(
            buffer.pts(),
            Some(gst::ClockTime::from_mseconds(40 * k as u64))
        );
        assert_eq!(truthmeta::read(buffer), Some(truth(k as u64)));
    }
}

#[test]
fn the_element_stitches_exactly_as_the_core_does() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, rig) = small_rig(dir.path());
    let pictures: Vec<(Vec<u8>, Vec<u8>)> = (0..3)
        .map(|k| {
            (
                textured_i420(CAMERA.0, CAMERA.1, 2 * k),
                textured_i420(CAMERA.0, CAMERA.1, 2 * k + 1),
            )
        })
        .collect();
    let pairs = pictures
        .iter()
        .enumerate()
        .map(|(k, (l, r))| {
            (
                frame_buffer(l.clone(), k as u64),
                frame_buffer(r.clone(), k as u64),
            )
        })
        .collect();
    let outcome = stitch(&rig_path, &i420_caps(CAMERA), pairs, "feather=20");
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.samples.len(), pictures.len());

    let options = StitchOptions {
        feather_px: 20.0,
        ..StitchOptions::default()
    };
    let mut stitcher = Stitcher::new(&rig, PixelFormat::I420, options).unwrap();
    let size = rig.panorama.size;
    for (k, ((left, right), sample)) in pictures.iter().zip(&outcome.samples).enumerate() {
        let camera = rig.cameras[0].size;
        let mut expected = vec![0u8; PixelFormat::I420.packed_len(size)];
        stitcher
            .stitch(
                &Frame::packed(PixelFormat::I420, camera, left).unwrap(),
                &Frame::packed(PixelFormat::I420, camera, right).unwrap(),
                &mut FrameMut::packed(PixelFormat::I420, size, &mut expected).unwrap(),
            )
            .unwrap();
        let (_, planes) = packed_planes(sample);
        assert!(
            planes.concat() == expected,
            "frame {k} differs from the core's stitch"
        );
    }
}

#[test]
fn rgba_is_stitched_in_rgba() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, _) = small_rig(dir.path());
    let caps = gst_video::VideoCapsBuilder::new()
        .format(gst_video::VideoFormat::Rgba)
        .width(CAMERA.0 as i32)
        .height(CAMERA.1 as i32)
        .framerate(gst::Fraction::new(25, 1))
        .build();
    let picture = [200u8, 100, 50, 255].repeat((CAMERA.0 * CAMERA.1) as usize);
    let pairs = vec![(frame_buffer(picture.clone(), 0), frame_buffer(picture, 0))];
    let outcome = stitch(&rig_path, &caps, pairs, "compensate=false");
    assert_eq!(outcome.error, None);
    let (info, planes) = packed_planes(&outcome.samples[0]);
    assert_eq!(info.format(), gst_video::VideoFormat::Rgba);
    assert_eq!((info.width(), info.height()), PANORAMA);
    for pixel in planes[0].chunks_exact(4) {
        assert!(
            pixel == [200, 100, 50, 255] || pixel == [0, 0, 0, 255],
            "{pixel:?} is neither the cameras' colour nor opaque black"
        );
    }
}

#[test]
fn only_a_left_and_a_right_pad_can_be_requested() {
    init();
    let stitch = gst::ElementFactory::make("touchlinestitch")
        .build()
        .unwrap();
    assert!(stitch.request_pad_simple("sink_7").is_none());
    let first = stitch.request_pad_simple("sink_%u").unwrap();
    assert_eq!(first.name(), "sink_0");
    let second = stitch.request_pad_simple("sink_%u").unwrap();
    assert_eq!(second.name(), "sink_1");
    assert!(
        stitch.request_pad_simple("sink_%u").is_none(),
        "no third camera"
    );
}

/// Runs two test sources of `size` through a stitcher with `rig` set as given; the
/// error message.
fn stitch_error(rig_property: &str, size: (u32, u32)) -> String {
    let caps = format!(
        "video/x-raw,format=I420,width={},height={},framerate=25/1",
        size.0, size.1
    );
    let p = pipeline(&format!(
        "videotestsrc num-buffers=2 ! {caps} ! s.sink_0 \
         videotestsrc num-buffers=2 ! {caps} ! s.sink_1 \
         touchlinestitch name=s {rig_property} ! appsink name=out sync=false"
    ));
    let outcome = run_pipeline(&p, |_| ());
    assert!(outcome.samples.is_empty());
    outcome.error.expect("the stitcher refuses")
}

#[test]
fn a_missing_rig_file_is_an_error_message_naming_it() {
    init();
    let err = stitch_error("rig=/nonexistent/rig.toml", CAMERA);
    assert!(
        err.contains("cannot read rig file /nonexistent/rig.toml"),
        "{err}"
    );
}

#[test]
fn a_malformed_rig_file_is_an_error_message_naming_it() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let path = malformed_rig(dir.path());
    let err = stitch_error(&format!("rig=\"{}\"", path.display()), CAMERA);
    assert!(err.contains("malformed rig file"), "{err}");
    assert!(err.contains("broken.toml"), "{err}");
}

#[test]
fn no_rig_at_all_is_an_error_message() {
    init();
    let err = stitch_error("", CAMERA);
    assert!(err.contains("rig property"), "{err}");
}

#[test]
fn cameras_of_another_size_than_the_rigs_are_an_error_message() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, _) = small_rig(dir.path());
    let err = stitch_error(&format!("rig=\"{}\"", rig_path.display()), (320, 180));
    assert!(err.contains("320×180"), "{err}");
    assert!(err.contains("640×360"), "{err}");
}

#[test]
fn upstream_that_can_scale_is_asked_for_the_rigs_camera_size() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, _) = small_rig(dir.path());
    // videotestsrc prefers 320×240; the stitcher's pads ask for the rig's 640×360 first.
    let p = pipeline(&format!(
        "videotestsrc num-buffers=2 ! video/x-raw,format=I420 ! s.sink_0 \
         videotestsrc num-buffers=2 ! video/x-raw,format=I420 ! s.sink_1 \
         touchlinestitch name=s rig=\"{}\" ! appsink name=out sync=false",
        rig_path.display()
    ));
    let outcome = run_pipeline(&p, |_| ());
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.samples.len(), 2);
    let (info, _) = packed_planes(&outcome.samples[0]);
    assert_eq!((info.width(), info.height()), PANORAMA);
}

#[test]
fn the_rig_round_trips_through_the_property() {
    init();
    let stitch = gst::ElementFactory::make("touchlinestitch")
        .property("rig", "some/rig.toml")
        .property("feather", 12.0)
        .build()
        .unwrap();
    assert_eq!(
        stitch.property::<Option<String>>("rig").as_deref(),
        Some("some/rig.toml")
    );
    assert_eq!(stitch.property::<f64>("feather"), 12.0);
    assert!(stitch.property::<bool>("compensate"));
}
