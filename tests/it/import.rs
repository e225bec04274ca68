//! Importing platform exports as clerks save them: GBK CSV with a title row, UTF-8 with a
//! BOM, Excel workbooks with several sheets, serial dates and a mixed 联系方式 column; and
//! the files that must be refused, with the file named and the flag to pass.

use casematch::source::{ColumnMap, ReadOptions, RecordSource, TextEncoding};
use casematch::{Case, Engine};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::path::Path;
use std::process::Command;

fn casematch() -> Command {
    Command::new(env!("CARGO_BIN_EXE_casematch"))
}

/// Cases and bad records (as text) of a file.
fn read(path: &Path, opts: &ReadOptions) -> (Vec<Case>, Vec<String>) {
    let mut cases = Vec::new();
    let mut bad = Vec::new();
    for item in RecordSource::open_with(path, ColumnMap::default(), opts).unwrap() {
        match item.unwrap() {
            Ok(c) => cases.push(c),
            Err(b) => bad.push(b.to_string()),
        }
    }
    (cases, bad)
}

fn refusal(path: &Path, opts: &ReadOptions) -> String {
    match RecordSource::open_with(path, ColumnMap::default(), opts) {
        Ok(_) => panic!("{} was accepted", path.display()),
        Err(e) => e.to_string(),
    }
}

fn rfc3339(c: &Case) -> String {
    c.received_at.map(|t| t.to_rfc3339()).unwrap_or_default()
}

const GBK_EXPORT: &str = "2024年1月信访登记表,,,,\n\
,,,,\n\
编号,姓名,联系方式,诉求内容,登记时间\n\
G1,张伟,13912345678 长沙市岳麓区麓山路12号,小区旁工地夜间施工噪音扰民,2024-01-05 09:00\n\
G2,李娜,电话：0731-88889999；地址：长沙市开福区芙蓉中路1段,饭店油烟扰民,45292.5\n\
G3,王五,,道路破损,不是日期\n";

#[test]
fn gbk_csv_with_a_title_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("登记表.csv");
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(GBK_EXPORT);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture must not be UTF-8"
    );
    std::fs::write(&path, &bytes).unwrap();

    for encoding in [None, Some(TextEncoding::Gbk), Some(TextEncoding::Gb18030)] {
        let opts = ReadOptions {
            encoding,
            ..ReadOptions::default()
        };
        let (cases, bad) = read(&path, &opts);
        assert_eq!(cases.len(), 2, "{encoding:?}");
        let (g1, g2) = (&cases[0], &cases[1]);
        assert_eq!(g1.id, "G1");
        assert_eq!(g1.name.as_deref(), Some("张伟"));
        assert_eq!(g1.phone.as_deref(), Some("13912345678"));
        assert_eq!(g1.address.as_deref(), Some("长沙市岳麓区麓山路12号"));
        assert_eq!(g1.content.as_deref(), Some("小区旁工地夜间施工噪音扰民"));
        assert_eq!(rfc3339(g1), "2024-01-05T09:00:00+08:00");
        assert_eq!(g2.phone.as_deref(), Some("0731-88889999"));
        assert_eq!(g2.address.as_deref(), Some("长沙市开福区芙蓉中路1段"));
        // a serial number in the date column is a date, China time
        assert_eq!(rfc3339(g2), "2024-01-01T12:00:00+08:00");
        // lines count from the top of the file, title rows included
        assert_eq!(bad.len(), 1);
        assert!(
            bad[0].ends_with("登记表.csv:6: field `received_at`: unparseable date \"不是日期\""),
            "{}",
            bad[0]
        );
    }

    // read as UTF-8 it has no header: refused, saying what to pass
    let told_wrong = ReadOptions {
        encoding: Some(TextEncoding::Utf8),
        ..ReadOptions::default()
    };
    let e = refusal(&path, &told_wrong);
    assert!(
        e.contains("登记表.csv") && e.contains("--encoding") && e.contains("--map"),
        "{e}"
    );
}

#[test]
fn gb18030_bytes_outside_gbk_and_a_malformed_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hotline.csv");
    // 𠀾 (U+2003E) exists only in GB18030, as a four-byte sequence
    let mut bytes = encoding_rs::GB18030
        .encode("工单号,来电人,来电内容\nH1,𠀾明,噪音\n")
        .0
        .into_owned();
    bytes.extend_from_slice(b"H2,\x81\x20,x\n");
    bytes.extend_from_slice(&encoding_rs::GB18030.encode("H3,赵六,积水\n").0);
    std::fs::write(&path, &bytes).unwrap();
    let (cases, bad) = read(&path, &ReadOptions::default());
    assert_eq!(
        cases.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["H1", "H3"]
    );
    assert_eq!(cases[0].name.as_deref(), Some("𠀾明"));
    assert_eq!(bad.len(), 1);
    assert!(
        bad[0].contains("hotline.csv:3: invalid GB18030 text"),
        "{}",
        bad[0]
    );
}

