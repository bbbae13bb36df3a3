//! `touchline`: the command line.

use std::process::ExitCode;

use clap::Parser;
use touchline::cli::Cli;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                // Help and version go to stdout as clap formats them.
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // One line: clap's first line names the problem; usage follows in --help.
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("invalid arguments");
            eprintln!("{first} (see touchline --help)");
            return ExitCode::from(2);
        }
    };
    match touchline::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The chain on one line, outermost context first.
            let message = e
                .chain()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(": ");
            eprintln!("error: {}", message.replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}
