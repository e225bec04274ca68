//! Import throughput in rows/s: 20,000 generated cases written as an Excel export (title row,
//! Chinese headers, serial dates, a mixed 联系方式 column) and as a GBK CSV, then read into
//! cases, and the workbook ingested into an index on disk.

use casematch::Engine;
use casematch::engine::IngestOptions;
use casematch::source::{ColumnMap, RecordSource};
use casematch::synth::{Generator, GeneratorConfig};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rust_xlsxwriter::{Format, Workbook};
use std::path::Path;

const ROWS: usize = 20_000;
const HEADERS: [&str; 10] = [
    "编号",
    "信访人",
    "身份证号",
    "联系方式",
    "信访形式",
    "问题属地",
    "标题",
    "反映内容",
    "登记时间",
    "首办单位",
];

/// The cells of a case as a clerk's export holds them; the time as an Excel serial number.
fn cells(c: &casematch::Case) -> [String; 10] {
    let serial = c.timestamp().map_or(String::new(), |t| {
        format!("{}", (t + 8 * 3600) as f64 / 86_400.0 + 25_569.0)
    });
    let contact = format!(
        "{} {}",
        c.phone.as_deref().unwrap_or(""),
        c.address.as_deref().unwrap_or("")
    );
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        c.id.clone(),
        s(&c.name),
        s(&c.id_number),
        contact,
        s(&c.channel),
        s(&c.location),
        s(&c.title),
        s(&c.content),
        serial,
        s(&c.handler),
    ]
}

fn fixtures(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let cases: Vec<_> = Generator::new(GeneratorConfig::default())
        .take(ROWS)
        .map(|r| r.case)
        .collect();
    let xlsx = dir.join("export.xlsx");
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "2024年信访登记表").expect("title");
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string(2, c as u16, *h).expect("header");
    }
    let mut csv = String::from("2024年信访登记表\n\n");
    csv.push_str(&HEADERS.join(","));
    csv.push('\n');
    for (r, case) in cases.iter().enumerate() {
        let row = cells(case);
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 3, c as u16);
            match v.parse::<f64>() {
                Ok(serial) if c == 8 => sheet.write_number_with_format(r, c, serial, &date),
                _ => sheet.write_string(r, c, v),
            }
            .expect("cell");
        }
        let quoted: Vec<String> = row
            .iter()
            .map(|v| format!("\"{}\"", v.replace('"', "\"\"")))
            .collect();
        csv.push_str(&quoted.join(","));
        csv.push('\n');
    }
    book.save(&xlsx).expect("save xlsx");
    let gbk = dir.join("export.csv");
    std::fs::write(&gbk, encoding_rs::GB18030.encode(&csv).0).expect("write csv");
    (xlsx, gbk)
}

fn read_all(path: &Path) -> usize {
    let mut n = 0;
    for item in RecordSource::open(path, ColumnMap::default()).expect("open") {
        n += usize::from(item.expect("read").is_ok());
    }
    n
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (xlsx, gbk) = fixtures(dir.path());
    assert_eq!(read_all(&xlsx), ROWS);
    assert_eq!(read_all(&gbk), ROWS);
    let mut g = c.benchmark_group("import");
    g.throughput(Throughput::Elements(ROWS as u64));
    g.sample_size(10);
    g.bench_function("xlsx_20k_rows_read", |b| b.iter(|| read_all(&xlsx)));
    g.bench_function("gbk_csv_20k_rows_read", |b| b.iter(|| read_all(&gbk)));
    g.bench_function("xlsx_20k_rows_ingest_to_disk", |b| {
        b.iter(|| {
            let ix = tempfile::tempdir().expect("temp dir");
            let engine = Engine::open(ix.path()).expect("open");
            engine
                .ingest(
                    RecordSource::open(&xlsx, ColumnMap::default()).expect("open"),
                    &IngestOptions::default(),
                    |_| {},
                )
                .expect("ingest")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
