//! The implementation of `touchlinevirtualcam`: a video filter around
//! [`touchline_core::warp::ViewRenderer`].
//!
//! The rig is read and the output size checked in `start()`, so a missing or malformed
//! rig fails the state change with the core's message. Caps: towards the source the
//! picture size becomes `width`×`height` with square pixels; towards the sink it
//! becomes the panorama's size first and any size after it, so that a panorama of the
//! wrong size is refused in `set_info()` with a message naming both sizes rather than
//! with a bare "not negotiated" (the sink pad's caps query is answered here, because
//! BaseTransform's own answer would put downstream's caps first). The renderer is built
//! in `set_info()`; `before_transform()` syncs the controllable properties to the
//! buffer's stream time and `transform_frame()` renders the view from the buffer's view
//! meta, or from the properties when it has none.

use std::path::PathBuf;
use std::sync::{LazyLock, Mutex};

use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::BaseTransformMode;
use gst_video::prelude::*;
use gst_video::subclass::prelude::*;
use touchline_core::geometry::{ImageSize, Panorama, ViewAngles};
use touchline_core::warp::ViewRenderer;

use super::Interpolation;
use crate::{frames, rigfile, viewmeta};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "touchlinevirtualcam",
        gst::DebugColorFlags::empty(),
        Some("Touchline virtual camera"),
    )
});

const DEFAULT_WIDTH: u32 = 1920;
const DEFAULT_HEIGHT: u32 = 1080;
const DEFAULT_PAN: f64 = 0.0;
const DEFAULT_TILT: f64 = 20.0;
const DEFAULT_FOV: f64 = 40.0;
const DEFAULT_INTERPOLATION: Interpolation = Interpolation::Bilinear;

/// The picture sides the element negotiates (sides must also be even).
const MIN_SIDE: u32 = 16;
const MAX_SIDE: u32 = 16384;

/// The property ranges of the view. `ViewAngles::validate` refuses a tilt of ±89° and
/// beyond, so the property stops just short of it.
const MAX_PAN_DEG: f64 = 180.0;
const MAX_TILT_DEG: f64 = 88.9;
const FOV_RANGE_DEG: (f64, f64) = touchline_core::geometry::virtual_camera::FOV_RANGE_DEG;

/// Property values, as the application (or a control binding) set them.
#[derive(Debug, Clone)]
struct Settings {
    rig: Option<PathBuf>,
    width: u32,
    height: u32,
    view: ViewAngles,
    interpolation: Interpolation,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rig: None,
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
            view: ViewAngles {
                pan_deg: DEFAULT_PAN,
                tilt_deg: DEFAULT_TILT,
                fov_deg: DEFAULT_FOV,
            },
            interpolation: DEFAULT_INTERPOLATION,
        }
    }
}

/// What `start()` read and checked; dropped in `stop()`.
struct State {
    panorama: Panorama,
    view_size: ImageSize,
}

/// The renderer for the negotiated format. The streaming thread holds its lock while
/// it renders, so it is kept apart from [`State`], which caps queries read.
struct Stream {
    renderer: ViewRenderer,
}

#[derive(Default)]
pub struct TouchlineVirtualCam {
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
    stream: Mutex<Option<Stream>>,
}

impl TouchlineVirtualCam {
    /// The caps both pads can have, before the rig and the properties narrow them.
    fn template_caps() -> gst::Caps {
        gst_video::VideoCapsBuilder::new()
            .format_list(frames::FORMATS)
            .width_range(frames::caps_side(MIN_SIDE)..=frames::caps_side(MAX_SIDE))
            .height_range(frames::caps_side(MIN_SIDE)..=frames::caps_side(MAX_SIDE))
            .build()
    }

    /// The view size: the checked one once started, the properties' before.
    fn view_size(&self) -> (u32, u32) {
        if let Some(state) = self.state.lock().unwrap().as_ref() {
            return (state.view_size.width, state.view_size.height);
        }
        let settings = self.settings.lock().unwrap();
        (settings.width, settings.height)
    }

