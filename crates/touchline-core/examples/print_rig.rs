fn main() {
    let sport = std::env::args()
        .nth(1)
        .unwrap_or("football".into())
        .parse()
        .unwrap();
    let rig = touchline_core::geometry::RigOptions::for_sport(sport)
        .build()
        .unwrap();
    println!("{}", rig.to_toml());
}
