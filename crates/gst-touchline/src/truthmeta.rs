//! The ground truth of a simulated frame, carried on its buffer as a custom meta.
//!
//! GStreamer 1.22 has no analytics meta, so the truth travels as a
//! [`gst::meta::CustomMeta`] named [`NAME`] whose structure holds:
//!
//! | field        | type     | meaning                                        |
//! |--------------|----------|------------------------------------------------|
//! | `frame`      | `u64`    | frame index from 0                             |
//! | `time`       | `f64`    | frame clock, seconds                           |
//! | `in-play`    | `bool`   | whether the ball is in play                    |
//! | `ball-x/y/z` | `f64`    | the ball's centre in the pitch frame, metres   |
//! | `truth-json` | `String` | the whole [`TruthFrame`] as JSON               |
//!
//! The scalar fields are there for `GST_DEBUG` logs and quick checks; [`read`] gives the
//! whole typed frame back. The meta has no tags, so elements that copy buffers keep it
//! and elements that transform pictures (scalers, croppers) drop it: the boxes in the
//! truth are in the source camera's pixels.

use std::sync::Once;

use gst::glib;
use gst::meta::CustomMeta;
use touchline_sim::truth::TruthFrame;

/// The name the meta is registered under.
pub const NAME: &str = "TouchlineTruthMeta";

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

/// Attaches `truth` to `buffer`. Fails only when GStreamer refuses to add the meta.
pub fn attach(buffer: &mut gst::BufferRef, truth: &TruthFrame) -> Result<(), glib::BoolError> {
    register();
    // A TruthFrame is plain numbers, strings and maps with string keys: it always
    // serialises (non-finite numbers become `null`).
    let json = serde_json::to_string(truth).map_err(|e| {
        glib::bool_error!("cannot serialise the truth of frame {}: {e}", truth.frame)
    })?;
    let mut meta = CustomMeta::add(buffer, NAME)?;
    let s = meta.mut_structure();
    s.set("frame", truth.frame);
    s.set("time", truth.time);
    s.set("in-play", truth.in_play);
    s.set("ball-x", truth.ball.x);
    s.set("ball-y", truth.ball.y);
    s.set("ball-z", truth.ball.z);
    s.set("truth-json", json);
    Ok(())
}

/// The truth attached to `buffer`, or `None` when it carries none (or a malformed one).
pub fn read(buffer: &gst::BufferRef) -> Option<TruthFrame> {
    let meta = CustomMeta::from_buffer(buffer, NAME).ok()?;
    let json = meta.structure().get::<&str>("truth-json").ok()?;
    serde_json::from_str(json).ok()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use touchline_sim::people::PersonId;
    use touchline_sim::truth::{BallTruth, PersonTruth};

    use super::*;

    fn truth() -> TruthFrame {
        TruthFrame {
            frame: 42,
            time: 1.68,
            in_play: true,
            ball: BallTruth {
                x: 3.25,
                y: -1.5,
                z: 0.11,
                boxes: BTreeMap::from([("left".to_owned(), [10.0, 20.0, 14.0, 24.0, 0.9])]),
            },
            people: vec![PersonTruth {
                id: PersonId(7),
                x: -12.0,
                y: 4.5,
                boxes: BTreeMap::new(),
            }],
        }
    }

    #[test]
    fn truth_survives_the_trip_through_a_buffer_and_its_copies() {
        gst::init().unwrap();
        let mut buffer = gst::Buffer::with_size(16).unwrap();
        assert_eq!(read(&buffer), None, "no meta yet");
        attach(buffer.get_mut().unwrap(), &truth()).unwrap();
        assert_eq!(read(&buffer), Some(truth()));

        let meta = CustomMeta::from_buffer(&buffer, NAME).unwrap();
        let s = meta.structure();
        assert_eq!(s.get::<u64>("frame").unwrap(), 42);
        assert!(s.get::<bool>("in-play").unwrap());
        assert_eq!(s.get::<f64>("ball-x").unwrap(), 3.25);

        // Copies (what tee, queue or a writable map may make) keep the meta.
        let copy = buffer.copy();
        assert_eq!(read(&copy), Some(truth()));
    }
}