    /// The panorama's size once the rig is read.
    fn panorama_size(&self) -> Option<ImageSize> {
        self.state.lock().unwrap().as_ref().map(|s| s.panorama.size)
    }

    /// Posts a negotiation error naming the problem and returns the matching logged
    /// error.
    fn negotiation_error(&self, message: String) -> gst::LoggableError {
        gst::element_imp_error!(self, gst::CoreError::Negotiation, ("{}", message));
        gst::loggable_error!(CAT, "{message}")
    }

    /// The view to render for `buffer`: its view meta's, or the properties'.
    fn view_for(&self, buffer: &gst::BufferRef) -> ViewAngles {
        match viewmeta::read(buffer) {
            Some(view) => {
                gst::trace!(CAT, imp = self, "View from the meta: {view:?}");
                view
            }
            None => self.settings.lock().unwrap().view,
        }
    }
}

/// `caps` with every structure's picture size set to `width`×`height`.
fn with_size(caps: &gst::Caps, width: i32, height: i32) -> gst::Caps {
    let mut caps = caps.clone();
    for s in caps.make_mut().iter_mut() {
        s.set("width", width);
        s.set("height", height);
    }
    caps
}

#[glib::object_subclass]
impl ObjectSubclass for TouchlineVirtualCam {
    const NAME: &'static str = "GstTouchlineVirtualCam";
    type Type = super::TouchlineVirtualCam;
    type ParentType = gst_video::VideoFilter;
}

impl ObjectImpl for TouchlineVirtualCam {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPERTIES: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecString::builder("rig")
                    .nick("Rig")
                    .blurb("Path of the rig.toml whose panorama the input is (required)")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("width")
                    .nick("Width")
                    .blurb("Width of the view, pixels (even)")
                    .minimum(MIN_SIDE)
                    .maximum(MAX_SIDE)
                    .default_value(DEFAULT_WIDTH)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("height")
                    .nick("Height")
                    .blurb("Height of the view, pixels (even)")
                    .minimum(MIN_SIDE)
                    .maximum(MAX_SIDE)
                    .default_value(DEFAULT_HEIGHT)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecDouble::builder("pan")
                    .nick("Pan")
                    .blurb("Pan, degrees: 0 looks straight across the pitch, positive to the right")
                    .minimum(-MAX_PAN_DEG)
                    .maximum(MAX_PAN_DEG)
                    .default_value(DEFAULT_PAN)
                    .mutable_playing()
                    .controllable()
                    .build(),
                glib::ParamSpecDouble::builder("tilt")
                    .nick("Tilt")
                    .blurb("Tilt, degrees: positive looks down")
                    .minimum(-MAX_TILT_DEG)
                    .maximum(MAX_TILT_DEG)
                    .default_value(DEFAULT_TILT)
                    .mutable_playing()
                    .controllable()
                    .build(),
                glib::ParamSpecDouble::builder("fov")
                    .nick("Field of view")
                    .blurb("Horizontal field of view, degrees: smaller zooms in")
                    .minimum(FOV_RANGE_DEG.0)
                    .maximum(FOV_RANGE_DEG.1)
                    .default_value(DEFAULT_FOV)
                    .mutable_playing()
                    .controllable()
                    .build(),
                glib::ParamSpecEnum::builder_with_default("interpolation", DEFAULT_INTERPOLATION)
                    .nick("Interpolation")
                    .blurb("How to interpolate between panorama samples")
                    .mutable_ready()
                    .build(),
            ]
        });
        PROPERTIES.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut settings = self.settings.lock().unwrap();
        match pspec.name() {
            "rig" => {
                let rig: Option<String> = value.get().expect("type checked upstream");
                gst::debug!(CAT, imp = self, "Rig: {rig:?}");
                settings.rig = rig.map(PathBuf::from);
            }
            "width" => {
                settings.width = value.get().expect("type checked upstream");
                gst::debug!(CAT, imp = self, "Width: {}", settings.width);
            }
            "height" => {
                settings.height = value.get().expect("type checked upstream");
                gst::debug!(CAT, imp = self, "Height: {}", settings.height);
            }
            "pan" => {
                settings.view.pan_deg = value.get().expect("type checked upstream");
                gst::log!(CAT, imp = self, "Pan: {}", settings.view.pan_deg);
            }
            "tilt" => {
                settings.view.tilt_deg = value.get().expect("type checked upstream");
                gst::log!(CAT, imp = self, "Tilt: {}", settings.view.tilt_deg);
            }
            "fov" => {
                settings.view.fov_deg = value.get().expect("type checked upstream");
                gst::log!(CAT, imp = self, "Field of view: {}", settings.view.fov_deg);
            }
            "interpolation" => {
                settings.interpolation = value.get().expect("type checked upstream");
                gst::debug!(
                    CAT,
                    imp = self,
                    "Interpolation: {:?}",
                    settings.interpolation
                );
            }
            _ => unimplemented!(),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let settings = self.settings.lock().unwrap();
        match pspec.name() {
            "rig" => settings
                .rig
                .as_ref()
                .map(|p| p.to_string_lossy().into_owned())
                .to_value(),
            "width" => settings.width.to_value(),
            "height" => settings.height.to_value(),
            "pan" => settings.view.pan_deg.to_value(),
            "tilt" => settings.view.tilt_deg.to_value(),
            "fov" => settings.view.fov_deg.to_value(),
            "interpolation" => settings.interpolation.to_value(),
            _ => unimplemented!(),
        }
    }
}

