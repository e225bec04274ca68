//! Property tests of the parsers and normalisers that face user input: the JSONL, CSV and
//! workbook readers, the date parser, the ID/phone/name normalisers and the tokenizer.
//! `inputs` holds the strategies, `check` one function per property; `benches/fuzz.rs`
//! includes this file and runs the same checks for many more cases.

use proptest::prelude::*;

/// Strategies: messy user text, and well-formed values written in the ways exports spell them.
pub mod inputs {
    use casematch::Case;
    use casematch::model::{CHANNELS, Status};
    use chrono::{DateTime, FixedOffset, TimeZone, Utc};
    use proptest::collection::{btree_map, vec};
    use proptest::prelude::*;
    use proptest::sample::select;
    use serde_json::Value;

    /// The field names of a case: extra keys must avoid them to round-trip.
    pub const FIELDS: [&str; 16] = [
        "id",
        "platform",
        "channel",
        "received_at",
        "name",
        "id_number",
        "phone",
        "address",
        "location",
        "headcount",
        "title",
        "content",
        "category",
        "handler",
        "status",
        "account",
    ];

    /// One char of what clerks paste: ASCII, CJK (simplified and traditional), full-width
    /// forms, punctuation, emoji with joiners, combining marks, controls, anything.
    pub fn messy_char() -> impl Strategy<Value = char> {
        prop_oneof![
            3 => prop::char::range(' ', '~'),
            3 => prop::char::range('\u{4e00}', '\u{9fff}'),
            1 => select(vec!['會', '縣', '張', '偉', '擾', '來', '電', '訴', '號', '頭', '髮', '乾', '後', '裡', '歐', '陽']),
            1 => prop::char::range('\u{ff01}', '\u{ff5e}'),
            1 => select(vec!['\u{3000}', '。', '，', '、', '；', '：', '“', '”', '·', '—', '＊', '×', '●', '\u{feff}', '\u{200b}', '\u{200d}', '\u{fe0f}']),
            1 => prop::char::range('\u{1f300}', '\u{1f6ff}'),
            1 => prop::char::range('\u{0300}', '\u{036f}'),
            1 => select(vec!['\n', '\r', '\t', ' ', '\u{0}', '\u{7f}', '\u{85}', '\u{2028}']),
            1 => any::<char>(),
        ]
    }

    pub fn text() -> impl Strategy<Value = String> {
        vec(messy_char(), 0..48).prop_map(|v| v.into_iter().collect())
    }

    /// Text that is not blank after trimming, trimmed (what a case field holds).
    pub fn field() -> impl Strategy<Value = String> {
        text().prop_filter_map("blank", |s| {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        })
    }

    pub fn bytes() -> impl Strategy<Value = Vec<u8>> {
        vec(any::<u8>(), 0..512)
    }

    /// An instant between 1900 and 2100 at a whole-minute offset, nanoseconds half the time.
    pub fn instant() -> impl Strategy<Value = DateTime<FixedOffset>> {
        (
            -2_208_988_800i64..4_102_444_800,
            prop_oneof![Just(0u32), 0..1_000_000_000u32],
            -720i32..=840,
        )
            .prop_map(|(secs, nanos, minutes)| {
                let offset = FixedOffset::east_opt(minutes * 60).expect("within a day");
                Utc.timestamp_opt(secs, nanos)
                    .single()
                    .expect("in range")
                    .with_timezone(&offset)
            })
    }