#[test]
fn utf8_csv_with_a_bom() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bom.csv");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(
        "编号,姓名,联系电话,登记时间\nB1,张伟,13912345678,2024/01/05 09:00\n".as_bytes(),
    );
    std::fs::write(&path, &bytes).unwrap();
    let (cases, bad) = read(&path, &ReadOptions::default());
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(cases.len(), 1);
    // the BOM is not part of the first header: 编号 is the id
    assert_eq!(cases[0].id, "B1");
    assert_eq!(cases[0].phone.as_deref(), Some("13912345678"));
    assert!(cases[0].extra.is_empty(), "{:?}", cases[0].extra);
}

#[test]
fn unknown_encodings_and_binary_files_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let invalid = dir.path().join("乱码.csv");
    std::fs::write(&invalid, b"\xFF\xFD\xFF,id\nA,\xFF\xFF\xFF\n").unwrap();
    let e = refusal(&invalid, &ReadOptions::default());
    assert!(e.contains("乱码.csv"), "{e}");
    assert!(
        e.contains("unknown text encoding") && e.contains("--encoding"),
        "{e}"
    );

    let binary = dir.path().join("dump.csv");
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(&binary, &bytes).unwrap();
    let e = refusal(&binary, &ReadOptions::default());
    assert!(e.contains("dump.csv") && e.contains("--encoding"), "{e}");

    // a workbook saved under .csv is named for what it is
    let renamed = dir.path().join("export.csv");
    two_sheet_workbook(&renamed);
    let e = refusal(&renamed, &ReadOptions::default());
    assert!(e.contains("export.csv") && e.contains(".xlsx"), "{e}");
}

/// Sheet 1月: a merged title row, a blank row, the header, serial dates written as numbers
/// and as date cells, a 联系方式 column, numbers typed as numbers. Sheet 2月: the header on
/// row 1 and a bad headcount on row 3. Sheet 空: nothing.
fn two_sheet_workbook(path: &Path) {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let s = book.add_worksheet();
    s.set_name("1月").unwrap();
    s.merge_range(0, 0, 0, 5, "2024年1月信访登记表", &Format::new())
        .unwrap();
    for (c, h) in [
        "编号",
        "信访人",
        "联系方式",
        "信访形式",
        "反映内容",
        "登记时间",
    ]
    .iter()
    .enumerate()
    {
        s.write_string(2, c as u16, *h).unwrap();
    }
    s.write_string(3, 0, "X1").unwrap();
    s.write_string(3, 1, "张伟").unwrap();
    s.write_string(3, 2, "13912345678 长沙市岳麓区麓山路12号")
        .unwrap();
    s.write_string(3, 3, "来访").unwrap();
    s.write_string(3, 4, "小区旁工地夜间施工噪音扰民").unwrap();
    s.write_number(3, 5, 45292.5).unwrap();
    s.write_number(4, 0, 1002).unwrap();
    s.write_string(4, 1, "李娜").unwrap();
    s.write_string(4, 2, "电话：0731-88889999；地址：长沙市开福区芙蓉中路1段")
        .unwrap();
    s.write_string(4, 3, "来信").unwrap();
    s.write_string(4, 4, "饭店油烟扰民").unwrap();
    let t = ExcelDateTime::parse_from_str("2024-01-15 09:30:00").unwrap();
    s.write_datetime_with_format(4, 5, &t, &date).unwrap();
    let s = book.add_worksheet();
    s.set_name("2月").unwrap();
    for (c, h) in [
        "工单号",
        "来电人",
        "联系电话",
        "来电内容",
        "来访人数",
        "来电时间",
    ]
    .iter()
    .enumerate()
    {
        s.write_string(0, c as u16, *h).unwrap();
    }
    s.write_string(1, 0, "Y1").unwrap();
    s.write_string(1, 1, "王五").unwrap();
    s.write_number(1, 2, 13800000000.0).unwrap();
    s.write_string(1, 3, "道路破损无人修").unwrap();
    s.write_number(1, 4, 3).unwrap();
    let t = ExcelDateTime::parse_from_str("2024-02-01 08:00:00").unwrap();
    s.write_datetime_with_format(1, 5, &t, &date).unwrap();
    s.write_string(2, 0, "Y2").unwrap();
    s.write_string(2, 4, "很多").unwrap();
    book.add_worksheet().set_name("空").unwrap();
    book.save(path).unwrap();
}

