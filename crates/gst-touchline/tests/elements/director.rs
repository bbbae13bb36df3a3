//! `touchlinedirector`: every frame comes out, in order and untouched, `delay` later,
//! with a view that fits the panorama and finds the ball; the frames still held at EOS
//! come out before it and a flush drops them; events keep their place among the
//! frames; the delay shows in the latency query; the virtual camera renders the views;
//! and bad rigs and inputs are error messages. Frames carry tracks attached by the test
//! (the director never looks at the pictures); a small rig keeps the tests fast.

use std::path::Path;

use crate::common::*;
use gst::prelude::*;
use gst_check::Harness;
use gsttouchline::{tracksmeta, viewmeta};
use nalgebra::Point3;
use touchline_core::geometry::{ImageSize, Rig};
use touchline_direct::aim::Aim;
use touchline_track::ball::BallSource;
use touchline_track::people::TrackId;
use touchline_track::tracks::{BallRecord, FrameRecord, PersonRecord};

/// Frames per second of the test streams (what `frame_buffer` stamps).
const FPS: u64 = 25;

/// What the test tracker saw in frame `frame`: four players around the ball at
/// `ball` (pitch metres), or nobody and no ball.
fn record(frame: u64, ball: Option<(f64, f64)>) -> FrameRecord {
    let people = ball
        .map(|(x, y)| {
            [(-1.0, 0.0), (3.0, 2.0), (-4.0, -3.0), (6.0, 1.0)]
                .into_iter()
                .zip(1..)
                .map(|((dx, dy), id)| PersonRecord {
                    id: TrackId(id),
                    x: x + dx,
                    y: y + dy,
                    bbox: [0.0, 0.0, 10.0, 30.0],
                    seen: true,
                    head: None,
                })
                .collect()
        })
        .unwrap_or_default();
    FrameRecord {
        frame,
        time: frame as f64 / FPS as f64,
        people,
        ball: ball.map(|(x, y)| BallRecord {
            u: 0.0,
            v: 0.0,
            x,
            y,
            z: 0.11,
            source: BallSource::AtFeet(TrackId(1)),
        }),
    }
}

/// A panorama frame `index` (its luma is `index`, to tell frames apart) carrying
/// `tracks` when given.
fn tracked_frame(index: u64, tracks: Option<&FrameRecord>) -> gst::Buffer {
    let luma = (index % 200) as u8 + 16;
    let mut buffer = frame_buffer(uniform_i420(PANORAMA.0, PANORAMA.1, luma, 128, 128), index);
    if let Some(tracks) = tracks {
        tracksmeta::attach(buffer.get_mut().unwrap(), tracks).unwrap();
    }
    buffer
}

/// A director on `rig` with `properties`, fed the rig's panoramas at 25 fps.
fn harness(rig: &Path, properties: &str) -> Harness {
    let mut h = Harness::new_parse(&format!(
        "touchlinedirector rig=\"{}\" {properties}",
        rig.display()
    ));
    h.set_src_caps(i420_caps(PANORAMA));
    h.play();
    h
}

/// The aim the director's views must fit: the rig's panorama, 16:9 views.
fn aim(rig: &Rig) -> Aim {
    Aim::new(rig.panorama, ImageSize::new(1920, 1080).unwrap())
}

/// Checks that `out` is frame `index` untouched, with its tracks and a view that fits;
/// gives the view.
fn check_frame(out: &gst::Buffer, index: u64, aim: &Aim) -> touchline_core::geometry::ViewAngles {
    assert_eq!(
        out.pts(),
        Some(gst::ClockTime::from_mseconds(40 * index)),
        "frames come out in order"
    );
    assert_eq!(out.duration(), Some(gst::ClockTime::from_mseconds(40)));
    let luma = (index % 200) as u8 + 16;
    assert_eq!(
        out.map_readable().unwrap()[0],
        luma,
        "frame {index}: the picture is untouched"
    );
    let view = viewmeta::read(out).unwrap_or_else(|| panic!("frame {index} has a view"));
    assert!(aim.fits(&view), "frame {index}: {view:?} fits the panorama");
    view
}

