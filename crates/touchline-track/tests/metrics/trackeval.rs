//! The Rust half of `bench/metrics_crosscheck.py`, which compares the metrics with
//! TrackEval's. Ignored in the normal test run: the script runs it with
//! `--ignored` and two environment variables naming its input and output files.

use touchline_track::metrics::{clear_mot, hota, identity, FrameMatch};

#[test]
#[ignore = "driven by bench/metrics_crosscheck.py"]
fn evaluate_cases_from_file() {
    let (Ok(input), Ok(output)) = (
        std::env::var("TOUCHLINE_METRICS_CASES"),
        std::env::var("TOUCHLINE_METRICS_OUT"),
    ) else {
        eprintln!("set TOUCHLINE_METRICS_CASES and TOUCHLINE_METRICS_OUT (see bench/metrics_crosscheck.py)");
        return;
    };
    let text = std::fs::read_to_string(&input).expect("readable cases file");
    let cases: Vec<Vec<FrameMatch>> = serde_json::from_str(&text).expect("a JSON list of cases");
    let results: Vec<serde_json::Value> = cases
        .iter()
        .map(|frames| {
            serde_json::json!({
                "hota": hota(frames),
                "clear": clear_mot(frames, 0.5),
                "identity": identity(frames, 0.5),
            })
        })
        .collect();
    let json = serde_json::to_string(&results).expect("serialisable results");
    std::fs::write(&output, json).expect("writable output file");
}