impl GstObjectImpl for TouchlineVirtualCam {}

impl ElementImpl for TouchlineVirtualCam {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static ELEMENT_METADATA: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Touchline virtual camera",
                "Filter/Effect/Video",
                "Renders a pan-tilt-zoom camera's perspective view from the rig's panorama",
                "Touchline developers",
            )
        });
        Some(&*ELEMENT_METADATA)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static PAD_TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let caps = TouchlineVirtualCam::template_caps();
            let src = gst::PadTemplate::new(
                "src",
                gst::PadDirection::Src,
                gst::PadPresence::Always,
                &caps,
            )
            .expect("a valid pad template");
            let sink = gst::PadTemplate::new(
                "sink",
                gst::PadDirection::Sink,
                gst::PadPresence::Always,
                &caps,
            )
            .expect("a valid pad template");
            vec![src, sink]
        });
        PAD_TEMPLATES.as_ref()
    }
}

impl BaseTransformImpl for TouchlineVirtualCam {
    const MODE: BaseTransformMode = BaseTransformMode::NeverInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let settings = self.settings.lock().unwrap().clone();
        let rig = rigfile::load(settings.rig.as_deref())?;
        let view_size = ImageSize::new(settings.width, settings.height).map_err(|e| {
            gst::error_msg!(gst::LibraryError::Settings, ("Invalid view size: {}", e))
        })?;
        gst::info!(
            CAT,
            imp = self,
            "Started: {}×{} views of the {}×{} panorama",
            view_size.width,
            view_size.height,
            rig.panorama.size.width,
            rig.panorama.size.height
        );
        *self.state.lock().unwrap() = Some(State {
            panorama: rig.panorama,
            view_size,
        });
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *self.stream.lock().unwrap() = None;
        *self.state.lock().unwrap() = None;
        gst::info!(CAT, imp = self, "Stopped");
        Ok(())
    }

    fn transform_caps(
        &self,
        direction: gst::PadDirection,
        caps: &gst::Caps,
        filter: Option<&gst::Caps>,
    ) -> Option<gst::Caps> {
        let other = match direction {
            // What the source pad can have for these sink caps: the view's size.
            gst::PadDirection::Sink => {
                let (width, height) = self.view_size();
                let mut other =
                    with_size(caps, frames::caps_side(width), frames::caps_side(height));
                for s in other.make_mut().iter_mut() {
                    s.set("pixel-aspect-ratio", gst::Fraction::new(1, 1));
                }
                other
            }
            // What the sink pad can have for these source caps: the panorama's size
            // first, any size after it.
            _ => {
                let mut any = caps.clone();
                for s in any.make_mut().iter_mut() {
                    s.set(
                        "width",
                        gst::IntRange::new(
                            frames::caps_side(MIN_SIDE),
                            frames::caps_side(MAX_SIDE),
                        ),
                    );
                    s.set(
                        "height",
                        gst::IntRange::new(
                            frames::caps_side(MIN_SIDE),
                            frames::caps_side(MAX_SIDE),
                        ),
                    );
                    s.remove_field("pixel-aspect-ratio");
                }
                match self.panorama_size() {
                    Some(size) => {
                        let mut other = with_size(
                            &any,
                            frames::caps_side(size.width),
                            frames::caps_side(size.height),
                        );
                        other.merge(any);
                        other
                    }
                    None => any,
                }
            }
        };
        gst::debug!(
            CAT,
            imp = self,
            "Transformed {caps} towards the {}: {other}",
            if direction == gst::PadDirection::Sink {
                "source"
            } else {
                "sink"
            }
        );
        Some(match filter {
            Some(filter) => filter.intersect_with_mode(&other, gst::CapsIntersectMode::First),
            None => other,
        })
    }

    fn query(&self, direction: gst::PadDirection, query: &mut gst::QueryRef) -> bool {
        // BaseTransform answers a sink caps query with downstream's untransformed caps
        // first, betting on passthrough. A virtual camera never passes the panorama
        // through, and that bet would have a scaling upstream make panoramas of the
        // view's size: the sink pad answers the transformed caps alone.
        if direction == gst::PadDirection::Sink {
            if let gst::QueryViewMut::Caps(q) = query.view_mut() {
                let obj = self.obj();
                let src = obj.src_pad();
                let downstream = src.peer_query_caps(Some(&src.pad_template_caps()));
                let caps = self
                    .transform_caps(gst::PadDirection::Src, &downstream, None)
                    .unwrap_or_else(gst::Caps::new_empty)
                    .intersect_with_mode(
                        &obj.sink_pad().pad_template_caps(),
                        gst::CapsIntersectMode::First,
                    );
                let caps = match q.filter() {
                    Some(filter) => {
                        filter.intersect_with_mode(&caps, gst::CapsIntersectMode::First)
                    }
                    None => caps,
                };
                gst::debug!(CAT, imp = self, "Sink pad offers {caps}");
                q.set_result(&caps);
                return true;
            }
        }
        BaseTransformImplExt::parent_query(self, direction, query)
    }

    fn fixate_caps(
        &self,
        direction: gst::PadDirection,
        caps: &gst::Caps,
        mut othercaps: gst::Caps,
    ) -> gst::Caps {
        othercaps.truncate();
        let (width, height) = match direction {
            gst::PadDirection::Sink => self.view_size(),
            _ => self
                .panorama_size()
                .map_or_else(|| self.view_size(), |s| (s.width, s.height)),
        };
        let framerate = caps
            .structure(0)
            .and_then(|s| s.get::<gst::Fraction>("framerate").ok());
        if let Some(s) = othercaps.make_mut().structure_mut(0) {
            s.fixate_field_nearest_int("width", frames::caps_side(width));
            s.fixate_field_nearest_int("height", frames::caps_side(height));
            if let Some(framerate) = framerate {
                s.fixate_field_nearest_fraction("framerate", framerate);
            }
            if s.has_field("pixel-aspect-ratio") {
                s.fixate_field_nearest_fraction("pixel-aspect-ratio", gst::Fraction::new(1, 1));
            }
        }
        self.parent_fixate_caps(direction, caps, othercaps)
    }

    fn before_transform(&self, inbuf: &gst::BufferRef) {
        let obj = self.obj();
        let Some(pts) = inbuf.pts() else {
            return;
        };
        let segment = obj.segment();
        let Some(segment) = segment.downcast_ref::<gst::ClockTime>() else {
            return;
        };
        if let Some(stream_time) = segment.to_stream_time(pts) {
            gst::trace!(CAT, imp = self, "Syncing the view to {stream_time}");
            if let Err(e) = obj.sync_values(stream_time) {
                gst::warning!(
                    CAT,
                    imp = self,
                    "Cannot sync the view to {stream_time}: {e}"
                );
            }
        }
    }
}