#[test]
fn every_frame_comes_out_a_delay_later_in_order_with_a_view_that_finds_the_ball() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, rig) = small_rig(dir.path());
    let aim = aim(&rig);
    let mut h = harness(&rig_path, "delay=1");
    let delay = FPS;

    // One second on the left, then the ball is played to the right (40 m in a second)
    // and stays there; now and then a frame the tracker left without tracks.
    let frames = 5 * FPS;
    // (Quarter metres, which the metadata carries exactly.)
    let ball = |k: u64| {
        let t = (k as f64 / FPS as f64 - 1.0).clamp(0.0, 1.0);
        let quarter = |v: f64| (4.0 * v).round() / 4.0;
        (quarter(-20.0 + 40.0 * t), quarter(5.0 * t))
    };
    let mut out = Vec::new();
    for k in 0..frames {
        let tracks = record(k, Some(ball(k)));
        let buffer = tracked_frame(k, (k % 10 != 3).then_some(&tracks));
        h.push(buffer).expect("the director takes the frame");
        let released: Vec<gst::Buffer> = std::iter::from_fn(|| h.try_pull()).collect();
        let expected = usize::from(k >= delay);
        assert_eq!(
            released.len(),
            expected,
            "after frame {k}: frames come out one for one, {delay} frames late"
        );
        out.extend(released);
    }
    assert!(h.push_event(gst::event::Eos::new()));
    let held: Vec<gst::Buffer> = std::iter::from_fn(|| h.try_pull()).collect();
    assert_eq!(held.len() as u64, delay, "the held second comes out at EOS");
    out.extend(held);
    let events: Vec<gst::EventType> = std::iter::from_fn(|| h.try_pull_event())
        .map(|e| e.type_())
        .collect();
    assert_eq!(events.last(), Some(&gst::EventType::Eos), "{events:?}");

    assert_eq!(out.len() as u64, frames);
    for (k, buffer) in (0..).zip(&out) {
        let view = check_frame(buffer, k, &aim);
        if k % 10 != 3 {
            assert_eq!(
                tracksmeta::read(buffer),
                Some(record(k, Some(ball(k)))),
                "frame {k} keeps its tracks"
            );
        }
        // Once the ball has rested two seconds on the right, it is in the middle 80 %
        // of the picture.
        if k >= 4 * FPS {
            let (x, y) = ball(k);
            let (u, v) = aim
                .in_view(&view, &Point3::new(x, y, 0.11))
                .unwrap_or_else(|| panic!("frame {k}: the ball is in front of {view:?}"));
            assert!(
                (0.1..=0.9).contains(&u) && (0.1..=0.9).contains(&v),
                "frame {k}: the ball is at {u:.2}, {v:.2} of {view:?}"
            );
        }
    }
}

#[test]
fn a_stream_shorter_than_the_delay_comes_out_whole_at_eos() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, rig) = small_rig(dir.path());
    let aim = aim(&rig);
    let mut h = harness(&rig_path, "");
    for k in 0..10 {
        h.push(tracked_frame(k, None)).unwrap();
    }
    assert!(h.try_pull().is_none(), "held: the delay is 3 s");
    assert!(h.push_event(gst::event::Eos::new()));
    let out: Vec<gst::Buffer> = std::iter::from_fn(|| h.try_pull()).collect();
    assert_eq!(out.len(), 10);
    for (k, buffer) in (0..).zip(&out) {
        check_frame(buffer, k, &aim);
    }
}

#[test]
fn a_flush_drops_the_held_frames_and_the_camera_starts_afresh() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, rig) = small_rig(dir.path());
    let aim = aim(&rig);
    let mut h = harness(&rig_path, "delay=0.4");
    for k in 0..8 {
        h.push(tracked_frame(k, Some(&record(k, Some((-30.0, 0.0))))))
            .unwrap();
    }
    assert!(h.try_pull().is_none(), "held: the delay is 10 frames");
    assert!(h.push_event(gst::event::FlushStart::new()));
    assert!(h.push_event(gst::event::FlushStop::new(true)));
    assert!(
        h.push_event(gst::event::Segment::new(&gst::FormattedSegment::<
            gst::ClockTime,
        >::new()))
    );
    for k in 100..120 {
        h.push(tracked_frame(k, Some(&record(k, Some((25.0, 5.0))))))
            .unwrap();
    }
    assert!(h.push_event(gst::event::Eos::new()));
    let after: Vec<gst::Buffer> = std::iter::from_fn(|| h.try_pull()).collect();
    assert_eq!(after.len(), 20, "only the frames after the flush");
    for (k, buffer) in (100..).zip(&after) {
        check_frame(buffer, k, &aim);
    }
}