#[test]
fn xlsx_every_sheet_or_one_with_title_rows_serial_dates_and_contacts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.xlsx");
    two_sheet_workbook(&path);

    let (cases, bad) = read(&path, &ReadOptions::default());
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["X1", "1002", "Y1"]);
    let (x1, x2, y1) = (&cases[0], &cases[1], &cases[2]);
    assert_eq!(x1.name.as_deref(), Some("张伟"));
    assert_eq!(x1.channel.as_deref(), Some("来访"));
    assert_eq!(x1.phone.as_deref(), Some("13912345678"));
    assert_eq!(x1.address.as_deref(), Some("长沙市岳麓区麓山路12号"));
    assert_eq!(rfc3339(x1), "2024-01-01T12:00:00+08:00");
    assert_eq!(x2.phone.as_deref(), Some("0731-88889999"));
    assert_eq!(x2.address.as_deref(), Some("长沙市开福区芙蓉中路1段"));
    assert_eq!(rfc3339(x2), "2024-01-15T09:30:00+08:00");
    assert_eq!(y1.phone.as_deref(), Some("13800000000"));
    assert_eq!(y1.headcount, Some(3));
    assert_eq!(rfc3339(y1), "2024-02-01T08:00:00+08:00");
    assert_eq!(bad.len(), 1);
    assert!(
        bad[0].ends_with("cases.xlsx[2月]:row 3: field `headcount`: expected a non-negative integer, found \"很多\""),
        "{}",
        bad[0]
    );

    let only = ReadOptions {
        sheet: Some("2月".into()),
        ..ReadOptions::default()
    };
    let (cases, bad) = read(&path, &only);
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].id, "Y1");
    assert_eq!(bad.len(), 1);

    let missing = ReadOptions {
        sheet: Some("3月".into()),
        ..ReadOptions::default()
    };
    let e = refusal(&path, &missing);
    assert!(
        e.contains("cases.xlsx") && e.contains("--sheet") && e.contains("1月, 2月, 空"),
        "{e}"
    );

    // and into an index
    let engine = Engine::open(&dir.path().join("ix")).unwrap();
    let stats = engine
        .ingest(
            RecordSource::open(&path, ColumnMap::default()).unwrap(),
            &casematch::engine::IngestOptions::default(),
            |_| {},
        )
        .unwrap();
    assert_eq!((stats.read, stats.added, stats.rejected), (4, 3, 1));
    assert_eq!(
        engine.get("1002").unwrap().unwrap().case.address.as_deref(),
        Some("长沙市开福区芙蓉中路1段")
    );
}

#[test]
fn a_sheet_without_a_header_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.xlsx");
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.set_name("登记").unwrap();
    s.write_string(0, 0, "编号").unwrap();
    s.write_string(0, 1, "诉求内容").unwrap();
    s.write_string(1, 0, "N1").unwrap();
    s.write_string(1, 1, "噪音").unwrap();
    let s = book.add_worksheet();
    s.set_name("说明").unwrap();
    s.write_string(0, 0, "本表由信访局导出").unwrap();
    s.write_string(1, 0, "如有疑问请联系办公室").unwrap();
    book.save(&path).unwrap();

    let e = refusal(&path, &ReadOptions::default());
    assert!(e.contains("notes.xlsx[说明]"), "{e}");
    assert!(e.contains("--map") && e.contains("--sheet"), "{e}");
    let (cases, _) = read(
        &path,
        &ReadOptions {
            sheet: Some("登记".into()),
            ..ReadOptions::default()
        },
    );
    assert_eq!(cases.len(), 1);
}

#[test]
fn cli_ingest_and_dedupe_take_sheet_and_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("cases.xlsx");
    two_sheet_workbook(&xlsx);
    let out = casematch()
        .args(["ingest", "--json", "--sheet", "1月", "--index"])
        .arg(dir.path().join("ix"))
        .arg(&xlsx)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["read"].as_u64(), v["added"].as_u64()),
        (Some(2), Some(2))
    );

    let csv = dir.path().join("登记表.csv");
    std::fs::write(&csv, encoding_rs::GBK.encode(GBK_EXPORT).0).unwrap();
    let out = casematch()
        .args(["ingest", "--encoding", "utf-8", "--index"])
        .arg(dir.path().join("ix"))
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("登记表.csv") && stderr.contains("--encoding"),
        "{stderr}"
    );

    let out = casematch()
        .args(["ingest", "--encoding", "latin1", "--index"])
        .arg(dir.path().join("ix"))
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");

    let groups = dir.path().join("groups.jsonl");
    let out = casematch()
        .args(["dedupe", "--json", "--encoding", "gbk", "--input"])
        .arg(&csv)
        .arg("--input")
        .arg(&xlsx)
        .arg("--output")
        .arg(&groups)
        .output()
        .unwrap();
    // G3 and Y2 are rejected
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["records"].as_u64(), v["rejected"].as_u64()),
        (Some(5), Some(2))
    );
    let text = std::fs::read_to_string(&groups).unwrap();
    assert_eq!(text.lines().count(), 5);
}
