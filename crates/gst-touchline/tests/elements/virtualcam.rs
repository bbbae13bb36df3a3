//! `touchlinevirtualcam`: caps in both directions, pictures against the core renderer,
//! the view meta overriding the properties, and bad rigs, inputs and views as error
//! messages. A small rig keeps the tests fast.

use std::path::Path;

use crate::common::*;
use gst::prelude::*;
use gst_check::Harness;
use gsttouchline::viewmeta;
use touchline_core::geometry::{ImageSize, Rig, ViewAngles};
use touchline_core::warp::{
    ChromaSiting, Frame, FrameMut, Interpolation, PixelFormat, ViewRenderer,
};

const VIEW: (u32, u32) = (320, 180);

/// A virtual camera on `rig` with `properties`, fed I420 panoramas of the rig's size.
fn harness(rig: &Path, properties: &str) -> Harness {
    let mut h = Harness::new_parse(&format!(
        "touchlinevirtualcam rig=\"{}\" width={} height={} {properties}",
        rig.display(),
        VIEW.0,
        VIEW.1
    ));
    h.set_src_caps(i420_caps(PANORAMA));
    h.play();
    h
}

/// Renders one panorama picture, with a view meta when given.
fn render(h: &mut Harness, panorama: &[u8], view: Option<ViewAngles>) -> gst::Sample {
    let mut buffer = frame_buffer(panorama.to_vec(), 0);
    if let Some(view) = view {
        viewmeta::attach(buffer.get_mut().unwrap(), view).unwrap();
    }
    h.push(buffer)
        .expect("the virtual camera takes the panorama");
    let buffer = h.pull().expect("a view");
    let caps = h.sinkpad().unwrap().current_caps().expect("negotiated");
    gst::Sample::builder().buffer(&buffer).caps(&caps).build()
}

/// What the core renders for the same picture and view.
fn core_render(
    rig: &Rig,
    panorama: &[u8],
    view: ViewAngles,
    interpolation: Interpolation,
) -> Vec<u8> {
    let size = ImageSize::new(VIEW.0, VIEW.1).unwrap();
    let mut renderer = ViewRenderer::new(
        rig.panorama,
        PixelFormat::I420,
        size,
        interpolation,
        ChromaSiting::Centre,
    )
    .unwrap();
    let mut out = vec![0u8; PixelFormat::I420.packed_len(size)];
    renderer
        .render(
            view,
            &Frame::packed(PixelFormat::I420, rig.panorama.size, panorama).unwrap(),
            &mut FrameMut::packed(PixelFormat::I420, size, &mut out).unwrap(),
        )
        .unwrap();
    out
}

fn view(pan_deg: f64, tilt_deg: f64, fov_deg: f64) -> ViewAngles {
    ViewAngles {
        pan_deg,
        tilt_deg,
        fov_deg,
    }
}

#[test]
fn a_uniform_panorama_gives_a_uniform_view_of_the_requested_size() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, _) = small_rig(dir.path());
    let mut h = harness(&rig_path, "");
    let sample = render(
        &mut h,
        &uniform_i420(PANORAMA.0, PANORAMA.1, 100, 110, 140),
        None,
    );
    let (info, planes) = packed_planes(&sample);
    assert_eq!(info.format(), gst_video::VideoFormat::I420);
    assert_eq!((info.width(), info.height()), VIEW);
    assert_eq!(info.fps(), gst::Fraction::new(25, 1));
    assert_eq!(info.par(), gst::Fraction::new(1, 1));
    assert!(planes[0].iter().all(|&v| v == 100));
    assert!(planes[1].iter().all(|&v| v == 110));
    assert!(planes[2].iter().all(|&v| v == 140));
    assert_eq!(
        sample.buffer().unwrap().pts(),
        Some(gst::ClockTime::ZERO),
        "timestamps pass through"
    );
}

#[test]
fn the_properties_render_as_the_core_does() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, rig) = small_rig(dir.path());
    let panorama = textured_i420(PANORAMA.0, PANORAMA.1, 5);
    for (interpolation, name) in [
        (Interpolation::Bilinear, "bilinear"),
        (Interpolation::Bicubic, "bicubic"),
    ] {
        let mut h = harness(
            &rig_path,
            &format!("pan=-25 tilt=12 fov=30 interpolation={name}"),
        );
        let (_, planes) = packed_planes(&render(&mut h, &panorama, None));
        let expected = core_render(&rig, &panorama, view(-25.0, 12.0, 30.0), interpolation);
        assert!(
            planes.concat() == expected,
            "{name} differs from the core's"
        );
    }
}

#[test]
fn a_view_meta_on_the_input_overrides_the_properties() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, _) = small_rig(dir.path());
    let panorama = textured_i420(PANORAMA.0, PANORAMA.1, 9);
    let steered = view(30.0, 15.0, 25.0);

    let mut h = harness(&rig_path, "");
    let from_properties = packed_planes(&render(&mut h, &panorama, None)).1;
    let from_meta_sample = render(&mut h, &panorama, Some(steered));
    let from_meta = packed_planes(&from_meta_sample).1;
    assert!(
        from_meta != from_properties,
        "the meta's view is another picture than the properties'"
    );
    assert_eq!(
        viewmeta::read(from_meta_sample.buffer().unwrap()),
        Some(steered),
        "the view stays on the buffer"
    );

    let mut same_by_properties = harness(&rig_path, "pan=30 tilt=15 fov=25");
    let expected = packed_planes(&render(&mut same_by_properties, &panorama, None)).1;
    assert!(
        from_meta == expected,
        "the meta renders what the same properties render"
    );
}