#[test]
fn an_event_keeps_its_place_among_the_held_frames() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, _) = small_rig(dir.path());
    let mut h = harness(&rig_path, "delay=0.4");
    let tags = |h: &mut Harness| {
        std::iter::from_fn(|| h.try_pull_event())
            .filter(|e| e.type_() == gst::EventType::Tag)
            .count()
    };
    let mut pulled = 0;
    for k in 0..5 {
        h.push(tracked_frame(k, None)).unwrap();
    }
    let mut list = gst::TagList::new();
    list.get_mut()
        .unwrap()
        .add::<gst::tags::Title>(&"second half", gst::TagMergeMode::Append);
    assert!(h.push_event(gst::event::Tag::new(list)));
    assert_eq!(tags(&mut h), 0, "the tags wait behind the held frames");
    // Frames 0..=4 come out as frames 10..=14 go in; the tags follow frame 4.
    for k in 5..15 {
        h.push(tracked_frame(k, None)).unwrap();
        pulled += std::iter::from_fn(|| h.try_pull()).count();
        let expected = usize::from(k == 14);
        assert_eq!(
            tags(&mut h),
            expected,
            "after frame {k} in, {pulled} frames out"
        );
    }
    assert_eq!(pulled, 5);
}

#[test]
fn the_latency_query_adds_the_delay_rounded_to_frames() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, _) = small_rig(dir.path());
    let mut h = harness(&rig_path, "delay=1.5");
    h.set_upstream_latency(gst::ClockTime::from_mseconds(40));
    h.push(tracked_frame(0, None)).unwrap();
    // 1.5 s at 25 fps is 37.5 frames, held as 38: 1.52 s.
    assert_eq!(
        h.query_latency(),
        Some(gst::ClockTime::from_mseconds(40 + 1520))
    );
}

#[test]
fn a_live_pipeline_reports_the_delay_as_its_latency() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, _) = small_rig(dir.path());
    let p = pipeline(&format!(
        "videotestsrc is-live=true \
         ! video/x-raw,format=I420,width=64,height=64,framerate=25/1 \
         ! touchlinedirector rig=\"{}\" delay=1 ! fakesink sync=true",
        rig_path.display()
    ));
    p.set_state(gst::State::Playing).unwrap();
    // The sink answers once it has prerolled, on the first frame the director lets go.
    let started = std::time::Instant::now();
    let answer = loop {
        let mut query = gst::query::Latency::new();
        if p.query(&mut query) && query.result().0 {
            break Some(query.result());
        }
        if started.elapsed() > std::time::Duration::from_secs(10) {
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    p.set_state(gst::State::Null).unwrap();
    let (_, min, _) = answer.expect("a live latency within 10 s");
    assert!(
        min >= gst::ClockTime::from_seconds(1),
        "the latency {min} holds the 1 s delay"
    );
}

#[test]
fn the_virtual_camera_renders_every_frame_along_the_directors_view() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, rig) = small_rig(dir.path());
    let p = pipeline(&format!(
        "appsrc name=src format=time \
         ! touchlinedirector rig=\"{0}\" delay=0.4 width=320 height=180 \
         ! touchlinevirtualcam rig=\"{0}\" width=320 height=180 \
         ! appsink name=out sync=false",
        rig_path.display(),
    ));
    p.by_name("src")
        .unwrap()
        .set_property("caps", i420_caps(PANORAMA));
    let frames: Vec<gst::Buffer> = (0..30)
        .map(|k| tracked_frame(k, Some(&record(k, Some((10.0, 5.0))))))
        .collect();
    let outcome = run_pipeline(&p, |p| push_all(p, "src", frames));
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.samples.len(), 30);
    let aim = Aim::new(rig.panorama, ImageSize::new(320, 180).unwrap());
    for (k, sample) in (0..).zip(&outcome.samples) {
        let buffer = sample.buffer().unwrap();
        assert_eq!(buffer.pts(), Some(gst::ClockTime::from_mseconds(40 * k)));
        let caps = sample.caps().unwrap().structure(0).unwrap();
        assert_eq!(caps.get::<i32>("width").unwrap(), 320);
        let view = viewmeta::read(buffer).expect("the view stays on the rendered frame");
        assert!(aim.fits(&view), "frame {k}: {view:?}");
    }
}

