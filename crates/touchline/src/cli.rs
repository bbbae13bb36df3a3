//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use touchline_core::geometry::{Pitch, Sport};

/// Touchline: an open-source automatic sports camera.
#[derive(Debug, Parser)]
#[command(name = "touchline", version, about, allow_negative_numbers = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a match filmed by the two-camera rig: left.mp4, right.mp4, rig.toml,
    /// truth.json (and panorama.mp4 with --panorama).
    #[command(allow_negative_numbers = true)]
    Sim(SimArgs),
    /// Run the whole pipeline on the embedded simulated match and say where the
    /// results are.
    #[command(allow_negative_numbers = true)]
    Demo(DemoArgs),
    /// Work out rig.toml from the two camera videos and a few landmarks: the lenses,
    /// the cameras relative to each other and their place on the pitch.
    #[command(allow_negative_numbers = true)]
    Calibrate(CalibrateArgs),
    /// Stitch the rig's left and right camera videos into its panorama video.
    Stitch(StitchArgs),
    /// Detect people and the ball in still pictures, writing YOLO-format files.
    Detect(DetectArgs),
    /// Score detections against labels (precision and recall per class).
    Eval(EvalArgs),
    /// Detect and track people and the ball over the two camera videos: tracks.json
    Track(TrackArgs),
    /// Process two recordings into a follow-cam video, in one GStreamer pipeline:
    /// out/follow.mp4, panorama.mp4, tracks.json, camera_path.csv.
    Process(ProcessArgs),
    /// Direct the virtual camera over a tracked match: camera_path.csv, offline or as
    /// live on a delay.
    Direct(DirectArgs),
    /// Render a virtual camera's view of a panorama video along a camera path.
    #[command(allow_negative_numbers = true)]
    Render(RenderArgs),
}

/// The sport and the pitch as built, shared by the commands that need them.
#[derive(Debug, Args)]
pub struct PitchArgs {
    /// Sport profile: football (11-a-side, 105 × 68 m) or football7 (60 × 40 m).
    #[arg(long, default_value = "football")]
    pub sport: String,
    /// Pitch length in metres (default: the sport's standard).
    #[arg(long)]
    pub pitch_length: Option<f64>,
    /// Pitch width in metres (default: the sport's standard).
    #[arg(long)]
    pub pitch_width: Option<f64>,
}

impl PitchArgs {
    /// The sport and its pitch, validated.
    pub fn parse(&self) -> anyhow::Result<(Sport, Pitch)> {
        let sport: Sport = self.sport.parse()?;
        let standard = sport.pitch();
        let pitch = match (self.pitch_length, self.pitch_width) {
            (None, None) => standard,
            (length, width) => standard.with_size(
                length.unwrap_or(standard.length),
                width.unwrap_or(standard.width),
            )?,
        };
        Ok((sport, pitch))
    }
}

/// Options of `touchline sim`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Length of the footage, seconds.
    #[arg(long, default_value_t = 60.0)]
    pub seconds: f64,
    /// Seed: the same seed replays the same match.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// The sport and its pitch.
    #[command(flatten)]
    pub pitch: PitchArgs,
    /// Width of each camera's picture, pixels.
    #[arg(long, default_value_t = 1920)]
    pub width: i64,
    /// Height of each camera's picture, pixels.
    #[arg(long, default_value_t = 1080)]
    pub height: i64,
    /// Frames per second.
    #[arg(long, default_value_t = 25)]
    pub fps: i64,
    /// Height of the camera mast, metres.
    #[arg(long, default_value_t = 6.0)]
    pub mast_height: f64,
    /// Distance of the mast behind the near touchline, metres.
    #[arg(long, default_value_t = 8.0)]
    pub setback: f64,
    /// Clock offset of the right camera against the left, seconds (sub-frame).
    #[arg(long, default_value_t = 0.012)]
    pub time_offset: f64,
    /// Use this rig file instead of the default rig (cameras without a sensor table get
    /// the default sensors).
    #[arg(long)]
    pub rig: Option<PathBuf>,
    /// Also render the ideal panorama (panorama.mp4), the stitcher's ground truth.
    #[arg(long)]
    pub panorama: bool,
    /// Output folder (created if missing).
    #[arg(short, long)]
    pub output: PathBuf,
}

/// Options of `touchline demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Output folder.
    #[arg(short, long, default_value = "out/demo")]
    pub output: PathBuf,
    /// Length of the simulated match, seconds.
    #[arg(long, default_value_t = 60.0)]
    pub seconds: f64,
}

/// Options of `touchline calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The left camera's video.
    pub left: PathBuf,
    /// The right camera's video.
    pub right: PathBuf,
    /// Landmarks: `camera,x,y,pitch_x,pitch_y` lines (left|right, pixels, metres), at
    /// least four points of the pitch not on one line.
    #[arg(long)]
    pub landmarks: PathBuf,
    /// The sport and its pitch.
    #[command(flatten)]
    pub pitch: PitchArgs,
    /// Frame pairs, a little over a second apart, to match features in.
    #[arg(long, default_value_t = 6)]
    pub pairs: u32,
    /// Width of the panorama the rig frames, pixels.
    #[arg(long, default_value_t = 3840)]
    pub panorama_width: u32,
    /// Where to write the rig.
    #[arg(short, long, default_value = "rig.toml")]
    pub output: PathBuf,
}

