//! `touchlinesimsrc`: caps, timestamps and truth meta, determinism, bad settings and
//! the end of the footage. Pictures are kept small so the tests run fast.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::init;
use gst::prelude::*;
use gst_check::Harness;
use gsttouchline::truthmeta;
use touchline_sim::truth::TruthFrame;

/// The first `n` buffers a launch line (ending in a source pad) produces. The harness
/// parses the line inside a bin, where caps need an explicit `capsfilter`.
fn pull(launch: &str, n: usize) -> (Harness, Vec<gst::Buffer>) {
    let mut h = Harness::new_parse(launch);
    h.play();
    let buffers = (0..n)
        .map(|k| {
            h.pull()
                .unwrap_or_else(|e| panic!("buffer {k} of '{launch}': {e}"))
        })
        .collect();
    (h, buffers)
}

fn truth_of(buffer: &gst::Buffer) -> TruthFrame {
    truthmeta::read(buffer).expect("every buffer carries its truth")
}

/// Runs a pipeline to its end; the error message if it failed, and when each buffer
/// reached the element named `sink`.
fn run(launch: &str) -> (Result<(), String>, Vec<Instant>) {
    let pipeline = gst::parse::launch(launch)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    if let Some(sink) = pipeline.by_name("sink") {
        let arrivals = arrivals.clone();
        sink.static_pad("sink")
            .unwrap()
            .add_probe(gst::PadProbeType::BUFFER, move |_, _| {
                arrivals.lock().unwrap().push(Instant::now());
                gst::PadProbeReturn::Ok
            });
    }
    let bus = pipeline.bus().unwrap();
    // A failing start() fails the state change; the error is on the bus all the same.
    let _ = pipeline.set_state(gst::State::Playing);
    let mut result = Err("no EOS within a minute".to_owned());
    for msg in bus.iter_timed(gst::ClockTime::from_seconds(60)) {
        match msg.view() {
            gst::MessageView::Eos(..) => {
                result = Ok(());
                break;
            }
            gst::MessageView::Error(err) => {
                result = Err(err.error().to_string());
                break;
            }
            _ => (),
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
    let arrivals = arrivals.lock().unwrap().clone();
    (result, arrivals)
}

#[test]
fn buffers_have_the_negotiated_format_timestamps_and_truth() {
    init();
    let (h, buffers) = pull(
        "touchlinesimsrc camera=left duration=1 ! capsfilter caps=video/x-raw,width=640,height=360",
        3,
    );

    let caps = h.sinkpad().unwrap().current_caps().expect("negotiated");
    let info = gst_video::VideoInfo::from_caps(&caps).unwrap();
    assert_eq!(info.format(), gst_video::VideoFormat::I420);
    assert_eq!((info.width(), info.height()), (640, 360));
    assert_eq!(info.fps(), gst::Fraction::new(25, 1));

    for (k, buffer) in buffers.iter().enumerate() {
        assert_eq!(buffer.size(), 640 * 360 * 3 / 2);
        let pts = buffer.pts().expect("timestamped");
        assert_eq!(
            pts,
            gst::ClockTime::from_mseconds(40 * k as u64),
            "PTS of buffer {k}"
        );
        assert_eq!(buffer.duration(), Some(gst::ClockTime::from_mseconds(40)));
        let truth = truth_of(buffer);
        assert_eq!(truth.frame, k as u64);
        assert_eq!(truth.people.len(), 23, "22 players and the referee");
        assert!((truth.time - 0.04 * k as f64).abs() < 1e-9);
    }

    // The scalar fields agree with the JSON.
    let meta = gst::meta::CustomMeta::from_buffer(&buffers[2], truthmeta::NAME).unwrap();
    let s = meta.structure();
    let truth = truth_of(&buffers[2]);
    assert_eq!(s.get::<u64>("frame").unwrap(), 2);
    assert_eq!(s.get::<bool>("in-play").unwrap(), truth.in_play);
    assert_eq!(s.get::<f64>("ball-x").unwrap(), truth.ball.x);
    assert_eq!(s.get::<f64>("ball-z").unwrap(), truth.ball.z);
}

#[test]
fn the_same_seed_plays_the_same_match() {
    init();
    let third = |launch: &str| truth_of(&pull(launch, 3).1[2]);
    let launch =
        "touchlinesimsrc seed=11 duration=1 ! capsfilter caps=video/x-raw,width=320,height=180";
    let a = third(launch);
    let b = third(launch);
    assert_eq!(a, b);
    assert_eq!(a.frame, 2);

    let other = third(
        "touchlinesimsrc seed=12 duration=1 ! capsfilter caps=video/x-raw,width=320,height=180",
    );
    assert_ne!(
        a.people, other.people,
        "another seed lines the teams up differently"
    );
}

#[test]
fn the_right_camera_and_the_small_sided_game_work_too() {
    init();
    let (_, buffers) = pull(
        "touchlinesimsrc camera=right sport=football7 duration=1 \
         ! capsfilter caps=video/x-raw,width=320,height=180,framerate=10/1",
        2,
    );
    assert_eq!(buffers[1].pts(), Some(gst::ClockTime::from_mseconds(100)));
    let truth = truth_of(&buffers[1]);
    assert_eq!(truth.people.len(), 15, "14 players and the referee");
}

#[test]
fn widths_that_need_padded_strides_are_laid_out_as_gstreamer_expects() {
    init();
    // 324 / 2 = 162 is not a multiple of 4: GStreamer pads the chroma rows to 164.
    let (h, buffers) = pull(
        "touchlinesimsrc duration=1 ! capsfilter caps=video/x-raw,width=324,height=180",
        1,
    );
    let caps = h.sinkpad().unwrap().current_caps().unwrap();
    let info = gst_video::VideoInfo::from_caps(&caps).unwrap();
    assert_eq!(info.stride()[1], 164);
    assert_eq!(buffers[0].size(), info.size());
    let frame =
        gst_video::VideoFrameRef::from_buffer_ref_readable(buffers[0].as_ref(), &info).unwrap();
    // Grass fills the bottom of the picture: plausible luma and chroma in the last rows.
    let y = frame.plane_data(0).unwrap();
    let u = frame.plane_data(1).unwrap();
    let last_luma = &y[179 * info.stride()[0] as usize..][..324];
    let last_chroma = &u[89 * 164..][..162];
    assert!(last_luma.iter().all(|&v| (16..=235).contains(&v)));
    assert!(last_chroma.iter().all(|&v| (16..=240).contains(&v)));
}

#[test]
fn an_unknown_sport_fails_with_a_message_naming_it() {
    init();
    let (result, buffers) = run("touchlinesimsrc sport=quidditch ! fakesink name=sink");
    let err = result.expect_err("quidditch is not a sport profile");
    assert!(err.contains("quidditch"), "{err}");
    assert!(
        err.contains("football7"),
        "the message lists the known sports: {err}"
    );
    assert!(buffers.is_empty());
}

#[test]
fn the_stream_ends_after_its_duration() {
    init();
    let (result, buffers) =
        run("touchlinesimsrc duration=0.2 ! video/x-raw,width=320,height=180 ! fakesink name=sink");
    result.unwrap();
    assert_eq!(buffers.len(), 5, "0.2 s at 25 fps");
}

#[test]
fn a_live_source_keeps_to_the_clock() {
    init();
    let (result, buffers) = run(
        "touchlinesimsrc is-live=true duration=0.4 ! video/x-raw,width=320,height=180 \
         ! fakesink name=sink sync=true",
    );
    result.unwrap();
    assert_eq!(buffers.len(), 10);
    // The base class stamps the first frame with the running time it was made at and
    // waits for each later frame's: ten frames span nine frame durations.
    let span = buffers[9] - buffers[0];
    assert!(
        span >= Duration::from_millis(340),
        "ten frames at 25 fps arrived within {span:?}"
    );
}