#[test]
fn upstream_that_can_scale_is_asked_for_the_panorama_size() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, _) = small_rig(dir.path());
    // videotestsrc prefers 320×240; the virtual camera asks for the rig's 1280×400.
    let p = pipeline(&format!(
        "videotestsrc num-buffers=2 ! video/x-raw,format=NV12 ! videoscale \
         ! touchlinevirtualcam rig=\"{}\" width=256 height=144 \
         ! appsink name=out sync=false",
        rig_path.display()
    ));
    let outcome = run_pipeline(&p, |_| ());
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.samples.len(), 2);
    let (info, _) = packed_planes(&outcome.samples[0]);
    assert_eq!(info.format(), gst_video::VideoFormat::Nv12);
    assert_eq!((info.width(), info.height()), (256, 144));
}

#[test]
fn the_caps_query_gives_the_view_size_downstream_and_the_panorama_size_upstream() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, _) = small_rig(dir.path());
    let cam = gst::ElementFactory::make("touchlinevirtualcam")
        .property("rig", rig_path.to_str().unwrap())
        .property("width", 640u32)
        .property("height", 360u32)
        .build()
        .unwrap();
    cam.set_state(gst::State::Ready).unwrap();
    // Start happens on the way to PAUSED; the caps queries only need the properties
    // and, for the panorama's size, the rig.
    cam.set_state(gst::State::Paused).unwrap();
    let downstream = cam.static_pad("src").unwrap().query_caps(None);
    let s = downstream.structure(0).unwrap();
    assert_eq!(s.get::<i32>("width").unwrap(), 640);
    assert_eq!(s.get::<i32>("height").unwrap(), 360);
    let upstream = cam.static_pad("sink").unwrap().query_caps(None);
    let s = upstream.structure(0).unwrap();
    assert_eq!(
        (
            s.get::<i32>("width").unwrap(),
            s.get::<i32>("height").unwrap()
        ),
        (PANORAMA.0 as i32, PANORAMA.1 as i32),
        "the panorama's size comes first: {upstream}"
    );
    cam.set_state(gst::State::Null).unwrap();
}

/// Runs a test source of `size` through a virtual camera with `properties`; the error
/// message.
fn render_error(properties: &str, size: (u32, u32)) -> String {
    let p = pipeline(&format!(
        "videotestsrc num-buffers=2 ! video/x-raw,format=I420,width={},height={} \
         ! touchlinevirtualcam {properties} width=320 height=180 \
         ! appsink name=out sync=false",
        size.0, size.1
    ));
    let outcome = run_pipeline(&p, |_| ());
    assert!(outcome.samples.is_empty());
    outcome.error.expect("the virtual camera refuses")
}

#[test]
fn a_missing_rig_file_is_an_error_message_naming_it() {
    init();
    let err = render_error("rig=/nonexistent/rig.toml", PANORAMA);
    assert!(
        err.contains("cannot read rig file /nonexistent/rig.toml"),
        "{err}"
    );
}

#[test]
fn a_malformed_rig_file_is_an_error_message_naming_it() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let path = malformed_rig(dir.path());
    let err = render_error(&format!("rig=\"{}\"", path.display()), PANORAMA);
    assert!(err.contains("malformed rig file"), "{err}");
    assert!(err.contains("broken.toml"), "{err}");
}

#[test]
fn a_panorama_of_another_size_than_the_rigs_is_an_error_message() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, _) = small_rig(dir.path());
    let err = render_error(&format!("rig=\"{}\"", rig_path.display()), (640, 360));
    assert!(err.contains("640×360"), "{err}");
    assert!(err.contains("1280×400"), "{err}");
}

#[test]
fn an_odd_view_size_is_an_error_message() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, _) = small_rig(dir.path());
    let p = pipeline(&format!(
        "videotestsrc num-buffers=1 ! video/x-raw,format=I420,width=1280,height=400 \
         ! touchlinevirtualcam rig=\"{}\" width=321 height=180 ! appsink name=out",
        rig_path.display()
    ));
    let err = run_pipeline(&p, |_| ()).error.expect("refused");
    assert!(err.contains("321×180"), "{err}");
}

#[test]
fn an_impossible_view_in_the_meta_is_an_error_message() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (rig_path, _) = small_rig(dir.path());
    let p = pipeline(&format!(
        "appsrc name=src format=time caps=\"{}\" \
         ! touchlinevirtualcam rig=\"{}\" width=320 height=180 ! appsink name=out",
        i420_caps(PANORAMA),
        rig_path.display()
    ));
    let outcome = run_pipeline(&p, |p| {
        let mut buffer = frame_buffer(uniform_i420(PANORAMA.0, PANORAMA.1, 90, 128, 128), 0);
        viewmeta::attach(buffer.get_mut().unwrap(), view(0.0, 95.0, 40.0)).unwrap();
        push_all(p, "src", vec![buffer]);
    });
    let err = outcome.error.expect("refused");
    assert!(err.contains("tilt 95"), "{err}");
    assert!(outcome.samples.is_empty());
}
