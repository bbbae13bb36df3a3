//! A virtual camera's path: key points of pan, tilt and field of view over time, and
//! the smooth curve through them. Read from and written to `path.csv`
//! (`time,pan,tilt,fov`: seconds and degrees).
//!
//! Between key points each angle follows a monotone cubic (Fritsch–Carlson): smooth,
//! through every key point, and never overshooting it, so a camera told to stop at a
//! pan stops there instead of swinging past and back.

use std::fmt::Write;

use crate::csv;
use crate::error::{Error, Result};
use crate::geometry::ViewAngles;

/// The header line of `path.csv`.
pub const CSV_HEADER: &str = "time,pan,tilt,fov";

/// One key point of a path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PathKey {
    /// Time from the start of the video, seconds.
    pub time_s: f64,
    /// Where the camera looks then.
    pub angles: ViewAngles,
}

/// A validated path: at least one key, times finite and strictly increasing.
#[derive(Clone, Debug, PartialEq)]
pub struct CameraPath {
    keys: Vec<PathKey>,
    /// Per key, the slope of pan, tilt and fov (degrees per second).
    slopes: Vec<[f64; 3]>,
}

fn channels(a: &ViewAngles) -> [f64; 3] {
    [a.pan_deg, a.tilt_deg, a.fov_deg]
}

impl CameraPath {
    /// A path through `keys`.
    pub fn new(keys: Vec<PathKey>) -> Result<Self> {
        if keys.is_empty() {
            return Err(Error::invalid("camera path", "has no key points"));
        }
        for (i, key) in keys.iter().enumerate() {
            if !key.time_s.is_finite() || key.time_s < 0.0 {
                return Err(Error::invalid(
                    "camera path",
                    format!(
                        "key {} has time {}, not a time from the start",
                        i + 1,
                        key.time_s
                    ),
                ));
            }
            key.angles
                .validate()
                .map_err(|e| Error::invalid("camera path", format!("key {}: {e}", i + 1)))?;
            if i > 0 && key.time_s <= keys[i - 1].time_s {
                return Err(Error::invalid(
                    "camera path",
                    format!(
                        "times must increase, but key {} is at {} s after {} s",
                        i + 1,
                        key.time_s,
                        keys[i - 1].time_s
                    ),
                ));
            }
        }
        let slopes = monotone_slopes(&keys);
        Ok(CameraPath { keys, slopes })
    }

    /// Parses `path.csv`: the header `time,pan,tilt,fov`, then one key per line.
    /// Blank lines and lines starting with `#` are skipped.
    pub fn from_csv(text: &str) -> Result<Self> {
        let keys = csv::records(text, CSV_HEADER, "camera path")?
            .iter()
            .map(|r| {
                Ok(PathKey {
                    time_s: r.number(0)?,
                    angles: ViewAngles {
                        pan_deg: r.number(1)?,
                        tilt_deg: r.number(2)?,
                        fov_deg: r.number(3)?,
                    },
                })
            })
            .collect::<Result<Vec<_>>>()?;
        CameraPath::new(keys)
    }

    /// The path as `path.csv` text.
    pub fn to_csv(&self) -> String {
        let mut out = format!("{CSV_HEADER}\n");
        for k in &self.keys {
            let a = k.angles;
            // Writing to a String cannot fail.
            let _ = writeln!(
                out,
                "{:.3},{:.3},{:.3},{:.3}",
                k.time_s, a.pan_deg, a.tilt_deg, a.fov_deg
            );
        }
        out
    }

    /// The key points.
    pub fn keys(&self) -> &[PathKey] {
        &self.keys
    }

    /// Where the camera looks at time `t`: held at the first key before it and at the
    /// last after it.
    pub fn at(&self, t: f64) -> ViewAngles {
        let keys = &self.keys;
        let last = keys.len() - 1;
        if t <= keys[0].time_s || last == 0 {
            return keys[0].angles;
        }
        if t >= keys[last].time_s {
            return keys[last].angles;
        }
        let i = keys.partition_point(|k| k.time_s <= t) - 1;
        let (k0, k1) = (&keys[i], &keys[i + 1]);
        let h = k1.time_s - k0.time_s;
        let s = (t - k0.time_s) / h;
        let (h00, h10, h01, h11) = (
            (1.0 + 2.0 * s) * (1.0 - s) * (1.0 - s),
            s * (1.0 - s) * (1.0 - s),
            s * s * (3.0 - 2.0 * s),
            s * s * (s - 1.0),
        );
        let (a, b) = (channels(&k0.angles), channels(&k1.angles));
        let v: [f64; 3] = std::array::from_fn(|c| {
            h00 * a[c] + h10 * h * self.slopes[i][c] + h01 * b[c] + h11 * h * self.slopes[i + 1][c]
        });
        ViewAngles {
            pan_deg: v[0],
            tilt_deg: v[1],
            fov_deg: v[2],
        }
    }
}