/// Options of `touchline detect`.
#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Folder of pictures (JPEG or PNG).
    pub images: PathBuf,
    /// Folder for the detections: one YOLO file per picture (class 0 person, 1 ball,
    /// then centre and size normalised to 0..1, then the score).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Resize each picture to WIDTHxHEIGHT before detecting (to undo a stretch).
    #[arg(long)]
    pub resize: Option<String>,
    /// Another detector: an ONNX model in NanoDet's format (default: the built-in
    /// NanoDet-g).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Network input tile, pixels (a multiple of 32).
    #[arg(long, default_value_t = 416)]
    pub tile: u32,
    /// Look for the ball in the picture magnified this much (1 to 4), in a second
    /// pass over more tiles: a broadcast ball is 7–13 px across, small for the
    /// network. 1 looks once, for people and ball together.
    #[arg(long, default_value_t = 1.5)]
    pub ball_scale: f32,
    /// Also write what is not on the pitch: people whose boots are not on grass (the
    /// bench, stewards, the crowd) and balls not seen against grass; by default, in a
    /// picture of a pitch, only people standing on it and balls over it are written.
    #[arg(long)]
    pub off_pitch: bool,
}

/// Options of `touchline eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Score YOLO-format detections (OUTPUT, a folder) against YOLO-format labels
    /// (TRUTH, a folder). The labels' class names come from data.yaml beside or above
    /// their folder when there is one (football/ball → ball; player/goalkeeper/referee/
    /// person → person), else 0 = person, 1 = ball.
    #[arg(long)]
    pub yolo: bool,
    /// tracks.json from `touchline track` (with --yolo: the folder of detection files).
    pub output: PathBuf,
    /// truth.json from `touchline sim` (with --yolo: the folder of label files).
    pub truth: PathBuf,
    /// Least intersection over union of a match (with --yolo).
    #[arg(long, default_value_t = 0.5)]
    pub iou: f32,
    /// The rig the truth was filmed with (default: rig.toml beside TRUTH).
    #[arg(long)]
    pub rig: Option<PathBuf>,
    /// Also measure this camera path (camera_path.csv from `touchline direct`) against
    /// the true ball, beside a static wide shot and a raw ball-follow.
    #[arg(long)]
    pub camera: Option<PathBuf>,
}

/// Options of `touchline process`.
#[derive(Debug, Args)]
pub struct ProcessArgs {
    /// Video of the left camera (the rig's first camera).
    pub left: PathBuf,
    /// Video of the right camera (the rig's second camera).
    pub right: PathBuf,
    /// The rig (default: rig.toml beside LEFT).
    #[arg(long)]
    pub rig: Option<PathBuf>,
    /// Folder for the results.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Seconds the director looks ahead (the follow-cam runs this far behind).
    #[arg(long, default_value_t = 3.0)]
    pub delay: f64,
}

/// Options of `touchline direct`.
#[derive(Debug, Args)]
pub struct DirectArgs {
    /// tracks.json from `touchline track`.
    pub tracks: PathBuf,
    /// Where to write the camera path (time,pan,tilt,fov per frame).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Direct as live, seeing only this many seconds past each frame (without it: the
    /// whole match at once).
    #[arg(long)]
    pub delay: Option<f64>,
    /// Width of the rendered view, pixels (its aspect shapes the framing).
    #[arg(long, default_value_t = 1920)]
    pub width: u32,
    /// Height of the rendered view, pixels.
    #[arg(long, default_value_t = 1080)]
    pub height: u32,
}

/// Options of `touchline track`.
#[derive(Debug, Args)]
pub struct TrackArgs {
    /// Video of the left camera (the rig's first camera).
    pub left: PathBuf,
    /// Video of the right camera (the rig's second camera).
    pub right: PathBuf,
    /// The rig's calibration and panorama (default: rig.toml beside LEFT).
    #[arg(long)]
    pub rig: Option<PathBuf>,
    /// The tracks file to write (tracks.json).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Also write the people's tracks as MOTChallenge CSV here.
    #[arg(long)]
    pub mot: Option<PathBuf>,
    /// Split groups of people by their silhouettes only, without the learned detector.
    #[arg(long)]
    pub no_learned: bool,
}

/// Options of `touchline stitch`.
#[derive(Debug, Args)]
pub struct StitchArgs {
    /// Video of the left camera (the rig's first camera).
    pub left: PathBuf,
    /// Video of the right camera (the rig's second camera).
    pub right: PathBuf,
    /// The rig's calibration and panorama (default: rig.toml beside LEFT).
    #[arg(long)]
    pub rig: Option<PathBuf>,
    /// Output video of the panorama (H.264 MP4).
    #[arg(short, long)]
    pub output: PathBuf,
}

/// Options of `touchline render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Video of the panorama (what `touchline stitch` writes).
    pub panorama: PathBuf,
    /// The rig whose panorama it is (default: rig.toml beside PANORAMA).
    #[arg(long)]
    pub rig: Option<PathBuf>,
    /// The camera path: path.csv with the header time,pan,tilt,fov (seconds, degrees).
    #[arg(long)]
    pub path: PathBuf,
    /// Width of the view, pixels (even).
    #[arg(long, default_value_t = 1920)]
    pub width: u32,
    /// Height of the view, pixels (even).
    #[arg(long, default_value_t = 1080)]
    pub height: u32,
    /// Interpolate bicubically (sharper when zoomed in, slower) instead of bilinearly.
    #[arg(long)]
    pub bicubic: bool,
    /// Output video of the view (H.264 MP4).
    #[arg(short, long)]
    pub output: PathBuf,
}
