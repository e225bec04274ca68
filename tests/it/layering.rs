//! The rule `model ← analysis ← index ← matching ← engine ← {cli, server}` read from the
//! sources, so it is kept and not just written down: the entry points (`src/cli`, `src/server`,
//! `src/main.rs`) reach the crate only through the engine API, the `model` types and the error
//! type; `src/model` uses nothing of the crate but itself.
//!
//! Each file is lexed just enough to be sure: comments and string and char literals are blanked
//! out, inline `mod x { … }` blocks are followed (they change what `super::` means), and every
//! path rooted at `crate`, `casematch`, `self` or `super` (use trees with their `{…}` groups
//! included) is resolved to a path from the crate root.

use std::path::{Path, PathBuf};

/// The modules under the engine that an entry point must not name.
const BELOW_THE_ENGINE: [&str; 6] = ["index", "matching", "analysis", "source", "dedupe", "synth"];

/// Which crate a file belongs to: `crate::` means the library, or the binary (`main.rs`, `cli/`),
/// whose own modules hold nothing of the library.
#[derive(Clone, Copy, PartialEq)]
enum Crate {
    Library,
    Binary,
}

/// A source file: its crate and its module path (`src/server/mod.rs` → `["server"]`).
struct Source {
    krate: Crate,
    module: Vec<String>,
    text: String,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn source(path: &Path) -> Source {
    let rel = path.strip_prefix(src()).unwrap_or(path);
    let mut module: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    if module.last().is_some_and(|m| m == "mod" || m == "main") {
        module.pop();
    }
    let krate = match module.first().map(String::as_str) {
        Some("cli") | None => Crate::Binary,
        _ => Crate::Library,
    };
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Source {
        krate,
        module,
        text,
    }
}

fn sources(dirs: &[&str]) -> Vec<(PathBuf, Source)> {
    let mut files = Vec::new();
    for d in dirs {
        if d.ends_with(".rs") {
            files.push(src().join(d));
        } else {
            rust_files(&src().join(d), &mut files);
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let s = source(&f);
            (f, s)
        })
        .collect()
}

/// The text with comments, string literals and char literals replaced by spaces (newlines
/// kept), so that prose and messages never count as paths, nor their braces as blocks.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |e| i + e);
            blank(&mut out, i, end);
            i = end;
        } else if rest.starts_with(b"/*") {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                if b[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if b[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if let Some(len) = raw_string(rest) {
            blank(&mut out, i, i + len);
            i += len;
        } else if rest[0] == b'"' || rest.starts_with(b"b\"") {
            let mut j = i + if rest[0] == b'"' { 1 } else { 2 };
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(b.len());
            blank(&mut out, i, end);
            i = end;
        } else if rest[0] == b'\'' {
            // a char literal ('x', '\n', '{', '中'), not a lifetime ('a)
            let end = if rest.get(1) == Some(&b'\\') {
                rest[2..]
                    .iter()
                    .position(|&c| c == b'\'')
                    .map(|e| i + 2 + e + 1)
            } else {
                let ch = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                (rest.get(1 + ch) == Some(&b'\'')).then_some(i + 1 + ch + 1)
            };
            match end {
                Some(e) => {
                    blank(&mut out, i, e);
                    i = e;
                }
                None => i += 1,
            }
        } else {
            // skip the whole character (a CJK one is several bytes)
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

/// The length of a raw string literal (`r"…"`, `r#"…"#`, `br#"…"#`) starting here.
fn raw_string(rest: &[u8]) -> Option<usize> {
    let start = if rest.starts_with(b"br") {
        2
    } else if rest.starts_with(b"r") {
        1
    } else {
        return None;
    };
    let hashes = rest[start..].iter().take_while(|&&c| c == b'#').count();
    if rest.get(start + hashes) != Some(&b'"') {
        return None;
    }
    let mut close = vec![b'"'];
    close.extend(std::iter::repeat_n(b'#', hashes));
    let body = start + hashes + 1;
    let end = rest[body..]
        .windows(close.len())
        .position(|w| w == close.as_slice())
        .map_or(rest.len(), |e| body + e + close.len());
    Some(end)
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The inline modules open at each byte: `mod tests { … }` adds `tests` inside its braces.
fn inline_modules(code: &str) -> Vec<Vec<String>> {
    let mut at = vec![Vec::new(); code.len() + 1];
    let mut stack: Vec<Option<String>> = Vec::new();
    let mut pending: Option<String> = None;
    let mut open: Vec<String> = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'{' {
            let m = pending.take();
            if let Some(name) = &m {
                open.push(name.clone());
            }
            stack.push(m);
        } else if c == b'}' {
            if let Some(Some(_)) = stack.pop() {
                open.pop();
            }
        } else if c == b';' {
            pending = None;
        } else if code[i..].starts_with("mod")
            && (i == 0 || !is_ident(code[..i].chars().next_back().unwrap_or(' ')))
        {
            let after = &code[i + 3..];
            let trimmed = after.trim_start();
            if trimmed.len() < after.len() {
                let name: String = trimmed.chars().take_while(|&c| is_ident(c)).collect();
                if !name.is_empty() {
                    pending = Some(name);
                }
            }
        }
        at[i] = open.clone();
        i += 1;
    }
    at[bytes.len()] = open;
    at
}

/// Every path of the code rooted at `crate`, `casematch`, `self` or `super`, with its use-tree
/// groups expanded (`crate::{engine, index::X}` gives `crate::engine` and `crate::index::X`), each
/// with the byte where it starts.
fn rooted_paths(code: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = code.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        let (at, c) = chars[k];
        let starts_word = k == 0 || !is_ident(chars[k - 1].1);
        if !(starts_word && is_ident(c)) {
            k += 1;
            continue;
        }
        let word: String = chars[k..]
            .iter()
            .map(|&(_, c)| c)
            .take_while(|&c| is_ident(c))
            .collect();
        let len = word.chars().count();
        if matches!(word.as_str(), "crate" | "casematch" | "self" | "super") {
            let mut paths = Vec::new();
            let end = tree(&chars, k, &mut Vec::new(), &mut paths);
            out.extend(paths.into_iter().map(|p| (at, p)));
            k = end.max(k + len);
        } else {
            k += len;
        }
    }
    out
}

fn skip_space(chars: &[(usize, char)], mut k: usize) -> usize {
    while k < chars.len() && chars[k].1.is_whitespace() {
        k += 1;
    }
    k
}

/// Reads one use tree from `k` (`a::b::{c, d::e}`, `a::*`), adding each full path below
/// `prefix` to `out`; returns where the tree ends.
fn tree(
    chars: &[(usize, char)],
    mut k: usize,
    prefix: &mut Vec<String>,
    out: &mut Vec<Vec<String>>,
) -> usize {
    let depth = prefix.len();
    loop {
        k = skip_space(chars, k);
        if k < chars.len() && chars[k].1 == '{' {
            k += 1;
            loop {
                k = skip_space(chars, k);
                if k >= chars.len() || chars[k].1 == '}' {
                    k += 1;
                    break;
                }
                if chars[k].1 == ',' {
                    k += 1;
                    continue;
                }
                let before = k;
                k = tree(chars, k, prefix, out);
                if k == before {
                    k += 1;
                }
            }
            prefix.truncate(depth);
            return k;
        }
        let seg: String = chars[k.min(chars.len())..]
            .iter()
            .map(|&(_, c)| c)
            .take_while(|&c| is_ident(c) || c == '*')
            .collect();
        if seg.is_empty() {
            break;
        }
        k += seg.chars().count();
        prefix.push(seg);
        let after = skip_space(chars, k);
        if chars.get(after).map(|c| c.1) == Some(':')
            && chars.get(after + 1).map(|c| c.1) == Some(':')
        {
            k = after + 2;
        } else {
            break;
        }
    }
    if prefix.len() > depth {
        out.push(prefix.clone());
    }
    prefix.truncate(depth);
    k
}

/// A path resolved from its crate's root: which crate and the segments below the root;
/// `None` for a path that leaves the crate (too many `super`s) or does not start at a root.
fn resolve(file: &Source, inline: &[String], path: &[String]) -> Option<(Crate, Vec<String>)> {
    let mut segs = path.iter().map(String::as_str).peekable();
    let (krate, mut here): (Crate, Vec<String>) = match segs.peek().copied() {
        Some("casematch") => {
            segs.next();
            (Crate::Library, Vec::new())
        }
        Some("crate") => {
            segs.next();
            (file.krate, Vec::new())
        }
        Some("self" | "super") => {
            let mut m = file.module.clone();
            m.extend(inline.iter().cloned());
            // the binary's modules are rooted at main.rs: `cli::…`
            (file.krate, m)
        }
        _ => return None,
    };
    while let Some(&s) = segs.peek() {
        match s {
            "self" => {}
            "super" => {
                here.pop()?;
            }
            _ => break,
        }
        segs.next();
    }
    here.extend(segs.map(str::to_string));
    Some((krate, here))
}

/// The faults of one file: each path to the library's `forbidden` top-level modules (all but
/// `allowed` when `allowed` is given), as `line: path`.
fn faults(file: &Source, forbidden: &[&str], allowed: Option<&[&str]>) -> Vec<String> {
    let code = code_only(&file.text);
    let inline = inline_modules(&code);
    let line = |at: usize| code[..at].matches('\n').count() + 1;
    let mut out = Vec::new();
    // an alias hides the paths behind it: `use casematch as cm;`, `extern crate … as`, `#[path]`
    for trick in ["casematch as ", "crate as ", "super as ", "#[path"] {
        for (at, _) in code.match_indices(trick) {
            out.push(format!("{}: `{trick}…`", line(at)));
        }
    }
    for (at, path) in rooted_paths(&code) {
        let Some((krate, abs)) = resolve(file, &inline[at], &path) else {
            continue;
        };
        if krate != Crate::Library {
            continue;
        }
        let Some(top) = abs.first().map(String::as_str) else {
            continue;
        };
        let bad = match allowed {
            Some(allowed) => !allowed.contains(&top),
            None => forbidden.contains(&top),
        };
        if bad {
            out.push(format!(
                "{}: {} (= casematch::{})",
                line(at),
                path.join("::"),
                abs.join("::")
            ));
        }
    }
    out
}

fn report(files: &[(PathBuf, Source)], check: impl Fn(&Source) -> Vec<String>) -> Vec<String> {
    files
        .iter()
        .flat_map(|(path, s)| {
            check(s)
                .into_iter()
                .map(move |f| format!("{}:{f}", path.display()))
        })
        .collect()
}

#[test]
fn entry_points_import_only_the_engine_the_model_and_the_error_type() {
    let files = sources(&["cli", "server", "main.rs"]);
    assert!(files.len() > 20, "found only {} files", files.len());
    let found = report(&files, |s| faults(s, &BELOW_THE_ENGINE, None));
    assert!(
        found.is_empty(),
        "entry points reach past the engine (use crate::engine / casematch::engine instead):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_python_package_imports_only_the_engine_the_model_and_the_error_type() {
    // its own crate (`crate::…` is the package, `casematch::…` the library)
    let mut paths = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("python/src"),
        &mut paths,
    );
    assert!(paths.len() >= 2, "found only {} files", paths.len());
    let files: Vec<(PathBuf, Source)> = paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let s = Source {
                krate: Crate::Binary,
                module: Vec::new(),
                text,
            };
            (path, s)
        })
        .collect();
    let found = report(&files, |s| faults(s, &BELOW_THE_ENGINE, None));
    assert!(
        found.is_empty(),
        "the Python package reaches past the engine (use casematch::engine instead):\n{}",
        found.join("\n")
    );
}

#[test]
fn model_uses_nothing_of_the_crate_but_itself() {
    let files = sources(&["model"]);
    assert!(files.len() >= 4, "found only {} files", files.len());
    let found = report(&files, |s| faults(s, &[], Some(&["model"])));
    assert!(
        found.is_empty(),
        "model reaches into the crate:\n{}",
        found.join("\n")
    );
}

fn file(path: &str, text: &str) -> Source {
    let mut s = source(&src().join(path));
    s.text = text.to_string();
    s
}

fn entry_faults(path: &str, text: &str) -> Vec<String> {
    faults(&file(path, text), &BELOW_THE_ENGINE, None)
}

#[test]
fn the_check_finds_each_way_to_reach_past_the_engine() {
    for (path, text) in [
        ("server/routes.rs", "use crate::index::StoredCase;"),
        (
            "server/routes.rs",
            "use crate::{engine::Engine, index::StoredCase};",
        ),
        (
            "server/routes.rs",
            "use crate::{engine::{Engine, X}, matching::{a, b}};",
        ),
        ("server/routes.rs", "use crate::{self, analysis};"),
        (
            "server/routes.rs",
            "let x = crate :: source :: ColumnMap::default();",
        ),
        (
            "server/routes.rs",
            "fn f() { let p = ::casematch::dedupe::Stage::Read; }",
        ),
        ("server/routes.rs", "use super::super::synth::Generator;"),
        ("server/routes.rs", "use super::super::{engine, synth};"),
        ("server/mod.rs", "use super::index::CaseIndex;"),
        (
            "server/mod.rs",
            "mod a { use super::super::matching::Model; }",
        ),
        (
            "server/routes.rs",
            "mod tests { mod deep { use super::super::super::super::index::X; } }",
        ),
        ("cli/show.rs", "use casematch::analysis::Gazetteer;"),
        ("cli/show.rs", "use casematch::{Engine, dedupe::Stage};"),
        ("cli/show.rs", "use casematch as cm;"),
        ("main.rs", "fn main() { casematch::synth::run(); }"),
    ] {
        assert!(
            !entry_faults(path, text).is_empty(),
            "{path}: {text} was let through"
        );
    }
}

#[test]
fn the_check_lets_the_engine_api_and_look_alikes_through() {
    for (path, text) in [
        (
            "server/routes.rs",
            "use crate::engine::{Engine, StoredCase};\nuse crate::model::Case;",
        ),
        (
            "server/routes.rs",
            "use crate::error::Result; use crate::{Engine, Verdict};",
        ),
        (
            "server/routes.rs",
            "use super::error::ApiError; use super::jobs::{JobInput};",
        ),
        (
            "server/history.rs",
            "mod tests { fn f() { super::super::app(s); } }",
        ),
        // the CLI's own `dedupe` command module
        (
            "cli/mod.rs",
            "mod dedupe; fn f() { dedupe::run(); self::dedupe::run(); }",
        ),
        ("cli/check.rs", "use super::dedupe::Args;"),
        ("cli/mod.rs", "use crate::cli::dedupe;"),
        // prose and messages are not paths
        (
            "server/routes.rs",
            "// crate::index::X\n/* casematch::matching */ let s = \"crate::index::\";",
        ),
        (
            "server/routes.rs",
            "let s = r#\"use crate::synth::X; {\"#; let c = '{'; fn f<'a>() {}",
        ),
        (
            "server/routes.rs",
            "let index = engine.index(); let x = my_crate::index::X;",
        ),
    ] {
        let f = entry_faults(path, text);
        assert!(f.is_empty(), "{path}: {text} flagged: {f:?}");
    }
}

#[test]
fn the_check_keeps_model_to_itself() {
    let model = |text: &str| faults(&file("model/record.rs", text), &[], Some(&["model"]));
    assert!(!model("use crate::analysis::fold_width_char;").is_empty());
    assert!(!model("use crate::error::Error;").is_empty());
    assert!(!model("use super::super::engine::Engine;").is_empty());
    assert!(!model("fn f() -> crate::Result<()> { Ok(()) }").is_empty());
    assert!(model("use super::case::{Case, Status}; use crate::model::Verdict;").is_empty());
    assert!(model("mod tests { use super::*; }").is_empty());
}
