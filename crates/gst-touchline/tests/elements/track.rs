//! `touchlinetrack`: people tracked in a stitched simulated match land near the truth,
//! with every team and role posted at EOS; black frames give no one; the pictures pass
//! through untouched; and bad rigs and inputs are error messages. The simulated match
//! is short (the tracker costs tens of milliseconds a frame on the full panorama); the
//! other tests use a small rig.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::*;
use gst::prelude::*;
use gst_check::Harness;
use gsttouchline::track::TracksMessage;
use gsttouchline::{tracksmeta, truthmeta};
use touchline_core::geometry::{ImageSize, Sport};
use touchline_sim::truth::TruthFrame;
use touchline_sim::SimConfig;
use touchline_track::teams::{Role, Team};
use touchline_track::tracks::FrameRecord;

/// Seed of the simulated match.
const SEED: u64 = 7;
/// Frames of the simulated match: a little over two seconds at 25 fps.
const SIM_FRAMES: u64 = 55;
/// Frames whose tracks are compared with the truth: those after two seconds.
const SETTLED_FROM: u64 = 50;
/// How near a reported person a true one must be to count as found, metres.
const FOUND_WITHIN_M: f64 = 1.5;

/// The rig `touchlinesimsrc` films with by default, saved as `dir/rig.toml`.
fn sim_rig(dir: &Path) -> PathBuf {
    let config = SimConfig::new(
        Sport::Football,
        Sport::Football.pitch(),
        ImageSize::new(1920, 1080).unwrap(),
        SEED,
        1.0,
        25,
    )
    .unwrap();
    let path = dir.join("rig.toml");
    config.rig.save(&path).unwrap();
    path
}

/// A bus on the harnessed element, for the messages it posts.
fn bus_of(h: &Harness) -> gst::Bus {
    let bus = gst::Bus::new();
    h.element().unwrap().set_bus(Some(&bus));
    bus
}

/// The tracks message on `bus`, if one was posted.
fn tracks_message(bus: &gst::Bus) -> Option<TracksMessage> {
    std::iter::from_fn(|| bus.pop()).find_map(|message| TracksMessage::from_message(&message))
}

/// Waits for the EOS event to come out of the harness.
fn wait_for_eos(h: &mut Harness) {
    loop {
        let event = h.pull_event().expect("EOS comes out");
        if event.type_() == gst::EventType::Eos {
            return;
        }
    }
}

/// How many of the truth's people are within [`FOUND_WITHIN_M`] of a reported person.
fn found(truth: &TruthFrame, tracks: &FrameRecord) -> usize {
    truth
        .people
        .iter()
        .filter(|t| {
            tracks
                .people
                .iter()
                .any(|p| (p.x - t.x).hypot(p.y - t.y) <= FOUND_WITHIN_M)
        })
        .count()
}

