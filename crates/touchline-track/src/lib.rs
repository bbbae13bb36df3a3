//! Touchline's tracking, without GStreamer.
//!
//! - [`pipeline::MatchTracker`]: detection ([`touchline_detect::panorama`]) and tracking
//!   over a stream of panorama frames.
//! - [`people`]: multi-object tracking of people on the pitch plane (Kalman filters,
//!   two-stage association); [`teams`]: teams and roles from kit colours.
//! - [`ball`]: the ball tracker.
//! - [`flight`] and [`bridge`]: offline, the ball in the air and across short gaps.
//! - [`swaps`]: offline, puts back people two tracks swapped where they met, told by
//!   how tall each stands ([`stature`]).
//! - [`relink`]: offline, joins tracks that are one person lost and found again, with
//!   [`stature`], how tall each track's person stands;
//!   [`trajectory`]: offline, fills their short gaps and steadies their positions.
//! - [`tracks`]: `tracks.json` and its MOTChallenge CSV export.
//! - [`metrics`]: HOTA (with DetA, AssA and LocA), IDF1 and MOTA over any per-frame
//!   similarity between truth and tracks, and the optimal assignment they rest on.
#![deny(missing_docs)]

pub mod ball;
pub mod bridge;
pub mod flight;
pub mod kalman;
pub mod metrics;
pub mod people;
pub mod pipeline;
pub mod relink;
pub mod stature;
pub mod swaps;
pub mod teams;
pub mod tracks;
pub mod trajectory;

pub use pipeline::{FrameTracks, MatchTracker, TrackerOptions};

/// What can go wrong in tracking.
pub type Error = touchline_detect::Error;
/// The tracking crate's result type.
pub type Result<T> = std::result::Result<T, Error>;
