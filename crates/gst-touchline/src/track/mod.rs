//! `touchlinetrack`: people and the ball tracked in the panorama.
//!
//! An in-place video filter on the rig's I420 panorama (what `touchlinestitch` makes
//! with the same rig) that runs [`touchline_track::MatchTracker`] on every frame and
//! attaches what it found as a [`crate::tracksmeta`]: each person's track id, pitch
//! position and panorama box, and the ball. The pictures pass through untouched.
//!
//! At the end of the stream, before passing EOS on, the element posts an element
//! message named [`MESSAGE_NAME`] ([`TracksMessage`]) with each track's team and role,
//! decided over the whole stream: with the per-frame metas that is everything a
//! `tracks.json` holds.
//!
//! The panorama's geometry and the pitch come from the rig file in `rig`; `learned`
//! chooses whether the learned detector splits groups of people (slower, better in
//! crowds). The tracker steps one frame at a time, so the stream needs a fixed frame
//! rate. A missing or malformed rig fails the start with the rig's error; a panorama of
//! another size than the rig's or a stream without a frame rate stops the stream with
//! an error message.
//!
//! ## Example pipeline
//! ```bash
//! gst-launch-1.0 -m \
//!     filesrc location=left.mp4 ! decodebin ! videoconvert \
//!     ! touchlinestitch name=s rig=rig.toml ! touchlinetrack rig=rig.toml ! fakesink \
//!     filesrc location=right.mp4 ! decodebin ! videoconvert ! s.sink_1
//! ```

use gst::glib;
use gst::prelude::*;
use touchline_track::tracks::TrackRecord;

mod imp;

/// The name of the element message posted at the end of the stream.
pub const MESSAGE_NAME: &str = "touchline-tracks";

/// The element message `touchlinetrack` posts at the end of the stream: every track's
/// team and role. Its structure, named [`MESSAGE_NAME`], holds:
///
/// | field         | type     | meaning                                                |
/// |---------------|----------|--------------------------------------------------------|
/// | `frames`      | `u64`    | frames tracked                                         |
/// | `tracks`      | `u32`    | how many tracks were reported                          |
/// | `people-json` | `String` | the tracks as JSON: the `people` array of `tracks.json`|
#[derive(Clone, Debug, PartialEq)]
pub struct TracksMessage {
    /// Frames tracked.
    pub frames: u64,
    /// Each reported track's team and role, by track id.
    pub people: Vec<TrackRecord>,
}

impl TracksMessage {
    /// The message's structure.
    pub fn to_structure(&self) -> gst::Structure {
        // TrackRecords are numbers and enums: they always serialise.
        let json = serde_json::to_string(&self.people).unwrap_or_else(|_| "[]".to_owned());
        gst::Structure::builder(MESSAGE_NAME)
            .field("frames", self.frames)
            .field(
                "tracks",
                u32::try_from(self.people.len()).unwrap_or(u32::MAX),
            )
            .field("people-json", json)
            .build()
    }

    /// The message a structure holds, `None` when it is another message or malformed.
    pub fn from_structure(s: &gst::StructureRef) -> Option<TracksMessage> {
        if s.name() != MESSAGE_NAME {
            return None;
        }
        Some(TracksMessage {
            frames: s.get("frames").ok()?,
            people: serde_json::from_str(s.get::<&str>("people-json").ok()?).ok()?,
        })
    }

    /// The message an element message on the bus holds, `None` for any other message.
    pub fn from_message(message: &gst::MessageRef) -> Option<TracksMessage> {
        match message.view() {
            gst::MessageView::Element(m) => Self::from_structure(m.structure()?),
            _ => None,
        }
    }
}

glib::wrapper! {
    /// The `touchlinetrack` element.
    pub struct TouchlineTrack(ObjectSubclass<imp::TouchlineTrack>)
        @extends gst_video::VideoFilter, gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers `touchlinetrack` with the plugin.
pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    gst::Element::register(
        Some(plugin),
        "touchlinetrack",
        gst::Rank::NONE,
        TouchlineTrack::static_type(),
    )
}

#[cfg(test)]
mod tests {
    use touchline_track::people::TrackId;
    use touchline_track::teams::{Role, Team};

    use super::*;

    #[test]
    fn the_message_survives_the_trip_through_a_structure() {
        gst::init().unwrap();
        let message = TracksMessage {
            frames: 250,
            people: vec![
                TrackRecord {
                    id: TrackId(1),
                    team: Some(Team::A),
                    role: Role::Goalkeeper,
                    frames: 240,
                },
                TrackRecord {
                    id: TrackId(4),
                    team: None,
                    role: Role::Referee,
                    frames: 200,
                },
            ],
        };
        let s = message.to_structure();
        assert_eq!(s.name(), MESSAGE_NAME);
        assert_eq!(s.get::<u32>("tracks").unwrap(), 2);
        let json: serde_json::Value =
            serde_json::from_str(s.get::<&str>("people-json").unwrap()).unwrap();
        assert_eq!(json[0]["team"], "a");
        assert_eq!(json[1]["role"], "referee");
        assert_eq!(TracksMessage::from_structure(&s), Some(message));
        assert_eq!(
            TracksMessage::from_structure(&gst::Structure::new_empty("other")),
            None
        );
    }
}