    /// A JSON value whose text form reads back exactly (no floats).
    pub fn exact_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            text().prop_map(Value::from),
        ];
        leaf.prop_recursive(2, 8, 4, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..4).prop_map(Value::Array),
                btree_map(text(), inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Any JSON value, floats and nulls included.
    pub fn any_json() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<f64>().prop_map(Value::from),
            exact_json(),
        ]
    }

    /// A valid case: trimmed non-empty strings, canonical channel, extras off the field names.
    pub fn case() -> impl Strategy<Value = Case> {
        let opt = || prop::option::of(field());
        let status = prop::option::of(select(vec![
            Status::Accepted,
            Status::InProgress,
            Status::Closed,
        ]));
        let extra = btree_map(
            text().prop_filter("a field name", |k| !FIELDS.contains(&k.as_str())),
            exact_json(),
            0..4,
        );
        (
            (
                field(),
                opt(),
                prop::option::of(select(CHANNELS.to_vec())),
                prop::option::of(instant()),
                opt(),
                opt(),
                opt(),
                opt(),
            ),
            (
                opt(),
                prop::option::of(any::<u32>()),
                opt(),
                opt(),
                opt(),
                opt(),
                status,
                opt(),
            ),
            extra,
        )
            .prop_map(
                |(
                    (id, platform, channel, received_at, name, id_number, phone, address),
                    (location, headcount, title, content, category, handler, status, account),
                    extra,
                )| Case {
                    id,
                    platform,
                    channel: channel.map(str::to_string),
                    received_at,
                    name,
                    id_number,
                    phone,
                    address,
                    location,
                    headcount,
                    title,
                    content,
                    category,
                    handler,
                    status,
                    account,
                    extra,
                },
            )
    }

    /// A case as FORMAT.md writes it: one flat JSON object, extras beside the fields.
    pub fn jsonl_of(case: &Case) -> String {
        let mut value = serde_json::to_value(case).expect("a case serialises");
        let obj = value.as_object_mut().expect("an object");
        if let Some(Value::Object(extra)) = obj.remove("extra") {
            obj.extend(extra);
        }
        serde_json::to_string(&value).expect("a value serialises")
    }

    /// One JSONL line: raw bytes, text, a valid case, or an object of field names with
    /// values of any type.
    pub fn jsonl_line() -> impl Strategy<Value = Vec<u8>> {
        let junk_object = btree_map(
            prop_oneof![select(FIELDS.to_vec()).prop_map(str::to_string), text()],
            any_json(),
            0..6,
        )
        .prop_map(|m| {
            serde_json::to_string(&Value::Object(m.into_iter().collect()))
                .expect("a value serialises")
        });
        prop_oneof![
            vec(any::<u8>(), 0..64),
            text().prop_map(String::into_bytes),
            case().prop_map(|c| jsonl_of(&c).into_bytes()),
            junk_object.prop_map(String::into_bytes),
        ]
    }

    /// A JSONL file of such lines, each ended by `\n` or `\r\n` (the last maybe by nothing).
    pub fn jsonl_file() -> impl Strategy<Value = Vec<u8>> {
        (vec((jsonl_line(), any::<bool>()), 0..8), any::<bool>()).prop_map(
            |(lines, last_newline)| {
                let mut out = Vec::new();
                let n = lines.len();
                for (i, (line, crlf)) in lines.into_iter().enumerate() {
                    out.extend_from_slice(&line);
                    if i + 1 < n || last_newline {
                        out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
                    }
                }
                out
            },
        )
    }

    /// The CSV header of [`csv_rows`]: known columns, then one extra.
    pub const CSV_HEADER: [&str; 12] = [
        "编号",
        "姓名",
        "联系电话",
        "地址",
        "问题属地",
        "标题",
        "诉求内容",
        "类别",
        "首办单位",
        "平台",
        "账号",
        "备注",
    ];

    /// A CSV cell: quotes, commas, newlines, CJK, spaces; no other control chars (a file of
    /// them is refused as binary, rightly).
    pub fn csv_cell() -> impl Strategy<Value = String> {
        let c = prop_oneof![
            4 => messy_char(),
            1 => select(vec!['"', ',', '\n', '\r', '\t', ' ']),
        ]
        .prop_filter("control", |c| {
            !c.is_control() || matches!(c, '\n' | '\r' | '\t')
        });
        vec(c, 0..16).prop_map(|v| v.into_iter().collect())
    }

    /// Data rows under [`CSV_HEADER`]; the id cell blank one time in eight.
    pub fn csv_rows() -> impl Strategy<Value = Vec<Vec<String>>> {
        let row = (
            prop_oneof![7 => csv_cell(), 1 => select(vec!["", " ", "\n"]).prop_map(str::to_string)],
            vec(csv_cell(), CSV_HEADER.len() - 1),
        )
            .prop_map(|(id, mut rest)| {
                rest.insert(0, id);
                rest
            });
        vec(row, 0..6)
    }

    /// A digit, written half- or full-width.
    fn spell_digit(d: char, full: bool) -> char {
        if full {
            char::from_u32(d as u32 + 0xFEE0).expect("a full-width digit")
        } else {
            d
        }
    }

    /// What may stand between the characters of an ID number.
    const ID_SEPARATORS: [&str; 12] = [
        "", "", "", "", " ", "-", "_", ".", "\u{3000}", "\t", "－", "．",
    ];

    /// A checksum-valid 18-character ID number (any digits, check char computed).
    pub fn valid_id() -> impl Strategy<Value = String> {
        vec(0u8..10, 17).prop_map(|d| {
            let first17: String = d.iter().map(|d| char::from(b'0' + d)).collect();
            let check = casematch::analysis::id_check_char(&first17).expect("17 digits");
            format!("{first17}{check}")
        })
    }

    /// `(canonical, raw)`: a valid ID number and a spelling of it with separators,
    /// full-width digits, a lower-case or full-width x, and spaces around; one time in four
    /// written as its old 15-digit form.
    pub fn id_spelling() -> impl Strategy<Value = (String, String)> {
        (
            valid_id(),
            any::<bool>(),
            vec((any::<bool>(), select(ID_SEPARATORS.to_vec())), 18),
            0u8..4,
            select(vec!["", " ", "\u{3000}", "\t"]),
            select(vec!["", " ", "\u{3000}", "\n"]),
        )
            .prop_map(|(id, old, spelling, x, lead, trail)| {
                // the 15-digit form drops the century 19 and the check char
                let (canonical, digits) = if old {
                    let first17 = format!("{}19{}", &id[..6], &id[8..17]);
                    let check = casematch::analysis::id_check_char(&first17).expect("17");
                    let short = format!("{}{}", &id[..6], &id[8..17]);
                    (format!("{first17}{check}"), short)
                } else {
                    (id.clone(), id)
                };
                let mut raw = lead.to_string();
                for (c, (full, sep)) in digits.chars().zip(spelling) {
                    raw.push_str(sep);
                    raw.push(match c {
                        'X' => ['X', 'x', 'Ｘ', 'ｘ'][usize::from(x)],
                        d => spell_digit(d, full),
                    });
                }
                raw.push_str(trail);
                (canonical, raw)
            })
    }

    /// Text made of what ID fields hold: digits, X, masks, separators, and some noise.
    pub fn id_like() -> impl Strategy<Value = String> {
        let c = prop_oneof![
            6 => prop::char::range('0', '9'),
            2 => select(vec!['X', 'x', 'Ｘ', '*', '＊', '×', '●', '#', '✱']),
            2 => select(vec![' ', '-', '_', '.', '\u{3000}', '０', '９']),
            1 => messy_char(),
        ];
        vec(c, 0..24).prop_map(|v| v.into_iter().collect())
    }

    /// An 11-digit mobile number (1, then 3-9, then nine digits).
    pub fn mobile() -> impl Strategy<Value = String> {
        (
            prop::char::range('3', '9'),
            vec(prop::char::range('0', '9'), 9),
        )
            .prop_map(|(second, rest)| format!("1{second}{}", rest.into_iter().collect::<String>()))
    }

    /// `(digits, raw)`: a mobile with +86/0086 before it (apart from it, or glued to an
    /// unbroken number), spaces or dashes between digit groups, full-width digits, a label.
    pub fn mobile_spelling() -> impl Strategy<Value = (String, String)> {
        (
            mobile(),
            select(vec![
                "",
                "",
                "+86 ",
                "+86-",
                "0086 ",
                "0086-",
                "(+86) ",
                "＋８６ ",
                "+86",
                "0086",
            ]),
            vec(
                (
                    any::<bool>(),
                    select(vec!["", "", "", " ", "-", "  ", " - "]),
                ),
                11,
            ),
            select(vec!["", "", "手机：", "电话:", "Tel ", "联系电话 "]),
            select(vec!["", " ", "。"]),
        )
            .prop_map(|(digits, code, spelling, label, trail)| {
                // a country code glued to the number: the number is not broken up
                let glued = code.ends_with(|c: char| c.is_ascii_digit());
                let mut raw = format!("{label}{code}");
                for (i, (c, (full, sep))) in digits.chars().zip(spelling).enumerate() {
                    if i > 0 && !glued {
                        raw.push_str(sep);
                    }
                    raw.push(spell_digit(c, full));
                }
                raw.push_str(trail);
                (digits, raw)
            })
    }

    /// `(digits, raw)`: +86 or 0086 glued to a mobile written in groups (`+86139-1234-5678`).
    pub fn glued_code_grouped_mobile() -> impl Strategy<Value = (String, String)> {
        (
            mobile(),
            select(vec!["+86", "0086"]),
            select(vec![" ", "-"]),
        )
            .prop_map(|(d, code, sep)| {
                let raw = format!("{code}{}{sep}{}{sep}{}", &d[..3], &d[3..7], &d[7..]);
                (d, raw)
            })
    }

    /// Text made of what phone fields hold.
    pub fn phone_like() -> impl Strategy<Value = String> {
        let c = prop_oneof![
            8 => prop::char::range('0', '9'),
            2 => select(vec![' ', '-', '+', '(', ')', '/', '、', ',', '；', '转', '*', 'x', 'X', '#']),
            1 => select(vec!["分机", "ext.", "或", "手机", "tel", "０", "８"]).prop_flat_map(|s| {
                select(s.chars().collect::<Vec<_>>())
            }),
            1 => messy_char(),
        ];
        vec(c, 0..32).prop_map(|v| v.into_iter().collect())
    }

    /// Names built from what name fields hold: surnames, given names, forms of address,
    /// placeholders, masks, dots and spaces, Latin script.
    pub fn name_like() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            3 => select(vec!["张", "王", "李", "刘", "欧阳", "诸葛", "司马", "張", "歐陽", "老", "小"]),
            3 => select(vec!["伟", "明", "娜", "小明", "建国", "偉", "某", "某某", "姐"]),
            2 => select(vec!["先生", "女士", "老师", "同志", "师傅", "老先生", "总", "姓", "市民", "老"]),
            1 => select(vec!["匿名", "无", "不详", "群众", "来电人", "本人"]),
            1 => select(vec!["*", "＊", "x", "X", "×", "○", "□"]),
            1 => select(vec![" ", "·", "•", ".", "-", "　"]),
            1 => select(vec!["Zhang", "WEI", "li", "Mr.", "Ms", "Ü", "z", "w", "a"]),
        ];
        vec(piece, 0..6).prop_map(|v| v.concat())
    }

    /// A masked Chinese name: a surname, then given-name chars some of which are masked.
    pub fn masked_name() -> impl Strategy<Value = String> {
        (
            select(vec!["张", "王", "欧阳", "李"]),
            vec(
                (
                    select(vec!["伟", "明", "娜", "建", "国"]),
                    select(vec![None, Some('*'), Some('＊'), Some('x'), Some('×')]),
                ),
                1..3,
            ),
        )
            .prop_filter_map("nothing masked", |(surname, given)| {
                let any = given.iter().any(|(_, m)| m.is_some());
                let rest: String = given
                    .iter()
                    .map(|(c, m)| m.unwrap_or_else(|| c.chars().next().unwrap()))
                    .collect();
                any.then(|| format!("{surname}{rest}"))
            })
    }
    /// Bytes to overwrite (position, value) in a workbook, and where to cut it off.
    pub fn damage() -> impl Strategy<Value = (Vec<(usize, u8)>, Option<usize>)> {
        (
            vec((any::<usize>(), any::<u8>()), 0..6),
            prop::option::of(any::<usize>()),
        )
    }

    /// An instant, which date form to write it in, and whether in full-width digits.
    pub fn dated() -> impl Strategy<Value = (DateTime<FixedOffset>, usize, bool)> {
        (instant(), any::<usize>(), any::<bool>())
    }

    /// Two valid IDs, a mobile, a masked name; where to mask the ID and the phone, and with
    /// which chars.
    pub fn masked_input() -> impl Strategy<Value = super::check::MaskedInput> {
        (
            valid_id(),
            valid_id(),
            mobile(),
            masked_name(),
            (
                vec(any::<bool>(), 18),
                vec(any::<bool>(), 8),
                vec(select(vec!['*', '＊', '×', '●', 'x', 'X']), 1..4),
            ),
        )
    }
}