/// Fritsch–Carlson slopes: harmonic-mean-like tangents that keep each segment monotone.
fn monotone_slopes(keys: &[PathKey]) -> Vec<[f64; 3]> {
    let n = keys.len();
    if n < 2 {
        return vec![[0.0; 3]; n];
    }
    let secant = |i: usize, c: usize| {
        (channels(&keys[i + 1].angles)[c] - channels(&keys[i].angles)[c])
            / (keys[i + 1].time_s - keys[i].time_s)
    };
    let interior = |i: usize, c: usize| {
        let (d0, d1) = (secant(i - 1, c), secant(i, c));
        if d0 * d1 <= 0.0 {
            // A turning point: stop there rather than swing past it.
            return 0.0;
        }
        let (h0, h1) = (
            keys[i].time_s - keys[i - 1].time_s,
            keys[i + 1].time_s - keys[i].time_s,
        );
        let (w0, w1) = (2.0 * h1 + h0, h1 + 2.0 * h0);
        (w0 + w1) / (w0 / d0 + w1 / d1)
    };
    let mut slopes: Vec<[f64; 3]> = (0..n)
        .map(|i| {
            std::array::from_fn(|c| match i {
                0 => secant(0, c),
                _ if i == n - 1 => secant(n - 2, c),
                _ => interior(i, c),
            })
        })
        .collect();
    // A flat stretch stays flat: zero slopes at both its ends.
    for i in 0..n - 1 {
        let flat: [bool; 3] = std::array::from_fn(|c| secant(i, c) == 0.0);
        for k in [i, i + 1] {
            for (slope, flat) in slopes[k].iter_mut().zip(flat) {
                if flat {
                    *slope = 0.0;
                }
            }
        }
    }
    slopes
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CSV: &str = "time,pan,tilt,fov\n0,-20,15,40\n2,0,18,30\n5,25,16,50\n";

    #[test]
    fn the_path_passes_through_its_keys_and_holds_at_the_ends() {
        let path = CameraPath::from_csv(CSV).unwrap();
        for key in path.keys() {
            assert_eq!(path.at(key.time_s), key.angles);
        }
        assert_eq!(path.at(-1.0), path.keys()[0].angles);
        assert_eq!(path.at(99.0), path.keys()[2].angles);
    }

    #[test]
    fn csv_round_trips() {
        let path = CameraPath::from_csv(CSV).unwrap();
        assert_eq!(CameraPath::from_csv(&path.to_csv()).unwrap(), path);
    }

    proptest! {
        #[test]
        fn between_two_keys_the_path_never_overshoots(t in 0.0f64..5.0) {
            let path = CameraPath::from_csv(CSV).unwrap();
            let keys = path.keys();
            let i = keys.partition_point(|k| k.time_s <= t).clamp(1, keys.len() - 1);
            let (a, b) = (channels(&keys[i - 1].angles), channels(&keys[i].angles));
            let v = channels(&path.at(t));
            for c in 0..3 {
                prop_assert!(v[c] >= a[c].min(b[c]) - 1e-9 && v[c] <= a[c].max(b[c]) + 1e-9);
            }
        }
    }

    #[test]
    fn the_path_is_smooth_across_a_key() {
        let path = CameraPath::from_csv(CSV).unwrap();
        let (e, t) = (1e-6, 2.0);
        let before = (path.at(t).pan_deg - path.at(t - e).pan_deg) / e;
        let after = (path.at(t + e).pan_deg - path.at(t).pan_deg) / e;
        assert!((before - after).abs() < 1e-3, "{before} vs {after}");
    }

    #[test]
    fn bad_files_are_refused_with_the_line() {
        for (text, needle) in [
            ("", "empty"),
            ("t,p,t,f\n0,0,0,40\n", "header"),
            ("time,pan,tilt,fov\n0,0,0\n", "line 2"),
            ("time,pan,tilt,fov\n0,0,x,40\n", "'x' is not a number"),
            (
                "time,pan,tilt,fov\n1,0,0,40\n1,0,0,40\n",
                "times must increase",
            ),
            ("time,pan,tilt,fov\n0,0,0,400\n", "field of view"),
        ] {
            let err = CameraPath::from_csv(text).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
            assert!(!err.contains('\n'));
        }
    }
}
