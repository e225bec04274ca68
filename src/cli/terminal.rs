//! Terminal helpers: progress bars that stay quiet off a terminal, colour for highlights.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// A byte-count progress bar with rate and ETA, hidden unless stderr is a terminal.
pub fn byte_progress(total: u64, quiet: bool) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(
        Some(total),
        if quiet || !stderr_is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
    ) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb
}

/// A count progress bar with ETA for the stages after reading.
pub fn count_progress(quiet: bool) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(
        Some(0),
        if quiet || !stderr_is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {msg:<14} [{bar:30}] {pos}/{len} ETA {eta}")
    {
        pb.set_style(style.progress_chars("=> "));
    }
    pb
}

/// Wraps byte ranges of `text` in ANSI bold red (terminal) or leaves them plain.
pub fn colour_ranges(text: &str, ranges: &[std::ops::Range<usize>], colour: bool) -> String {
    if !colour {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + ranges.len() * 10);
    let mut last = 0;
    for r in ranges {
        if r.start < last || r.end > text.len() {
            continue;
        }
        out.push_str(&text[last..r.start]);
        out.push_str("\x1b[1;31m");
        out.push_str(&text[r.start..r.end]);
        out.push_str("\x1b[0m");
        last = r.end;
    }
    out.push_str(&text[last..]);
    out
}
