//! The text encoding of a CSV file: told by `--encoding`, or detected from its first bytes
//! (a BOM, else valid UTF-8, else GB18030), and a reader that turns it into UTF-8 as it streams.

use crate::error::{Error, Result};
use std::io::{Cursor, Read};
use std::path::Path;

/// How many leading bytes detection looks at.
const SNIFF_BYTES: usize = 64 * 1024;

/// The encodings a CSV may be in (`--encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// GB18030, which contains GBK and GB2312; Excel's "CSV" on a Chinese Windows writes it.
    Gb18030,
    /// Read as GB18030 (a superset); kept as its own name because users ask for it.
    Gbk,
    /// Only detected from a BOM (Excel's "Unicode text").
    Utf16Le,
    Utf16Be,
}

impl TextEncoding {
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gb18030 => "GB18030",
            TextEncoding::Gbk => "GBK",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
        }
    }

    fn codec(self) -> &'static encoding_rs::Encoding {
        match self {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Gb18030 | TextEncoding::Gbk => encoding_rs::GB18030,
            TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
        }
    }
}

impl std::str::FromStr for TextEncoding {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Ok(TextEncoding::Utf8),
            "gb18030" => Ok(TextEncoding::Gb18030),
            "gbk" | "gb2312" | "cp936" => Ok(TextEncoding::Gbk),
            _ => Err(format!(
                "unknown encoding {s:?}: expected utf-8, gb18030 or gbk"
            )),
        }
    }
}

impl std::fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// What the first bytes of a file say about its encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    /// An encoding and the length of its byte-order mark (skipped).
    Text(TextEncoding, usize),
    /// A zip archive: an Excel workbook under another name.
    Zip,
    /// NUL or other control bytes: not a text file.
    Binary,
    /// Neither valid UTF-8 nor valid GB18030.
    Unknown,
}

/// Detection: a BOM, else valid UTF-8, else GB18030 without a malformed sequence.
/// `complete` says whether `sample` is the whole file (a cut multi-byte character at the
/// end of a partial sample is not an error).
pub fn detect(sample: &[u8], complete: bool) -> Detected {
    if let Some((codec, bom)) = encoding_rs::Encoding::for_bom(sample) {
        let enc = if codec == encoding_rs::UTF_8 {
            TextEncoding::Utf8
        } else if codec == encoding_rs::UTF_16LE {
            TextEncoding::Utf16Le
        } else {
            TextEncoding::Utf16Be
        };
        return Detected::Text(enc, bom);
    }
    if sample.starts_with(b"PK\x03\x04") {
        return Detected::Zip;
    }
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    if sample.contains(&0) || controls * 100 > sample.len() {
        return Detected::Binary;
    }
    // a stray byte or two is a bad record in the encoding the rest of the file is in
    let tolerated = (sample.len() / 1000).max(1);
    let utf8 = utf8_errors(sample, complete);
    if utf8 == 0 {
        return Detected::Text(TextEncoding::Utf8, 0);
    }
    let gb = gb18030_errors(sample, complete);
    if gb == 0 && utf8 > tolerated {
        return Detected::Text(TextEncoding::Gb18030, 0);
    }
    if utf8 <= tolerated {
        Detected::Text(TextEncoding::Utf8, 0)
    } else if gb <= tolerated {
        Detected::Text(TextEncoding::Gb18030, 0)
    } else {
        Detected::Unknown
    }
}

/// Invalid sequences in UTF-8 text (a character cut by the end of a partial sample is none).
fn utf8_errors(mut bytes: &[u8], complete: bool) -> usize {
    let mut errors = 0;
    loop {
        match std::str::from_utf8(bytes) {
            Ok(_) => return errors,
            Err(e) => match e.error_len() {
                Some(n) => {
                    errors += 1;
                    bytes = &bytes[e.valid_up_to() + n..];
                }
                None => return errors + usize::from(complete),
            },
        }
    }
}

/// Malformed sequences in GB18030 text.
fn gb18030_errors(mut bytes: &[u8], complete: bool) -> usize {
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut out = vec![0u8; 1 << 16];
    let mut errors = 0;
    loop {
        let (result, read, _) =
            decoder.decode_to_utf8_without_replacement(bytes, &mut out, complete);
        bytes = &bytes[read..];
        match result {
            encoding_rs::DecoderResult::Malformed(_, _) => errors += 1,
            encoding_rs::DecoderResult::OutputFull => {}
            encoding_rs::DecoderResult::InputEmpty => return errors,
        }
    }
}

/// Wraps a file's bytes in a reader of UTF-8 text, the encoding told or detected.
/// Returns the reader and the encoding used. Refuses, naming the file and `--encoding`, a
/// file whose encoding cannot be told.
pub fn utf8_reader(
    mut reader: Box<dyn Read>,
    path: &Path,
    told: Option<TextEncoding>,
) -> Result<(Box<dyn Read>, TextEncoding)> {
    let mut sample = Vec::with_capacity(SNIFF_BYTES);
    (&mut reader)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut sample)
        .map_err(|e| Error::io(path, e))?;
    let complete = sample.len() < SNIFF_BYTES;
    let bom = encoding_rs::Encoding::for_bom(&sample).map_or(0, |(_, n)| n);
    let (encoding, skip) = match (told, detect(&sample, complete)) {
        (Some(e), _) => (e, if e == TextEncoding::Utf8 { bom } else { 0 }),
        (None, Detected::Text(e, skip)) => (e, skip),
        (None, Detected::Zip) => {
            return Err(Error::Invalid(format!(
                "{}: this is a zip archive, not CSV text; an Excel workbook must end in .xlsx",
                path.display()
            )));
        }
        (None, Detected::Binary) => {
            return Err(Error::Invalid(format!(
                "{}: not a text file (it holds NUL or control bytes); if it is CSV, pass --encoding utf-8|gb18030|gbk",
                path.display()
            )));
        }
        (None, Detected::Unknown) => {
            return Err(Error::Invalid(format!(
                "{}: unknown text encoding (neither UTF-8 nor GB18030); pass --encoding utf-8|gb18030|gbk",
                path.display()
            )));
        }
    };
    let bytes: Box<dyn Read> = Box::new(Cursor::new(sample).chain(reader));
    let mut bytes = bytes;
    if skip > 0 {
        let mut bom = vec![0u8; skip];
        bytes.read_exact(&mut bom).map_err(|e| Error::io(path, e))?;
    }
    if encoding == TextEncoding::Utf8 {
        // UTF-8 goes through as it is; the CSV reader reports invalid bytes per record
        return Ok((bytes, encoding));
    }
    Ok((Box::new(Utf8Decoder::new(bytes, encoding)), encoding))
}

