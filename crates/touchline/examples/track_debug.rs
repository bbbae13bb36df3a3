//! Prints, for one frame, the truth's panorama boxes and the tracker's, as JSON lines
//! (for drawing over a panorama frame while tuning).
use touchline::commands::eval_tracks::BoxMapper;
fn main() -> anyhow::Result<()> {
    let a: Vec<String> = std::env::args().collect();
    let (dir, frame): (&str, usize) = (&a[1], a[2].parse()?);
    let rig = touchline_core::geometry::Rig::load(&std::path::Path::new(dir).join("rig.toml"))?;
    let truth: touchline_sim::truth::Truth =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/truth.json"))?)?;
    let tracks = touchline_track::tracks::TracksFile::from_json(&std::fs::read_to_string(
        format!("{dir}/tracks.json"),
    )?)
    .map_err(anyhow::Error::msg)?;
    let m = BoxMapper::new(&rig)?;
    let g = &truth.frames[frame];
    for p in &g.people {
        if let Some((b, v)) = m.panorama_box(&p.boxes) {
            println!(
                "T {} {:.1} {:.1} {:.1} {:.1} {:.2}",
                p.id.0, b[0], b[1], b[2], b[3], v
            );
        }
    }
    if let Some((b, v)) = m.panorama_box(&g.ball.boxes) {
        println!(
            "B {:.1} {:.1} {:.1} {:.1} {:.2} z={:.2}",
            b[0], b[1], b[2], b[3], v, g.ball.z
        );
    }
    for p in &tracks.frames[frame].people {
        println!(
            "K {} {:.1} {:.1} {:.1} {:.1} {}",
            p.id.0, p.bbox[0], p.bbox[1], p.bbox[2], p.bbox[3], p.seen
        );
    }
    if let Some(b) = &tracks.frames[frame].ball {
        println!("b {:.1} {:.1} {:?}", b.u, b.v, b.source);
    }
    Ok(())
}
