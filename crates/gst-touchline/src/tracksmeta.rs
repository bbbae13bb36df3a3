//! What `touchlinetrack` found in one panorama frame, carried on the frame's buffer as a
//! custom meta.
//!
//! GStreamer 1.22 has no analytics meta, so the tracks travel as a
//! [`gst::meta::CustomMeta`] named [`NAME`] whose structure holds:
//!
//! | field         | type     | meaning                                                |
//! |---------------|----------|--------------------------------------------------------|
//! | `frame`       | `u64`    | frame index from 0, counted by the tracker             |
//! | `time`        | `f64`    | `frame` / frame rate, seconds                          |
//! | `people`      | `u32`    | how many people are reported                           |
//! | `ball-x/y/z`  | `f64`    | the ball's centre in the pitch frame, metres; only     |
//! |               |          | present when the ball is known                         |
//! | `tracks-json` | `String` | the whole [`FrameRecord`] as JSON, as in `tracks.json` |
//! | `recovered-json` | `String` | the ball in earlier frames that did not see it,   |
//! |               |          | learnt in this one, as JSON `[[frame, ball], …]`; only |
//! |               |          | present when there is such a ball                      |
//!
//! `tracks-json` is one element of the `frames` array of a `tracks.json` (see
//! [`touchline_track::tracks`]): each person's track `id`, pitch position `x`, `y`
//! (metres, origin on the centre spot, x along the length), panorama `box`, whether
//! it was `seen` this frame and, when seen whole, its `head` colour, and the `ball` or
//! `null`. [`read`] gives the typed record
//! back; C and Python read the structure with `gst_buffer_get_custom_meta()` and parse
//! the JSON. The scalar fields are for quick checks and `GST_DEBUG` logs.
//!
//! The meta has no tags, so elements that copy buffers keep it; the boxes are in the
//! panorama's pixels, so they no longer match after a scaler or a cropper.

use std::sync::Once;

use gst::glib;
use gst::meta::CustomMeta;
use touchline_track::tracks::{BallRecord, FrameRecord};

/// The name the meta is registered under.
pub const NAME: &str = "TouchlineTracksMeta";

/// Registers the meta with GStreamer; the first call does it, later calls do nothing.
/// The plugin calls it when it loads, and [`attach`] calls it too. Needs `gst::init()`.
pub fn register() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        if !CustomMeta::is_registered(NAME) {
            CustomMeta::register(NAME, &[]);
        }
    });
}

/// Attaches `tracks` to `buffer`, replacing any tracks already attached (a frame has
/// one set of tracks). Fails only when GStreamer refuses to add the meta.
pub fn attach(buffer: &mut gst::BufferRef, tracks: &FrameRecord) -> Result<(), glib::BoolError> {
    register();
    // A FrameRecord is numbers, booleans and enums: it always serialises (non-finite
    // numbers become `null`).
    let json = serde_json::to_string(tracks).map_err(|e| {
        glib::bool_error!("cannot serialise the tracks of frame {}: {e}", tracks.frame)
    })?;
    let mut meta = if CustomMeta::from_buffer(buffer, NAME).is_ok() {
        CustomMeta::from_mut_buffer(buffer, NAME)?
    } else {
        CustomMeta::add(buffer, NAME)?
    };
    let s = meta.mut_structure();
    s.set("frame", tracks.frame);
    s.set("time", tracks.time);
    s.set(
        "people",
        u32::try_from(tracks.people.len()).unwrap_or(u32::MAX),
    );
    match &tracks.ball {
        Some(ball) => {
            s.set("ball-x", ball.x);
            s.set("ball-y", ball.y);
            s.set("ball-z", ball.z);
        }
        None => {
            s.remove_fields(["ball-x", "ball-y", "ball-z"]);
        }
    }
    s.set("tracks-json", json);
    Ok(())
}

/// Adds to the tracks attached to `buffer` the balls of earlier frames learnt in this
/// one (see [`touchline_track::ball::BallTracker::recovered`]). Call after [`attach`].
pub fn attach_recovered(
    buffer: &mut gst::BufferRef,
    recovered: &[(u64, BallRecord)],
) -> Result<(), glib::BoolError> {
    let mut meta = CustomMeta::from_mut_buffer(buffer, NAME)?;
    let s = meta.mut_structure();
    if recovered.is_empty() {
        s.remove_field("recovered-json");
        return Ok(());
    }
    let json = serde_json::to_string(recovered)
        .map_err(|e| glib::bool_error!("cannot serialise the recovered balls: {e}"))?;
    s.set("recovered-json", json);
    Ok(())
}

/// The balls of earlier frames attached to `buffer` (see [`attach_recovered`]); none
/// when it carries none.
pub fn read_recovered(buffer: &gst::BufferRef) -> Vec<(u64, BallRecord)> {
    CustomMeta::from_buffer(buffer, NAME)
        .ok()
        .and_then(|meta| {
            let json = meta.structure().get::<&str>("recovered-json").ok()?;
            serde_json::from_str(json).ok()
        })
        .unwrap_or_default()
}

