//! The tracking metrics: their properties, and agreement with TrackEval (ignored unless
//! a Python with trackeval is at hand). One test binary.

mod properties;
mod trackeval;