/// The properties, one function each, failing with the input that broke them.
pub mod check {
    use super::inputs::{CSV_HEADER, jsonl_of};
    use casematch::Case;
    use casematch::analysis::{
        IdNumber, NameForm, PersonName, Phone, PhoneKind, Profile, TokenizerMode, analyze,
    };
    use casematch::matching::{LevelName, Prepared, TextSignature, compare};
    use casematch::model::{case_from_json_line, parse_date_bound, parse_datetime};
    use casematch::source::{BadRecord, ColumnMap, Format, RecordSource};
    use chrono::{DateTime, FixedOffset, TimeZone};
    use proptest::prelude::*;
    use std::io::{Cursor, Read};
    use std::path::Path;
    use std::sync::OnceLock;

    type Outcome = Result<(), TestCaseError>;
    type Item = casematch::Result<Result<Case, BadRecord>>;

    fn source(bytes: Vec<u8>, path: &str) -> casematch::Result<RecordSource> {
        let reader: Box<dyn Read> = Box::new(Cursor::new(bytes));
        let p = Path::new(path);
        RecordSource::from_reader(reader, p, Format::of(p), ColumnMap::default())
    }

    fn bad_names_its_place(bad: &BadRecord, path: &str, line: u64) -> Outcome {
        prop_assert_eq!(bad.path.to_str(), Some(path));
        prop_assert_eq!(bad.sheet.as_deref(), None);
        prop_assert_eq!(bad.line, line);
        let shown = bad.to_string();
        let prefix = format!("{path}:{line}: ");
        prop_assert!(shown.starts_with(&prefix), "{shown:?}");
        Ok(())
    }