/// Decodes a stream to UTF-8. A malformed sequence becomes one 0xFF byte, never valid UTF-8,
/// so the CSV reader rejects that one record and reading goes on.
pub struct Utf8Decoder<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    done: bool,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
}

impl<R: Read> Utf8Decoder<R> {
    pub fn new(inner: R, encoding: TextEncoding) -> Self {
        Utf8Decoder {
            inner,
            decoder: encoding.codec().new_decoder_without_bom_handling(),
            input: vec![0; 1 << 15],
            start: 0,
            end: 0,
            eof: false,
            done: false,
            output: vec![0; 1 << 17],
            out_start: 0,
            out_end: 0,
        }
    }

    fn fill(&mut self) -> std::io::Result<()> {
        while self.out_start == self.out_end && !self.done {
            if self.start == self.end && !self.eof {
                let n = self.inner.read(&mut self.input)?;
                self.start = 0;
                self.end = n;
                self.eof = n == 0;
            }
            // one byte kept free for the 0xFF that marks a malformed sequence
            let room = self.output.len() - 1;
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.start..self.end],
                &mut self.output[..room],
                self.eof,
            );
            self.start += read;
            self.out_start = 0;
            self.out_end = written;
            match result {
                encoding_rs::DecoderResult::Malformed(_, _) => {
                    self.output[self.out_end] = 0xFF;
                    self.out_end += 1;
                }
                encoding_rs::DecoderResult::InputEmpty => self.done = self.eof,
                encoding_rs::DecoderResult::OutputFull => {}
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf8Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.fill()?;
        let n = buf.len().min(self.out_end - self.out_start);
        buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gb(text: &str) -> Vec<u8> {
        encoding_rs::GB18030.encode(text).0.into_owned()
    }

    #[test]
    fn detection_table() {
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice("编号,姓名".as_bytes());
        let mut cut = "编号".as_bytes().to_vec();
        cut.pop();
        let table: [(Vec<u8>, bool, Detected); 10] = [
            (
                "编号,姓名\n".as_bytes().to_vec(),
                true,
                Detected::Text(TextEncoding::Utf8, 0),
            ),
            (bom, true, Detected::Text(TextEncoding::Utf8, 3)),
            (
                b"\xFF\xFEa\x00".to_vec(),
                true,
                Detected::Text(TextEncoding::Utf16Le, 2),
            ),
            (
                gb("编号,姓名\n张伟,噪音扰民\n"),
                true,
                Detected::Text(TextEncoding::Gb18030, 0),
            ),
            // a sample cut inside a UTF-8 character is still UTF-8 …
            (cut.clone(), false, Detected::Text(TextEncoding::Utf8, 0)),
            // a stray byte in UTF-8 text is a bad record, not a reason to read it as GB18030
            (
                [&"编号,姓名\n".repeat(300).into_bytes()[..], b"\xFF\n"].concat(),
                true,
                Detected::Text(TextEncoding::Utf8, 0),
            ),
            // and one in GB18030 text likewise
            (
                [&gb(&"编号,姓名\n".repeat(300))[..], b"\xFF\n"].concat(),
                true,
                Detected::Text(TextEncoding::Gb18030, 0),
            ),
            (b"id,name\n\xFF\xFF\xFF\n".to_vec(), true, Detected::Unknown),
            (
                b"\x7FELF\x02\x01\x01\x00\x00".to_vec(),
                true,
                Detected::Binary,
            ),
            (b"PK\x03\x04\x14\x00".to_vec(), true, Detected::Zip),
        ];
        for (bytes, complete, expected) in table {
            assert_eq!(detect(&bytes, complete), expected, "{bytes:?}");
        }
    }

    #[test]
    fn decoder_streams_gb18030_and_marks_malformed_bytes() {
        let text = "编号,诉求内容\n".repeat(20_000);
        let mut bytes = gb(&text);
        let mut out = String::new();
        Utf8Decoder::new(Cursor::new(bytes.clone()), TextEncoding::Gb18030)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, text);
        bytes.extend_from_slice(b"\x81\x20ok\n");
        let mut out = Vec::new();
        Utf8Decoder::new(Cursor::new(bytes), TextEncoding::Gbk)
            .read_to_end(&mut out)
            .unwrap();
        assert!(out.ends_with(b"\xFF ok\n"), "{:?}", &out[out.len() - 6..]);
    }

    #[test]
    fn told_encoding_parses() {
        assert_eq!("GBK".parse(), Ok(TextEncoding::Gbk));
        assert_eq!("utf8".parse(), Ok(TextEncoding::Utf8));
        assert_eq!("gb18030".parse(), Ok(TextEncoding::Gb18030));
        assert!("latin1".parse::<TextEncoding>().is_err());
    }
}