/// Runs a test source of the small panorama's size at `fps` through a director with
/// `properties`; the error message.
fn director_error(properties: &str, fps: &str) -> String {
    let p = pipeline(&format!(
        "videotestsrc num-buffers=2 \
         ! video/x-raw,format=I420,width=64,height=64,framerate={fps} \
         ! touchlinedirector {properties} ! appsink name=out sync=false"
    ));
    let outcome = run_pipeline(&p, |_| ());
    assert!(outcome.samples.is_empty());
    outcome.error.expect("the director refuses")
}

#[test]
fn a_missing_rig_file_fails_the_start_with_an_error_naming_it() {
    init();
    let director = gst::ElementFactory::make("touchlinedirector")
        .property("rig", "/nonexistent/rig.toml")
        .build()
        .unwrap();
    assert!(director.set_state(gst::State::Paused).is_err());
    director.set_state(gst::State::Null).unwrap();

    let err = director_error("rig=/nonexistent/rig.toml", "25/1");
    assert!(
        err.contains("cannot read rig file /nonexistent/rig.toml"),
        "{err}"
    );
}

#[test]
fn no_rig_at_all_is_an_error_message() {
    init();
    let err = director_error("", "25/1");
    assert!(err.contains("rig property"), "{err}");
}

#[test]
fn a_malformed_rig_file_is_an_error_message_naming_it() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let path = malformed_rig(dir.path());
    let err = director_error(&format!("rig=\"{}\"", path.display()), "25/1");
    assert!(err.contains("malformed rig file"), "{err}");
    assert!(err.contains("broken.toml"), "{err}");
}

#[test]
fn a_stream_without_a_frame_rate_is_an_error_message() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, _) = small_rig(dir.path());
    let err = director_error(&format!("rig=\"{}\"", rig_path.display()), "0/1");
    assert!(err.contains("no fixed frame rate"), "{err}");

    // Caps with no frame rate at all: the frame is refused, with an error on the bus.
    let mut h = Harness::new_parse(&format!("touchlinedirector rig=\"{}\"", rig_path.display()));
    let bus = gst::Bus::new();
    h.element().unwrap().set_bus(Some(&bus));
    h.set_src_caps_str("video/x-raw,format=I420,width=1280,height=400");
    h.play();
    assert!(h.push(tracked_frame(0, None)).is_err());
    let error = std::iter::from_fn(|| bus.pop())
        .find_map(|m| match m.view() {
            gst::MessageView::Error(e) => Some(e.error().to_string()),
            _ => None,
        })
        .expect("an error message");
    assert!(error.contains("no frame rate"), "{error}");
}

#[test]
fn the_properties_round_trip() {
    init();
    let director = gst::ElementFactory::make("touchlinedirector")
        .property("rig", "some/rig.toml")
        .build()
        .unwrap();
    assert_eq!(
        director.property::<Option<String>>("rig").as_deref(),
        Some("some/rig.toml")
    );
    assert_eq!(director.property::<f64>("delay"), 3.0);
    assert_eq!(director.property::<u32>("width"), 1920);
    assert_eq!(director.property::<u32>("height"), 1080);
    director.set_property("delay", 0.5);
    director.set_property("width", 1280u32);
    director.set_property("height", 720u32);
    assert_eq!(director.property::<f64>("delay"), 0.5);
    assert_eq!(director.property::<u32>("width"), 1280);
    assert_eq!(director.property::<u32>("height"), 720);
}