    /// Arbitrary JSONL bytes: every line that is not blank gives one case or one bad record
    /// with the file and its line number, in order; nothing panics; no I/O error.
    pub fn jsonl_lines(bytes: Vec<u8>) -> Outcome {
        const PATH: &str = "in/cases.jsonl";
        let items: Vec<Item> = source(bytes.clone(), PATH)
            .map_err(|e| TestCaseError::fail(format!("refused: {e}")))?
            .collect();
        // (line number, the line when it is UTF-8) for each line that is not blank
        let mut want: Vec<(u64, Option<&str>)> = Vec::new();
        for (i, piece) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
            let line = i as u64 + 1;
            match std::str::from_utf8(piece) {
                Err(_) => want.push((line, None)),
                Ok(t) if t.trim().is_empty() => {}
                Ok(t) => want.push((line, Some(t.trim()))),
            }
        }
        prop_assert_eq!(items.len(), want.len());
        for (item, (line, text)) in items.into_iter().zip(want) {
            let item = item.map_err(|e| TestCaseError::fail(format!("I/O error: {e}")))?;
            match (item, text) {
                (Err(bad), None) => {
                    bad_names_its_place(&bad, PATH, line)?;
                    prop_assert!(bad.error.reason.contains("UTF-8"), "{bad}");
                }
                (Ok(case), None) => prop_assert!(false, "invalid UTF-8 read as {case:?}"),
                (Err(bad), Some(text)) => {
                    bad_names_its_place(&bad, PATH, line)?;
                    prop_assert_eq!(Some(bad.error), case_from_json_line(text).err());
                }
                (Ok(case), Some(text)) => {
                    prop_assert!(!case.id.trim().is_empty());
                    prop_assert_eq!(Ok(case), case_from_json_line(text));
                }
            }
        }
        Ok(())
    }

    fn same_case(got: &Case, want: &Case) -> Outcome {
        prop_assert_eq!(got, want);
        // DateTime equality is the instant's; the offset must come back too
        prop_assert_eq!(
            got.received_at.map(|t| *t.offset()),
            want.received_at.map(|t| *t.offset())
        );
        Ok(())
    }

    /// Valid cases written as flat JSON objects read back equal, by the line parser and by
    /// the reader.
    pub fn jsonl_round_trip(cases: Vec<Case>) -> Outcome {
        let mut file = String::new();
        for case in &cases {
            let line = jsonl_of(case);
            let back = case_from_json_line(&line)
                .map_err(|e| TestCaseError::fail(format!("{e} in {line}")))?;
            same_case(&back, case)?;
            file.push_str(&line);
            file.push('\n');
        }
        let items: Vec<Item> = source(file.into_bytes(), "rt.jsonl")
            .map_err(|e| TestCaseError::fail(e.to_string()))?
            .collect();
        prop_assert_eq!(items.len(), cases.len());
        for (item, case) in items.into_iter().zip(&cases) {
            match item {
                Ok(Ok(back)) => same_case(&back, case)?,
                Ok(Err(bad)) => prop_assert!(false, "{bad}"),
                Err(e) => prop_assert!(false, "{e}"),
            }
        }
        Ok(())
    }

    /// Arbitrary bytes named .csv: refused with an error naming the file, or read to the
    /// end without a panic, each bad record naming the file.
    pub fn csv_bytes(bytes: Vec<u8>) -> Outcome {
        const PATH: &str = "in/cases.csv";
        match source(bytes, PATH) {
            Err(e) => prop_assert!(e.to_string().contains(PATH), "{e}"),
            Ok(src) => {
                for item in src {
                    match item {
                        Ok(Ok(_)) => {}
                        Ok(Err(bad)) => {
                            prop_assert_eq!(bad.path.to_str(), Some(PATH));
                            prop_assert!(bad.to_string().starts_with(PATH));
                        }
                        Err(e) => prop_assert!(e.to_string().contains(PATH), "{e}"),
                    }
                }
            }
        }
        Ok(())
    }

    /// Rows written by the csv writer under a Chinese header read back cell for cell
    /// (trimmed, the extra column kept even when empty); a row without an id is one bad
    /// record at the line it starts on; a blank row is skipped.
    pub fn csv_round_trip(rows: Vec<Vec<String>>) -> Outcome {
        const PATH: &str = "rt.csv";
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(CSV_HEADER).expect("write to memory");
        w.flush().expect("flush to memory");
        let mut starts = Vec::new();
        for row in &rows {
            starts.push(w.get_ref().len());
            w.write_record(row).expect("write to memory");
            w.flush().expect("flush to memory");
        }
        let bytes = w.into_inner().expect("flush to memory");
        let items: Vec<Item> = source(bytes.clone(), PATH)
            .map_err(|e| TestCaseError::fail(e.to_string()))?
            .collect();
        let kept: Vec<(&Vec<String>, usize)> = rows
            .iter()
            .zip(starts)
            .filter(|(r, _)| r.iter().any(|c| !c.trim().is_empty()))
            .collect();
        prop_assert_eq!(items.len(), kept.len());
        let opt = |s: &str| {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        };
        for (item, (row, start)) in items.into_iter().zip(kept) {
            let item = item.map_err(|e| TestCaseError::fail(e.to_string()))?;
            let line = 1 + bytes[..start].iter().filter(|b| **b == b'\n').count() as u64;
            if row[0].trim().is_empty() {
                let bad = item
                    .err()
                    .ok_or_else(|| TestCaseError::fail("a case without id"))?;
                bad_names_its_place(&bad, PATH, line)?;
                prop_assert_eq!(bad.error.field.as_deref(), Some("id"));
                continue;
            }
            let case = item.map_err(|bad| TestCaseError::fail(bad.to_string()))?;
            prop_assert_eq!(&case.id, row[0].trim());
            prop_assert_eq!(case.name, opt(&row[1]));
            prop_assert_eq!(case.phone, opt(&row[2]));
            prop_assert_eq!(case.address, opt(&row[3]));
            prop_assert_eq!(case.location, opt(&row[4]));
            prop_assert_eq!(case.title, opt(&row[5]));
            prop_assert_eq!(case.content, opt(&row[6]));
            prop_assert_eq!(case.category, opt(&row[7]));
            prop_assert_eq!(case.handler, opt(&row[8]));
            prop_assert_eq!(case.platform, opt(&row[9]));
            prop_assert_eq!(case.account, opt(&row[10]));
            let extra = serde_json::Value::from(row[11].trim());
            prop_assert_eq!(case.extra.get("备注"), Some(&extra));
            prop_assert_eq!(case.extra.len(), 1);
        }
        Ok(())
    }

    /// Arbitrary bytes named .xlsx are refused with an error naming the file.
    pub fn xlsx_bytes(bytes: Vec<u8>) -> Outcome {
        const PATH: &str = "in/book.xlsx";
        match source(bytes, PATH) {
            Err(e) => prop_assert!(e.to_string().contains(PATH), "{e}"),
            Ok(_) => prop_assert!(false, "random bytes opened as a workbook"),
        }
        Ok(())
    }

    /// A small valid workbook (one sheet, a title row, a header, three rows).
    pub fn workbook() -> &'static [u8] {
        static BOOK: OnceLock<Vec<u8>> = OnceLock::new();
        BOOK.get_or_init(|| {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            let rows: [[&str; 4]; 5] = [
                ["2024年1月信访登记表", "", "", ""],
                ["编号", "姓名", "联系电话", "登记时间"],
                ["W1", "张伟", "13912345678", "2023-05-14 09:31"],
                ["W2", "李娜", "0731-88889999", "45292.5"],
                ["", "王五", "", "昨天"],
            ];
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    sheet
                        .write_string(r as u32, c as u16, *cell)
                        .expect("write a cell");
                }
            }
            sheet.write_number(5, 0, 1002).expect("write a cell");
            book.save_to_buffer().expect("save to memory")
        })
    }

    /// A valid workbook with bytes overwritten or cut off: refused with an error naming the
    /// file, or read to the end without a panic, bad rows naming file and sheet.
    pub fn xlsx_damaged((edits, cut): (Vec<(usize, u8)>, Option<usize>)) -> Outcome {
        const PATH: &str = "in/book.xlsx";
        let mut bytes = workbook().to_vec();
        for (at, b) in edits {
            let n = bytes.len();
            bytes[at % n] = b;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut % (bytes.len() + 1));
        }
        match source(bytes, PATH) {
            Err(e) => prop_assert!(e.to_string().contains(PATH), "{e}"),
            Ok(src) => {
                for item in src {
                    match item {
                        Ok(Ok(_)) => {}
                        Ok(Err(bad)) => {
                            prop_assert_eq!(bad.path.to_str(), Some(PATH));
                            prop_assert!(bad.sheet.is_some(), "{bad}");
                        }
                        Err(e) => prop_assert!(e.to_string().contains(PATH), "{e}"),
                    }
                }
            }
        }
        Ok(())
    }

    /// The date parser on any text: no panic, and what it accepts it accepts again when
    /// written back as RFC 3339.
    pub fn date_any(raw: String) -> Outcome {
        if let Some(t) = parse_datetime(&raw) {
            prop_assert_eq!(parse_datetime(&t.to_rfc3339()), Some(t));
        }
        let _ = parse_date_bound(&raw, true);
        Ok(())
    }

    fn china() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).expect("UTC+8")
    }

    /// Digits to full width.
    fn full_width(s: &str) -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    char::from_u32(c as u32 + 0xFEE0).expect("full-width digit")
                } else {
                    c
                }
            })
            .collect()
    }

    /// The forms of FORMAT.md: (strftime format, keeps the offset, the instant's
    /// precision in seconds: 1, 60, or a day).
    pub const DATE_FORMS: [(&str, bool, i64); 16] = [
        ("%Y-%m-%dT%H:%M:%S%.f%:z", true, 0),
        ("%Y-%m-%d %H:%M:%S%:z", true, 1),
        ("%Y-%m-%d %H:%M:%S %z", true, 1),
        ("%Y-%m-%d %H:%M:%S", false, 1),
        ("%Y-%m-%d %H:%M", false, 60),
        ("%Y/%m/%d %H:%M", false, 60),
        ("%Y.%m.%d %H:%M", false, 60),
        ("%Y年%m月%d日 %H:%M", false, 60),
        ("%Y年%-m月%-d日%-H时%-M分", false, 60),
        ("%Y-%m-%dT%H:%M:%S", false, 1),
        ("%Y%m%d%H%M%S", false, 1),
        ("%Y-%m-%d", false, 86_400),
        ("%Y/%-m/%-d", false, 86_400),
        ("%Y/%m/%d", false, 86_400),
        ("%Y年%-m月%-d日", false, 86_400),
        ("%Y%m%d", false, 86_400),
    ];

    /// A random instant written in each documented form (digits half or full width) parses
    /// back to that instant, cut to the form's precision (China time where the form has no
    /// offset).
    pub fn date_forms((t, form, full): (DateTime<FixedOffset>, usize, bool)) -> Outcome {
        let (fmt, with_offset, precision) = DATE_FORMS[form % DATE_FORMS.len()];
        let shown = if with_offset {
            t
        } else {
            t.with_timezone(&china())
        };
        let mut raw = shown.format(fmt).to_string();
        if full && !with_offset {
            raw = full_width(&raw);
        }
        let want = if precision == 0 {
            t
        } else {
            let local = shown.naive_local();
            let secs = local.and_utc().timestamp();
            let secs = secs - secs.rem_euclid(precision);
            let cut = DateTime::from_timestamp(secs, 0)
                .expect("in range")
                .naive_utc();
            shown
                .offset()
                .from_local_datetime(&cut)
                .single()
                .expect("fixed offset")
        };
        let got = parse_datetime(&raw);
        prop_assert_eq!(got, Some(want), "{:?}", raw);
        prop_assert_eq!(got.map(|g| *g.offset()), Some(*want.offset()), "{:?}", raw);
        Ok(())
    }

    /// A bare date as an upper bound includes its whole day, in every date-only form.
    pub fn date_bound_whole_day((t, form, full): (DateTime<FixedOffset>, usize, bool)) -> Outcome {
        let forms: Vec<&str> = DATE_FORMS
            .iter()
            .filter(|f| f.2 == 86_400)
            .map(|f| f.0)
            .collect();
        let fmt = forms[form % forms.len()];
        let mut raw = t.with_timezone(&china()).format(fmt).to_string();
        if full {
            raw = full_width(&raw);
        }
        let from = parse_date_bound(&raw, false);
        let to = parse_date_bound(&raw, true);
        prop_assert!(from.is_some(), "{:?}", raw);
        prop_assert_eq!(to, from.map(|f| f + 86_399), "{:?}", raw);
        Ok(())
    }

    /// Every method of a parsed ID number runs on it without a panic.
    fn exercise_id(id: &IdNumber) {
        let _ = (id.as_str(), id.region(), id.pattern18(), id.masked());
    }

    /// IdNumber::parse on any text: no panic; normalising the normal form changes nothing.
    pub fn id_idempotent(raw: String) -> Outcome {
        if let Some(id) = IdNumber::parse(&raw) {
            exercise_id(&id);
            prop_assert_eq!(IdNumber::parse(id.as_str()), Some(id.clone()), "{:?}", raw);
        }
        Ok(())
    }

    /// Every spelling of a valid number (separators, full width, lower-case x, the old
    /// 15-digit form) normalises to the one 18-character value.
    pub fn id_spellings((canonical, raw): (String, String)) -> Outcome {
        prop_assert_eq!(
            IdNumber::parse(&raw),
            Some(IdNumber::Valid(canonical)),
            "{:?}",
            raw
        );
        Ok(())
    }

    fn exercise_phone(p: &Phone) {
        let _ = (p.area(), p.key(), p.masked());
    }

    /// Phone::parse_all on any text: no panic; each number's digits parse back to the same
    /// number (digits, kind, local part).
    pub fn phone_idempotent(raw: String) -> Outcome {
        for p in Phone::parse_all(&raw) {
            exercise_phone(&p);
            let again = Phone::parse(&p.digits);
            let view = |q: &Phone| (q.digits.clone(), q.kind, q.local.clone());
            prop_assert_eq!(again.as_ref().map(view), Some(view(&p)), "{:?}", raw);
        }
        Ok(())
    }

    /// A mobile however written normalises to its 11 digits.
    pub fn mobile_spellings((digits, raw): (String, String)) -> Outcome {
        let phones = Phone::parse_all(&raw);
        let got: Vec<(&str, PhoneKind)> =
            phones.iter().map(|p| (p.digits.as_str(), p.kind)).collect();
        prop_assert_eq!(got, vec![(digits.as_str(), PhoneKind::Mobile)], "{:?}", raw);
        Ok(())
    }

    /// The normal form of a name, as text that parses back to it.
    fn name_text(n: &PersonName) -> String {
        match &n.form {
            NameForm::Chinese => n
                .full
                .clone()
                .unwrap_or_else(|| format!("{}女士", n.surname)),
            NameForm::Masked { pattern } => pattern.clone(),
            NameForm::Latin { letters } => letters.clone(),
            // `ab` alone would read as one Latin word
            NameForm::Initials { letters } => letters
                .chars()
                .map(String::from)
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// PersonName::parse on any text: no panic, nor in the methods of what it gives.
    pub fn name_any(raw: String) -> Outcome {
        if let Some(n) = PersonName::parse(&raw) {
            let _ = (n.display(), n.masked());
        }
        Ok(())
    }

    /// PersonName::parse on any text: no panic; normalising the normal form changes nothing.
    pub fn name_idempotent(raw: String) -> Outcome {
        if let Some(n) = PersonName::parse(&raw) {
            let _ = (n.display(), n.masked());
            let text = name_text(&n);
            prop_assert_eq!(PersonName::parse(&text), Some(n), "{:?} → {:?}", raw, text);
        }
        Ok(())
    }

    /// Masks `positions` of `s` (by char index) with `mask`.
    fn mask_at(s: &str, positions: &[bool], masks: &[char]) -> String {
        s.chars()
            .enumerate()
            .map(|(i, c)| {
                if positions.get(i).copied().unwrap_or(false) {
                    masks[i % masks.len()]
                } else {
                    c
                }
            })
            .collect()
    }

    fn levels(a: &Case, b: &Case) -> [&'static str; 3] {
        let (pa, pb) = (Profile::of(a), Profile::of(b));
        let (ta, tb) = (TextSignature::of(&pa.text), TextSignature::of(&pb.text));
        let c = compare(&Prepared::new(a, &pa, &ta), &Prepared::new(b, &pb, &tb));
        [c.id_number.name(), c.phone.name(), c.name.name()]
    }

    /// What [`masked_never_exact`] takes: see [`super::inputs::masked_input`].
    pub type MaskedInput = (
        String,
        String,
        String,
        String,
        (Vec<bool>, Vec<bool>, Vec<char>),
    );

    /// A masked ID number, phone or name compares `exact` with nothing: not the value it
    /// hides, not itself, not another value.
    pub fn masked_never_exact(
        (id, other_id, mobile, name, (id_mask, phone_mask, masks)): MaskedInput,
    ) -> Outcome {
        // X masks only where it cannot be read as the check character
        let mut id_mask = id_mask;
        if !id_mask.iter().any(|m| *m) {
            id_mask[7] = true;
        }
        let mut phone_mask = phone_mask;
        if !phone_mask.iter().any(|m| *m) {
            phone_mask[5] = true;
        }
        let mut masked_id = mask_at(&id, &id_mask, &masks);
        // an x or X in the last place reads as the check character, not a mask
        if masked_id.ends_with(['x', 'X']) {
            masked_id.pop();
            masked_id.push('*');
        }
        let masked_phone = format!(
            "{}{}",
            &mobile[..3],
            mask_at(&mobile[3..], &phone_mask, &masks)
        );
        let masked = Case {
            id: "M".into(),
            id_number: Some(masked_id.clone()),
            phone: Some(masked_phone.clone()),
            name: Some(name.clone()),
            ..Case::default()
        };
        prop_assert!(
            matches!(IdNumber::parse(&masked_id), Some(IdNumber::Masked(_))),
            "{masked_id}"
        );
        let kinds: Vec<PhoneKind> = Phone::parse_all(&masked_phone)
            .iter()
            .map(|p| p.kind)
            .collect();
        prop_assert_eq!(kinds, vec![PhoneKind::Masked], "{}", masked_phone);
        prop_assert!(
            matches!(
                PersonName::parse(&name).map(|n| n.form),
                Some(NameForm::Masked { .. })
            ),
            "{name}"
        );
        let unmasked_name: String = name
            .chars()
            .map(|c| {
                if c.is_ascii() || "＊×".contains(c) {
                    '伟'
                } else {
                    c
                }
            })
            .collect();
        let others = [
            masked.clone(),
            Case {
                id: "O".into(),
                id_number: Some(id.clone()),
                phone: Some(mobile.clone()),
                name: Some(unmasked_name),
                ..Case::default()
            },
            Case {
                id: "P".into(),
                id_number: Some(other_id),
                phone: Some(format!("{}****{}", &mobile[..3], &mobile[7..])),
                name: Some(name.clone()),
                ..Case::default()
            },
        ];
        for other in &others {
            for pair in [levels(&masked, other), levels(other, &masked)] {
                prop_assert!(
                    !pair.contains(&"exact"),
                    "{pair:?}: {masked_id} {masked_phone} {name} vs {:?} {:?} {:?}",
                    other.id_number,
                    other.phone,
                    other.name
                );
            }
        }
        Ok(())
    }

    /// The tokenizer on any text, in both modes: every token is a non-empty range on char
    /// boundaries inside the text, of as many chars as its text; offsets and positions never
    /// go backwards.
    pub fn tokens_in_bounds(text: String) -> Outcome {
        for mode in [TokenizerMode::Index, TokenizerMode::Query] {
            let tokens = analyze(&text, mode);
            for t in &tokens {
                prop_assert!(
                    t.offset_from < t.offset_to && t.offset_to <= text.len(),
                    "{t:?} in {text:?}"
                );
                prop_assert!(
                    text.is_char_boundary(t.offset_from) && text.is_char_boundary(t.offset_to),
                    "{t:?} in {text:?}"
                );
                let orig = &text[t.offset_from..t.offset_to];
                prop_assert_eq!(
                    orig.chars().count(),
                    t.text.chars().count(),
                    "{:?} for {:?}",
                    t,
                    orig
                );
                prop_assert!(!t.text.is_empty() && t.text.len() <= 64);
            }
            for w in tokens.windows(2) {
                prop_assert!(
                    w[1].position >= w[0].position,
                    "{:?} then {:?} in {:?}",
                    w[0],
                    w[1],
                    text
                );
                prop_assert!(
                    w[1].offset_from >= w[0].offset_from,
                    "{:?} then {:?} in {:?}",
                    w[0],
                    w[1],
                    text
                );
            }
        }
        Ok(())
    }
}

use proptest::collection::vec;

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn jsonl_every_line_is_a_case_or_a_bad_record(bytes in inputs::jsonl_file()) {
        check::jsonl_lines(bytes)?;
    }

    #[test]
    fn jsonl_arbitrary_bytes(bytes in inputs::bytes()) {
        check::jsonl_lines(bytes)?;
    }

    #[test]
    fn jsonl_valid_records_round_trip(cases in vec(inputs::case(), 0..4)) {
        check::jsonl_round_trip(cases)?;
    }

    #[test]
    fn csv_arbitrary_bytes(bytes in inputs::bytes()) {
        check::csv_bytes(bytes)?;
    }

    #[test]
    fn csv_rows_round_trip(rows in inputs::csv_rows()) {
        check::csv_round_trip(rows)?;
    }

    #[test]
    fn xlsx_arbitrary_bytes_are_refused(bytes in inputs::bytes()) {
        check::xlsx_bytes(bytes)?;
    }

    #[test]
    fn xlsx_damaged_workbook(damage in inputs::damage()) {
        check::xlsx_damaged(damage)?;
    }

    #[test]
    fn dates_never_panic(raw in inputs::text()) {
        check::date_any(raw)?;
    }

    #[test]
    fn dates_round_trip_in_every_form(input in inputs::dated()) {
        check::date_forms(input)?;
    }

    // BUG (src/model/record.rs, parse_date_bound): a bare date is told by its length
    // (<= 10 chars), so `2054年10月10日` or `2023年05月14日` (11 chars) as an upper bound
    // stops at midnight and leaves out the day it names.
    #[test]
    fn date_bound_includes_the_whole_day(input in inputs::dated()) {
        check::date_bound_whole_day(input)?;
    }

    #[test]
    fn id_numbers_idempotent(raw in prop_oneof![inputs::text(), inputs::id_like()]) {
        check::id_idempotent(raw)?;
    }

    #[test]
    fn id_number_spellings(input in inputs::id_spelling()) {
        check::id_spellings(input)?;
    }

    #[test]
    fn phones_idempotent(raw in prop_oneof![inputs::text(), inputs::phone_like()]) {
        check::phone_idempotent(raw)?;
    }

    #[test]
    fn mobile_spellings(input in inputs::mobile_spelling()) {
        check::mobile_spellings(input)?;
    }

    // BUG (src/analysis/phone.rs, numbers_in): +86 or 0086 glued to the first group of a
    // grouped mobile (`+86130 0000 0000`, `+86139-1234-5678`) gives no number at all: the
    // group `86130` is not a known start, is flushed as a service number, and the rest
    // splits into two short numbers, dropped too.
    #[test]
    fn mobile_with_glued_country_code_in_groups(input in inputs::glued_code_grouped_mobile()) {
        check::mobile_spellings(input)?;
    }

    #[test]
    fn names_never_panic(raw in prop_oneof![inputs::text(), inputs::name_like()]) {
        check::name_any(raw)?;
    }

    // BUG (src/analysis/name.rs, PersonName::parse / strip_address): what is left after a
    // form of address is stripped is not checked again. 小明先生, 老王先生 give the full name
    // 小明, 老王 (surname 小, 老), while 小明, 老王 alone give the surname 明, 王; and
    // 匿名先生, 群众同志, 先生某某 give the full names 匿名, 群众, 先生, which alone name
    // nobody (so two anonymous callers compare as one name).
    #[test]
    fn names_idempotent(raw in prop_oneof![inputs::text(), inputs::name_like()]) {
        check::name_idempotent(raw)?;
    }

    #[test]
    fn masked_values_never_compare_exact(input in inputs::masked_input()) {
        check::masked_never_exact(input)?;
    }

    #[test]
    fn tokens_lie_on_char_boundaries(text in inputs::text()) {
        check::tokens_in_bounds(text)?;
    }
}