impl VideoFilterImpl for TouchlineVirtualCam {
    fn set_info(
        &self,
        incaps: &gst::Caps,
        in_info: &gst_video::VideoInfo,
        outcaps: &gst::Caps,
        out_info: &gst_video::VideoInfo,
    ) -> Result<(), gst::LoggableError> {
        let (panorama, view_size) = {
            let state = self.state.lock().unwrap();
            let state = state
                .as_ref()
                .ok_or_else(|| gst::loggable_error!(CAT, "Negotiating before start"))?;
            (state.panorama, state.view_size)
        };
        let format = frames::pixel_format(in_info.format())
            .filter(|_| in_info.format() == out_info.format())
            .ok_or_else(|| {
                self.negotiation_error(format!("Cannot render {incaps} into {outcaps}"))
            })?;
        if (in_info.width(), in_info.height()) != (panorama.size.width, panorama.size.height) {
            return Err(self.negotiation_error(format!(
                "The panorama input is {}×{}, but the rig's panorama is {}×{}",
                in_info.width(),
                in_info.height(),
                panorama.size.width,
                panorama.size.height
            )));
        }
        if (out_info.width(), out_info.height()) != (view_size.width, view_size.height) {
            return Err(self.negotiation_error(format!(
                "The view is {}×{}, but the width and height properties say {}×{}",
                out_info.width(),
                out_info.height(),
                view_size.width,
                view_size.height
            )));
        }
        let interpolation = self.settings.lock().unwrap().interpolation;
        let siting = frames::chroma_siting(in_info.chroma_site());
        let renderer = ViewRenderer::new(panorama, format, view_size, interpolation.into(), siting)
            .map_err(|e| self.negotiation_error(format!("Cannot render this view: {e}")))?;
        gst::info!(
            CAT,
            imp = self,
            "Rendering {format:?} ({siting:?} chroma), {interpolation:?}: {}×{} → {}×{}",
            in_info.width(),
            in_info.height(),
            view_size.width,
            view_size.height
        );
        *self.stream.lock().unwrap() = Some(Stream { renderer });
        Ok(())
    }