#[test]
fn people_in_a_stitched_simulated_match_are_tracked_near_the_truth() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let rig = sim_rig(dir.path());
    let seconds = SIM_FRAMES as f64 / 25.0;
    let mut h = Harness::new_parse(&format!(
        "touchlinesimsrc camera=left seed={SEED} duration={seconds} ! s.sink_0 \
         touchlinesimsrc camera=right seed={SEED} duration={seconds} ! s.sink_1 \
         touchlinestitch name=s rig=\"{0}\" ! touchlinetrack rig=\"{0}\"",
        rig.display()
    ));
    let bus = bus_of(&h);
    h.play();

    let mut settled = Vec::new();
    let mut ids = BTreeSet::new();
    for k in 0..SIM_FRAMES {
        let buffer = h
            .pull()
            .unwrap_or_else(|e| panic!("panorama {k} comes out: {e}"));
        let tracks = tracksmeta::read(&buffer).expect("every panorama carries its tracks");
        assert_eq!(tracks.frame, k);
        assert!(
            (tracks.time - k as f64 * 0.04).abs() < 1e-9,
            "{}",
            tracks.time
        );
        assert_eq!(buffer.pts(), Some(gst::ClockTime::from_mseconds(40 * k)));
        let truth = truthmeta::read(&buffer).expect("the left camera's truth is passed on");
        assert_eq!(truth.frame, k);
        ids.extend(tracks.people.iter().map(|p| p.id));
        if k >= SETTLED_FROM {
            settled.push((
                found(&truth, &tracks),
                truth.people.len(),
                tracks.people.len(),
            ));
        }
    }
    for (k, &(found, people, reported)) in (SETTLED_FROM..).zip(&settled) {
        assert!(
            found >= 15,
            "frame {k}: {found} of the {people} people are within {FOUND_WITHIN_M} m of \
             one of the {reported} reported; the frames after 2 s: {settled:?}"
        );
    }

    wait_for_eos(&mut h);
    let message = tracks_message(&bus).expect("the tracks are posted at EOS");
    assert_eq!(message.frames, SIM_FRAMES);
    let on_team = |team| {
        message
            .people
            .iter()
            .filter(|p| p.team == Some(team) && p.role != Role::Referee)
            .count()
    };
    assert!(
        on_team(Team::A) >= 5 && on_team(Team::B) >= 5,
        "both teams are found: {:?}",
        message.people
    );
    assert!(
        message.people.windows(2).all(|w| w[0].id < w[1].id),
        "one record per track, by id"
    );
    assert!(
        message.people.iter().map(|p| p.id).eq(ids.iter().copied()),
        "every track on a frame has its team and role, and only those"
    );
}

/// A tracker on the small test rig with `properties`, fed its panoramas.
fn small_harness(rig: &Path, properties: &str) -> Harness {
    let mut h = Harness::new_parse(&format!(
        "touchlinetrack rig=\"{}\" {properties}",
        rig.display()
    ));
    h.set_src_caps(i420_caps(PANORAMA));
    h
}

#[test]
fn black_frames_pass_through_untouched_with_no_one_on_them() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig, _) = small_rig(dir.path());
    for learned in [true, false] {
        let mut h = small_harness(&rig, &format!("learned={learned}"));
        let bus = bus_of(&h);
        h.play();
        let black = uniform_i420(PANORAMA.0, PANORAMA.1, 16, 128, 128);
        for k in 0..4 {
            let out = h
                .push_and_pull(frame_buffer(black.clone(), k))
                .expect("a black frame goes through");
            let tracks = tracksmeta::read(&out).expect("tracks on every frame");
            assert_eq!(tracks.frame, k);
            assert!(tracks.people.is_empty(), "learned={learned}: {tracks:?}");
            assert_eq!(tracks.ball, None);
            assert!(
                out.map_readable().unwrap().as_slice() == black.as_slice(),
                "the picture is untouched"
            );
            // What C and Python see: the custom meta's structure.
            let meta = gst::meta::CustomMeta::from_buffer(&out, tracksmeta::NAME).unwrap();
            assert_eq!(meta.structure().get::<u32>("people").unwrap(), 0);
            assert!(!meta.structure().has_field("ball-x"));
        }
        assert!(h.push_event(gst::event::Eos::new()));
        assert_eq!(
            tracks_message(&bus),
            Some(TracksMessage {
                frames: 4,
                people: Vec::new()
            })
        );
    }
}

#[test]
fn a_picture_whose_memory_is_shared_is_not_copied() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig, _) = small_rig(dir.path());
    let mut h = small_harness(&rig, "learned=false");
    h.play();
    let input = frame_buffer(uniform_i420(PANORAMA.0, PANORAMA.1, 60, 128, 128), 0);
    // Another holder of the picture (a tee's other branch, say) makes it read-only.
    let shared = input.memory(0).unwrap();
    let out = h.push_and_pull(input).unwrap();
    assert!(tracksmeta::read(&out).is_some());
    assert_eq!(
        out.map_readable().unwrap().as_ptr(),
        shared.map_readable().unwrap().as_ptr(),
        "the tracks are added without copying the picture"
    );
}

