//! `touchlinedirector`: the automatic camera operator, live on a fixed delay.
//!
//! Sits between `touchlinetrack` and `touchlinevirtualcam`: reads the tracks each
//! panorama frame carries ([`crate::tracksmeta`]), feeds them to
//! [`touchline_direct::LiveDirector`] and holds the frames back `delay` seconds, so
//! that the director knows what happens next when it decides where each frame's view
//! looks. Every frame leaves in order, untouched, with its view attached as a
//! [`crate::viewmeta`], which `touchlinevirtualcam` renders. A frame without tracks
//! counts as one with nobody on it and the ball unknown.
//!
//! The panorama's geometry comes from the rig file in `rig`; `width` and `height` are
//! the rendered view's size (only its aspect matters: views are kept inside the
//! panorama). At the end of the stream the frames still held go out with their views
//! before EOS; a flush drops them and starts the camera afresh. The element reports its
//! delay through the latency query, so a live pipeline's sinks wait for it.
//!
//! The stream needs a fixed frame rate (the delay is counted in frames). A missing or
//! malformed rig fails the change to PAUSED with the rig's error; a stream without a
//! frame rate stops with an error message.
//!
//! ## Example pipeline
//! ```bash
//! gst-launch-1.0 \
//!     filesrc location=left.mp4 ! decodebin ! videoconvert ! s.sink_0 \
//!     filesrc location=right.mp4 ! decodebin ! videoconvert ! s.sink_1 \
//!     touchlinestitch name=s rig=rig.toml ! touchlinetrack rig=rig.toml \
//!     ! touchlinedirector rig=rig.toml delay=3 \
//!     ! touchlinevirtualcam rig=rig.toml width=1920 height=1080 \
//!     ! videoconvert ! x264enc ! mp4mux ! filesink location=match.mp4
//! ```

use gst::glib;
use gst::prelude::*;
use nalgebra::{Point2, Point3};
use touchline_direct::Play;
use touchline_track::tracks::FrameRecord;

mod imp;

/// What the director sees of one frame's tracks: everybody's pitch position and the
/// ball's centre. People and a ball whose coordinates are not finite numbers are left
/// out (the ball then counts as unknown).
pub fn play(record: &FrameRecord) -> Play {
    Play {
        people: record
            .people
            .iter()
            .filter(|p| p.x.is_finite() && p.y.is_finite())
            .map(|p| Point2::new(p.x, p.y))
            .collect(),
        ball: record
            .ball
            .as_ref()
            .filter(|b| b.x.is_finite() && b.y.is_finite() && b.z.is_finite())
            .map(|b| Point3::new(b.x, b.y, b.z)),
    }
}

glib::wrapper! {
    /// The `touchlinedirector` element.
    pub struct TouchlineDirector(ObjectSubclass<imp::TouchlineDirector>)
        @extends gst::Element, gst::Object;
}

/// Registers `touchlinedirector` with the plugin.
pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    gst::Element::register(
        Some(plugin),
        "touchlinedirector",
        gst::Rank::NONE,
        TouchlineDirector::static_type(),
    )
}

#[cfg(test)]
mod tests {
    use touchline_track::ball::BallSource;
    use touchline_track::people::TrackId;
    use touchline_track::tracks::{BallRecord, PersonRecord};

    use super::*;

    fn person(x: f64, y: f64) -> PersonRecord {
        PersonRecord {
            id: TrackId(1),
            x,
            y,
            bbox: [0.0, 0.0, 1.0, 1.0],
            seen: true,
            head: None,
        }
    }

    fn ball(x: f64, y: f64, z: f64) -> BallRecord {
        BallRecord {
            u: 0.0,
            v: 0.0,
            x,
            y,
            z,
            source: BallSource::AtFeet(TrackId(1)),
        }
    }

    #[test]
    fn a_record_becomes_the_people_and_the_ball_on_the_pitch() {
        let record = FrameRecord {
            frame: 3,
            time: 0.12,
            people: vec![person(-12.5, 4.0), person(20.0, -30.0)],
            ball: Some(ball(0.5, -1.0, 0.11)),
        };
        assert_eq!(
            play(&record),
            Play {
                people: vec![Point2::new(-12.5, 4.0), Point2::new(20.0, -30.0)],
                ball: Some(Point3::new(0.5, -1.0, 0.11)),
            }
        );
    }

    #[test]
    fn numbers_that_are_not_finite_are_left_out() {
        let record = FrameRecord {
            frame: 0,
            time: 0.0,
            people: vec![person(f64::NAN, 4.0), person(1.0, 2.0)],
            ball: Some(ball(0.5, f64::INFINITY, 0.11)),
        };
        assert_eq!(
            play(&record),
            Play {
                people: vec![Point2::new(1.0, 2.0)],
                ball: None,
            }
        );
    }
}
