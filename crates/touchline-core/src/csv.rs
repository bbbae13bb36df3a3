//! The small CSV files people write by hand (camera paths, landmarks): a fixed header,
//! then comma-separated records; blank lines and `#` comments are skipped. Errors name
//! the file's role and the line.

use crate::error::{Error, Result};

/// One record: its line number (from 1) and its fields, trimmed.
pub(crate) struct Record<'a> {
    line: usize,
    fields: Vec<&'a str>,
    what: &'static str,
}

impl<'a> Record<'a> {
    /// Field `i` as text.
    pub(crate) fn text(&self, i: usize) -> &'a str {
        self.fields[i]
    }

    /// Field `i` as a finite number.
    pub(crate) fn number(&self, i: usize) -> Result<f64> {
        self.fields[i]
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| self.error(format!("'{}' is not a number", self.fields[i])))
    }

    /// An error about this record.
    pub(crate) fn error(&self, why: impl std::fmt::Display) -> Error {
        Error::invalid(self.what, format!("line {}: {why}", self.line))
    }
}

/// The records of `text` after the header `header`, each with as many fields as the
/// header; `what` names the file in errors ("camera path").
pub(crate) fn records<'a>(
    text: &'a str,
    header: &str,
    what: &'static str,
) -> Result<Vec<Record<'a>>> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    match lines.next() {
        Some((_, found)) if found.replace(' ', "") == header => {}
        Some((n, found)) => {
            return Err(Error::invalid(
                what,
                format!("line {n}: expected the header '{header}', found '{found}'"),
            ))
        }
        None => return Err(Error::invalid(what, "the file is empty")),
    }
    let columns = header.split(',').count();
    lines
        .map(|(line, text)| {
            let fields: Vec<&str> = text.split(',').map(str::trim).collect();
            if fields.len() != columns {
                return Err(Error::invalid(
                    what,
                    format!(
                        "line {line}: expected {columns} fields ({header}), found {}",
                        fields.len()
                    ),
                ));
            }
            Ok(Record { line, fields, what })
        })
        .collect()
}
