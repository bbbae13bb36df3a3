//! The camera operator: decides for every frame where the virtual camera looks (pan,
//! tilt, field of view) from where the players and the ball are.
//!
//! Three stages, each in its own module:
//! 1. [`framing`]: what should be in the picture this frame, a [`framing::Shot`] (a
//!    pitch point to centre and a width in metres), from the ball and the players
//!    involved; holds, then drifts to the centre of play, when the ball is lost.
//! 2. [`aim`]: a shot as camera angles, and the limits that keep the view inside the
//!    panorama.
//! 3. [`motion`]: a smooth, purposeful path through those targets: a look-ahead
//!    average of the targets (the future a few seconds ahead is known, live on a short
//!    delay or offline), followed by a camera head with a dead zone and bounded speed,
//!    acceleration and jerk that brakes in time instead of overshooting.
//!
//! [`director`] ties them together, offline over a whole match and live frame by frame
//! on a fixed delay; [`metrics`] measures a camera path against the true ball.

pub mod aim;
pub mod director;
pub mod framing;
pub mod metrics;
pub mod motion;

pub use director::{Director, DirectorOptions, LiveDirector};
pub use framing::Play;