    fn transform_frame(
        &self,
        inframe: &gst_video::VideoFrameRef<&gst::BufferRef>,
        outframe: &mut gst_video::VideoFrameRef<&mut gst::BufferRef>,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let pts = inframe.buffer().pts();
        let view = self.view_for(inframe.buffer());
        if let Err(e) = view.validate() {
            gst::element_imp_error!(
                self,
                gst::StreamError::Failed,
                ("Cannot render the view at {}: {}", pts.display(), e)
            );
            return Err(gst::FlowError::Error);
        }
        let mut stream = self.stream.lock().unwrap();
        let Some(stream) = stream.as_mut() else {
            gst::element_imp_error!(self, gst::CoreError::Negotiation, ("No format negotiated"));
            return Err(gst::FlowError::NotNegotiated);
        };
        let rendered = frames::frame(inframe).and_then(|panorama| {
            let mut view_frame = frames::frame_mut(outframe)?;
            stream
                .renderer
                .render(view, &panorama, &mut view_frame)
                .map_err(|e| e.to_string())
        });
        if let Err(e) = rendered {
            gst::element_imp_error!(
                self,
                gst::StreamError::Failed,
                ("Cannot render the view at {}: {}", pts.display(), e)
            );
            return Err(gst::FlowError::Error);
        }
        gst::log!(CAT, imp = self, "Rendered {view:?} at {}", pts.display());
        Ok(gst::FlowSuccess::Ok)
    }
}