#[test]
fn the_properties_round_trip_and_qos_is_off() {
    init();
    let track = gst::ElementFactory::make("touchlinetrack")
        .property("rig", "some/rig.toml")
        .build()
        .unwrap();
    assert_eq!(
        track.property::<Option<String>>("rig").as_deref(),
        Some("some/rig.toml")
    );
    assert!(track.property::<bool>("learned"), "learned by default");
    track.set_property("learned", false);
    assert!(!track.property::<bool>("learned"));
    assert!(
        !track.property::<bool>("qos"),
        "late frames are tracked, not dropped"
    );
}

/// Runs a test source of `size` (and frame rate `fps`) through a tracker with
/// `properties`; the error message.
fn track_error(properties: &str, size: (u32, u32), fps: &str) -> String {
    let p = pipeline(&format!(
        "videotestsrc num-buffers=2 \
         ! video/x-raw,format=I420,width={},height={},framerate={fps} \
         ! touchlinetrack {properties} learned=false ! appsink name=out sync=false",
        size.0, size.1
    ));
    let outcome = run_pipeline(&p, |_| ());
    assert!(outcome.samples.is_empty());
    outcome.error.expect("the tracker refuses")
}

#[test]
fn a_missing_rig_file_is_an_error_message_naming_it() {
    init();
    let err = track_error("rig=/nonexistent/rig.toml", PANORAMA, "25/1");
    assert!(
        err.contains("cannot read rig file /nonexistent/rig.toml"),
        "{err}"
    );
}

#[test]
fn no_rig_at_all_is_an_error_message() {
    init();
    let err = track_error("", PANORAMA, "25/1");
    assert!(err.contains("rig property"), "{err}");
}

#[test]
fn a_malformed_rig_file_is_an_error_message_naming_it() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let path = malformed_rig(dir.path());
    let err = track_error(&format!("rig=\"{}\"", path.display()), PANORAMA, "25/1");
    assert!(err.contains("malformed rig file"), "{err}");
    assert!(err.contains("broken.toml"), "{err}");
}

/// The small rig with one line of its TOML replaced, as `dir/edited.toml`.
fn edited_rig(dir: &Path, from: &str, to: &str) -> PathBuf {
    let (path, _) = small_rig(dir);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "the rig has `{from}`:\n{text}");
    let edited = dir.join("edited.toml");
    std::fs::write(&edited, text.replacen(from, to, 1)).unwrap();
    edited
}

#[test]
fn a_rig_with_a_value_that_is_not_a_number_is_an_error_message() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let path = edited_rig(
        dir.path(),
        "centre = [0.0, -42.0, 6.0]",
        "centre = [0.0, nan, 6.0]",
    );
    let err = track_error(&format!("rig=\"{}\"", path.display()), PANORAMA, "25/1");
    assert!(err.contains("edited.toml"), "{err}");
}

#[test]
fn a_rig_whose_panorama_does_not_look_down_on_the_pitch_is_an_error_message() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let path = edited_rig(
        dir.path(),
        "centre = [0.0, -42.0, 6.0]",
        "centre = [0.0, -42.0, 0.2]",
    );
    let err = track_error(&format!("rig=\"{}\"", path.display()), PANORAMA, "25/1");
    assert!(err.contains("edited.toml"), "{err}");
    assert!(err.contains("above the pitch"), "{err}");
}

#[test]
fn a_panorama_of_another_size_than_the_rigs_is_an_error_message() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig, _) = small_rig(dir.path());
    let err = track_error(&format!("rig=\"{}\"", rig.display()), (640, 360), "25/1");
    assert!(err.contains("640×360"), "{err}");
    assert!(err.contains("1280×400"), "{err}");
}

#[test]
fn a_stream_without_a_frame_rate_is_an_error_message() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig, _) = small_rig(dir.path());
    let err = track_error(&format!("rig=\"{}\"", rig.display()), PANORAMA, "0/1");
    assert!(err.contains("frame rate"), "{err}");
}