/// The tracks attached to `buffer`, or `None` when it carries none (or malformed ones).
pub fn read(buffer: &gst::BufferRef) -> Option<FrameRecord> {
    let meta = CustomMeta::from_buffer(buffer, NAME).ok()?;
    let json = meta.structure().get::<&str>("tracks-json").ok()?;
    serde_json::from_str(json).ok()
}

#[cfg(test)]
mod tests {
    use touchline_track::ball::BallSource;
    use touchline_track::people::TrackId;
    use touchline_track::tracks::{BallRecord, PersonRecord};

    use super::*;

    fn tracks(frame: u64, ball: bool) -> FrameRecord {
        FrameRecord {
            frame,
            time: frame as f64 * 0.04,
            people: vec![
                PersonRecord {
                    id: TrackId(3),
                    x: -12.31,
                    y: 4.02,
                    bbox: [100.0, 400.0, 112.5, 440.0],
                    seen: true,
                    head: Some([92.5, 120.0, 141.0]),
                },
                PersonRecord {
                    id: TrackId(8),
                    x: 20.5,
                    y: -30.0,
                    bbox: [2000.0, 900.0, 2030.0, 990.0],
                    seen: false,
                    head: None,
                },
            ],
            ball: ball.then_some(BallRecord {
                u: 1910.5,
                v: 420.0,
                x: 0.12,
                y: -0.4,
                z: 0.11,
                source: BallSource::AtFeet(TrackId(3)),
            }),
        }
    }

    #[test]
    fn tracks_survive_the_trip_through_a_buffer_and_its_copies() {
        gst::init().unwrap();
        let mut buffer = gst::Buffer::with_size(16).unwrap();
        assert_eq!(read(&buffer), None, "no meta yet");
        attach(buffer.get_mut().unwrap(), &tracks(42, true)).unwrap();
        assert_eq!(read(&buffer), Some(tracks(42, true)));

        let meta = CustomMeta::from_buffer(&buffer, NAME).unwrap();
        let s = meta.structure();
        assert_eq!(s.get::<u64>("frame").unwrap(), 42);
        assert_eq!(s.get::<f64>("time").unwrap(), 1.68);
        assert_eq!(s.get::<u32>("people").unwrap(), 2);
        assert_eq!(s.get::<f64>("ball-x").unwrap(), 0.12);
        assert_eq!(s.get::<f64>("ball-y").unwrap(), -0.4);

        assert_eq!(read(&buffer.copy()), Some(tracks(42, true)));
    }

    #[test]
    fn the_json_is_a_frame_of_tracks_json() {
        gst::init().unwrap();
        let mut buffer = gst::Buffer::with_size(16).unwrap();
        attach(buffer.get_mut().unwrap(), &tracks(1, true)).unwrap();
        let meta = CustomMeta::from_buffer(&buffer, NAME).unwrap();
        let json: serde_json::Value =
            serde_json::from_str(meta.structure().get::<&str>("tracks-json").unwrap()).unwrap();
        assert_eq!(json["frame"], 1);
        assert_eq!(json["people"][0]["id"], 3);
        assert_eq!(json["people"][0]["x"], -12.31);
        assert_eq!(json["people"][1]["seen"], false);
        assert_eq!(json["ball"]["source"]["at_feet"], 3);
    }

    #[test]
    fn new_tracks_replace_the_old_and_an_unknown_ball_has_no_ball_fields() {
        gst::init().unwrap();
        let mut buffer = gst::Buffer::with_size(16).unwrap();
        attach(buffer.get_mut().unwrap(), &tracks(5, true)).unwrap();
        attach(buffer.get_mut().unwrap(), &tracks(6, false)).unwrap();
        assert_eq!(read(&buffer), Some(tracks(6, false)));
        assert_eq!(buffer.iter_meta::<gst::Meta>().count(), 1);
        let meta = CustomMeta::from_buffer(&buffer, NAME).unwrap();
        assert!(!meta.structure().has_field("ball-x"));
        assert_eq!(meta.structure().get::<u64>("frame").unwrap(), 6);
    }

    #[test]
    fn balls_recovered_for_earlier_frames_travel_with_the_tracks_and_are_cleared() {
        gst::init().unwrap();
        let mut buffer = gst::Buffer::with_size(16).unwrap();
        assert!(read_recovered(&buffer).is_empty());
        attach(buffer.get_mut().unwrap(), &tracks(9, true)).unwrap();
        let earlier = tracks(7, true).ball.unwrap();
        let recovered = vec![(7, earlier.clone()), (8, earlier)];
        attach_recovered(buffer.get_mut().unwrap(), &recovered).unwrap();
        assert_eq!(read_recovered(&buffer.copy()), recovered);
        assert_eq!(read(&buffer), Some(tracks(9, true)));
        attach(buffer.get_mut().unwrap(), &tracks(10, true)).unwrap();
        attach_recovered(buffer.get_mut().unwrap(), &[]).unwrap();
        assert!(read_recovered(&buffer).is_empty());
    }
}
