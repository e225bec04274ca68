use super::fixtures::{case, ok};
use casematch::Engine;
use casematch::engine::IngestOptions;
use casematch::index::SearchRequest;

fn engine() -> Engine {
    let e = Engine::in_memory().unwrap();
    let mut cases = vec![
        case(
            "YL1",
            "湖南省长沙市岳麓区望月湖街道",
            "工地夜间施工噪音扰民",
            "小区旁边工地每天夜间施工，噪音扰民。",
        ),
        case(
            "KF1",
            "湖南省长沙市开福区",
            "",
            "物业待处理的报修一直没人来。",
        ),
        case("ZZ1", "湖南省株洲市芦淞区", "", "夜间施工噪音，影响休息。"),
        case("TW1", "湖南省長沙市天心區", "", "樓下飯店油煙擾民。"),
    ];
    for i in 0..25 {
        cases.push(case(
            &format!("P{i:02}"),
            "湖南省长沙市雨花区",
            "",
            &format!("第{i}号楼电梯故障停运"),
        ));
    }
    cases[2].channel = Some("电话".into());
    e.ingest(ok(cases), &IngestOptions::default(), |_| {})
        .unwrap();
    e
}

fn ids(e: &Engine, r: SearchRequest) -> Vec<String> {
    e.search(&r)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.case.id)
        .collect()
}

fn q(query: &str) -> SearchRequest {
    SearchRequest {
        query: query.into(),
        limit: 10,
        ..SearchRequest::default()
    }
}

#[test]
fn traditional_and_full_width_queries_find_simplified_and_back() {
    let e = engine();
    assert_eq!(ids(&e, q("噪音擾民")), vec!["YL1"]);
    assert_eq!(ids(&e, q("油烟扰民")), vec!["TW1"]);
    assert!(ids(&e, q("第１２号楼")).contains(&"P12".to_string()));
}

#[test]
fn sub_words_are_found() {
    let e = engine();
    assert!(ids(&e, q("处理")).contains(&"KF1".to_string()));
    let hit = e
        .search(&q("处理"))
        .unwrap()
        .hits
        .into_iter()
        .find(|h| h.case.id == "KF1")
        .unwrap();
    let h = hit
        .highlights
        .iter()
        .find(|h| h.field == "content")
        .unwrap();
    assert!(h.html.contains("<em>"), "{}", h.html);
    for r in &h.ranges {
        assert!(
            h.text[r.clone()].contains("处理"),
            "{:?}",
            &h.text[r.clone()]
        );
    }
}

#[test]
fn place_filter_includes_every_county_of_a_city() {
    let e = engine();
    let r = SearchRequest {
        place: Some("4301".into()),
        ..q("噪音")
    };
    assert_eq!(ids(&e, r), vec!["YL1"]);
    let r = SearchRequest {
        place: Some("43".into()),
        ..q("噪音")
    };
    assert_eq!(ids(&e, r).len(), 2);
    let r = SearchRequest {
        channel: Some("电话".into()),
        ..q("噪音")
    };
    assert_eq!(ids(&e, r), vec!["ZZ1"]);
}

#[test]
fn date_filter_bounds_are_inclusive() {
    let e = engine();
    let t = casematch::model::parse_datetime("2023-05-14T09:31:00+08:00")
        .unwrap()
        .timestamp();
    let r = SearchRequest {
        from: Some(t),
        to: Some(t),
        ..q("噪音")
    };
    assert_eq!(ids(&e, r).len(), 2);
    let r = SearchRequest {
        from: Some(t + 1),
        ..q("噪音")
    };
    assert!(ids(&e, r).is_empty());
}

#[test]
fn total_and_pagination() {
    let e = engine();
    let first = e
        .search(&SearchRequest {
            limit: 10,
            ..q("电梯故障")
        })
        .unwrap();
    assert_eq!(first.total, 25);
    assert_eq!(first.hits.len(), 10);
    let last = e
        .search(&SearchRequest {
            limit: 10,
            offset: 20,
            ..q("电梯故障")
        })
        .unwrap();
    assert_eq!(last.hits.len(), 5);
    let all: std::collections::HashSet<String> = (0..3)
        .flat_map(|p| {
            ids(
                &e,
                SearchRequest {
                    limit: 10,
                    offset: p * 10,
                    ..q("电梯故障")
                },
            )
        })
        .collect();
    assert_eq!(all.len(), 25);
}

#[test]
fn highlights_cover_the_matched_characters() {
    let e = engine();
    let hit = e.search(&q("油烟")).unwrap().hits.remove(0);
    let h = hit
        .highlights
        .iter()
        .find(|h| h.field == "content")
        .unwrap();
    assert!(h.html.contains("<em>油煙</em>"), "{}", h.html);
    for r in &h.ranges {
        assert_eq!(&h.text[r.clone()], "油煙");
    }
}

#[test]
fn counts_per_county_follow_the_query_and_filters() {
    let e = engine();
    let r = e
        .search(&SearchRequest {
            facet_counties: true,
            ..q("噪音")
        })
        .unwrap();
    let counts: Vec<(String, u64)> = r
        .counties
        .iter()
        .map(|c| (c.code.clone(), c.count))
        .collect();
    assert_eq!(counts.len(), 2, "{counts:?}");
    assert!(
        counts.contains(&("430104".into(), 1)) && counts.contains(&("430203".into(), 1)),
        "{counts:?}"
    );
    assert_eq!(
        r.counties.iter().find(|c| c.code == "430104").unwrap().name,
        "湖南省长沙市岳麓区"
    );
    let all = e
        .search(&SearchRequest {
            facet_counties: true,
            ..q("")
        })
        .unwrap();
    assert_eq!(
        all.counties[0].code, "430111",
        "雨花区 has the 25 lift cases"
    );
    assert_eq!(all.counties[0].count, 25);
    assert!(e.search(&q("噪音")).unwrap().counties.is_empty());
}

// ---- literal strings, syntax, synonyms, facets (issue 12) ----

use casematch::index::Ranking;
use casematch::synth::{Generator, GeneratorConfig, Profile as SynthProfile};
use proptest::prelude::*;
use std::sync::LazyLock;

fn engine_of(cases: Vec<casematch::Case>) -> Engine {
    let e = Engine::in_memory().unwrap();
    e.ingest(ok(cases), &IngestOptions::default(), |_| {})
        .unwrap();
    e
}

fn all_ids(e: &Engine, query: &str) -> Vec<String> {
    ids(
        e,
        SearchRequest {
            limit: 10_000,
            ..q(query)
        },
    )
}

/// Generated cases with narratives as long as real ones.
static GENERATED: LazyLock<(Engine, Vec<casematch::Case>)> = LazyLock::new(|| {
    let mut cfg = GeneratorConfig::for_profile(SynthProfile::Default);
    cfg.seed = 12;
    cfg.expected_records = 300;
    let cases: Vec<casematch::Case> = Generator::new(cfg).take(300).map(|r| r.case).collect();
    (engine_of(cases.clone()), cases)
});

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any literal string of two or more characters of a stored title, narrative or location
    /// finds its case, as a quoted phrase and (CJK only) as plain words.
    #[test]
    fn every_substring_of_an_indexed_text_finds_its_case(
        pick in 0usize..300, field in 0usize..3, start in 0usize..400, len in 2usize..9
    ) {
        let (e, cases) = &*GENERATED;
        let c = &cases[pick % cases.len()];
        let text = [&c.title, &c.content, &c.location][field].as_deref().unwrap_or("");
        let chars: Vec<char> = text.chars().collect();
        prop_assume!(chars.len() >= 2);
        let len = len.min(chars.len());
        let start = start % (chars.len() - len + 1);
        let sub: String = chars[start..start + len].iter().collect();
        prop_assume!(!sub.contains(['"', '“', '”', '＂']) && sub.chars().filter(|c| !c.is_whitespace()).count() >= 2);
        let quoted = format!("\"{sub}\"");
        prop_assert!(all_ids(e, &quoted).contains(&c.id), "{quoted} misses {}", c.id);
        if sub.chars().all(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)) {
            prop_assert!(all_ids(e, &sub).contains(&c.id), "{sub} misses {}", c.id);
        }
    }
}

#[test]
fn partial_words_are_found_and_word_matches_rank_first() {
    let words = case("W", "湖南省长沙市岳麓区", "", "报名截止日为五月。");
    // the literal three times over, inside the word 截止日期
    let literal = case(
        "L",
        "湖南省长沙市岳麓区",
        "",
        "申报截止日期已过。申报截止日期已过。申报截止日期已过。",
    );
    let partial = case("P", "湖南省普洱市思茅区", "", "众所周知，工地没有围挡。");
    let e = engine_of(vec![words, literal, partial]);
    // 截止日, 众所周, 洱市: fragments of words jieba keeps whole
    assert_eq!(all_ids(&e, "众所周"), ["P"]);
    assert_eq!(all_ids(&e, "洱市"), ["P"]);
    assert_eq!(all_ids(&e, "止日期"), ["L"]);
    let words_only = |query: &str| {
        ids(
            &e,
            SearchRequest {
                ranking: Some(Ranking {
                    literals: false,
                    ..Ranking::default()
                }),
                limit: 10,
                ..q(query)
            },
        )
    };
    assert!(words_only("众所周").is_empty(), "the words alone miss it");
    assert!(words_only("洱市").is_empty(), "the words alone miss it");
    // W holds the word 截止日; L only the literal, three times
    assert_eq!(words_only("截止日"), ["W"]);
    assert_eq!(all_ids(&e, "截止日"), ["W", "L"], "word matches first");
    // a phrase is the literal string
    assert_eq!(all_ids(&e, "\"日期已过\""), ["L"]);
    assert!(all_ids(&e, "\"截止日为六月\"").is_empty());
}

#[test]
fn query_syntax_exclusion_or_and_fields() {
    let mut a = case(
        "A",
        "湖南省长沙市岳麓区",
        "电梯故障",
        "电梯停运三天，物业不管。",
    );
    a.handler = Some("岳麓区住建局".into());
    let mut b = case(
        "B",
        "湖南省长沙市开福区",
        "油烟扰民",
        "楼下饭店油烟扰民，电梯口堆满杂物。",
    );
    b.handler = Some("开福区城管局".into());
    let c = case("C", "湖南省长沙市雨花区", "噪音扰民", "广场舞音乐声太大。");
    let e = engine_of(vec![a, b, c]);
    assert_eq!(all_ids(&e, "电梯 -油烟"), ["A"]);
    let mut either = all_ids(&e, "油烟 OR 广场舞");
    either.sort();
    assert_eq!(either, ["B", "C"]);
    assert_eq!(
        all_ids(&e, "title:电梯"),
        ["A"],
        "B has 电梯 in its content only"
    );
    let mut anywhere = all_ids(&e, "电梯");
    anywhere.sort();
    assert_eq!(anywhere, ["A", "B"]);
    assert_eq!(all_ids(&e, "电梯 handler:开福区城管局"), ["B"]);
    let mut yuelu = all_ids(&e, "handler:岳麓区住建局");
    yuelu.sort();
    assert_eq!(yuelu, ["A", "C"], "the fixtures' handler unless set");
    let mut not_kaifu = all_ids(&e, "扰民 -handler:开福区城管局");
    not_kaifu.sort();
    assert_eq!(not_kaifu, ["C"], "A has no 扰民, B is 开福区城管局's");
    for bad in ["\"电梯", "电梯 OR", "-", "foo:电梯", "(电梯)", "-电梯"] {
        match e.search(&q(bad)) {
            Err(casematch::Error::Query(m)) => assert!(
                m.contains("character") || m.contains("exclude"),
                "{bad}: {m}"
            ),
            other => panic!("{bad}: {other:?}"),
        }
    }
}

#[test]
fn synonyms_apply_at_query_time_both_ways() {
    let e = engine_of(vec![
        case(
            "WG",
            "湖南省长沙市岳麓区",
            "",
            "小区物管不作为，垃圾无人清运。",
        ),
        case("WY", "湖南省长沙市岳麓区", "", "物业公司乱收停车费。"),
        case("QX", "湖南省长沙市岳麓区", "", "老板拖欠工资半年。"),
        case("ZS", "湖南省长沙市岳麓区", "", "工厂噪声很大。"),
        case("WJ", "湖南省长沙市岳麓区", "", "邻居搭建违章建筑。"),
    ]);
    let sorted = |query: &str| {
        let mut v = all_ids(&e, query);
        v.sort();
        v
    };
    assert_eq!(sorted("物业"), ["WG", "WY"]);
    assert_eq!(sorted("物管"), ["WG", "WY"]);
    assert_eq!(sorted("欠薪"), ["QX"]);
    assert_eq!(sorted("噪音"), ["ZS"]);
    assert_eq!(sorted("违建"), ["WJ"]);
    let hit = e.search(&q("欠薪")).unwrap().hits.remove(0);
    let html = &hit.highlights[0].html;
    assert!(
        html.contains("<em>拖欠工资</em>") || html.contains("<em>拖欠</em>"),
        "{html}"
    );
    // a phrase is literal: no synonyms
    assert!(all_ids(&e, "\"欠薪\"").is_empty());
}

#[test]
fn facets_histogram_and_division_counts_follow_the_query() {
    let mut cases = Vec::new();
    for (i, (month, channel, county)) in [
        ("2023-01-10", "网上", "湖南省长沙市岳麓区"),
        ("2023-01-20", "电话", "湖南省长沙市岳麓区"),
        ("2023-02-05", "电话", "湖南省长沙市开福区"),
        ("2023-04-01", "来信", "湖南省株洲市芦淞区"),
        ("2023-06-02", "网上", "江苏省南京市玄武区"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut c = case(&format!("F{i}"), county, "", "电梯故障停运。");
        c.received_at = casematch::model::parse_datetime(&format!("{month}T23:30:00+08:00"));
        c.channel = Some(channel.into());
        if i == 4 {
            c.handler = Some("玄武区住建局".into());
            c.category = Some("交通".into());
        }
        cases.push(c);
    }
    cases.push(case("X", "湖南省长沙市岳麓区", "", "油烟扰民。"));
    let e = engine_of(cases);
    let r = e
        .search(&SearchRequest {
            facets: true,
            ..q("电梯")
        })
        .unwrap();
    assert_eq!(r.total, 5);
    let f = r.facets.unwrap();
    let pairs = |v: &[casematch::index::FacetValue]| {
        v.iter()
            .map(|x| (x.value.clone(), x.count))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        pairs(&f.channels),
        [("电话".into(), 2), ("网上".into(), 2), ("来信".into(), 1)]
    );
    assert_eq!(
        pairs(&f.handlers),
        [("岳麓区住建局".into(), 4), ("玄武区住建局".into(), 1)]
    );
    assert_eq!(
        pairs(&f.categories),
        [("城乡建设".into(), 4), ("交通".into(), 1)]
    );
    // months in China time (23:30 +08:00 stays on its day)
    assert_eq!(
        pairs(&f.months),
        [
            ("2023-01".into(), 2),
            ("2023-02".into(), 1),
            ("2023-04".into(), 1),
            ("2023-06".into(), 1)
        ]
    );
    assert_eq!(f.histogram.interval, "week");
    assert_eq!(f.histogram.buckets.iter().map(|b| b.count).sum::<u64>(), 5);
    assert_eq!(
        f.histogram.buckets[0].start, "2023-01-09",
        "weeks start on Monday"
    );
    let provinces: Vec<(String, u64)> = f
        .provinces
        .iter()
        .map(|p| (p.code.clone(), p.count))
        .collect();
    assert_eq!(provinces, [("430000".into(), 4), ("320000".into(), 1)]);
    assert_eq!(f.provinces[0].name, "湖南省");
    assert_eq!(f.counties.iter().map(|c| c.count).sum::<u64>(), 5);
    assert_eq!(f.counties[0].code, "430104");
    assert_eq!(f.counties[0].count, 2);
    assert_eq!(
        f.cities
            .iter()
            .find(|c| c.code == "430100")
            .map(|c| c.count),
        Some(3)
    );
    let narrowed = e
        .search(&SearchRequest {
            facets: true,
            channel: Some("电话".into()),
            ..q("电梯")
        })
        .unwrap()
        .facets
        .unwrap();
    assert_eq!(pairs(&narrowed.channels), [("电话".into(), 2)]);
    assert_eq!(narrowed.histogram.interval, "day");
}

mod http {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use casematch::server::{AppState, Config, KeyConfig, app};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    fn state() -> AppState {
        let keys = ["sup:supervisor", "boss:admin"]
            .iter()
            .map(|k| {
                let (name, role) = k.split_once(':').unwrap();
                KeyConfig {
                    name: name.into(),
                    role: role.into(),
                    key: Some(format!("{name}-key")),
                    sha256: None,
                }
            })
            .collect();
        let settings = Config {
            keys: Some(keys),
            ..Config::default()
        }
        .settings()
        .unwrap();
        let mut cases = Vec::new();
        for i in 0..3 {
            let mut c = case(
                &format!("E{i}"),
                "湖南省长沙市岳麓区",
                "电梯故障",
                &format!("=cmd|' /C calc'!A0 第{i}号楼电梯停运"),
            );
            c.phone = Some("13912345678".into());
            c.name = Some("张伟".into());
            cases.push(c);
        }
        let (state, _) = AppState::new(super::engine_of(cases), settings).unwrap();
        state
    }

    async fn get(state: &AppState, uri: &str, who: &str) -> (StatusCode, String, Vec<u8>) {
        let req = Request::builder()
            .uri(uri)
            .header("authorization", format!("Bearer {who}-key"))
            .body(Body::empty())
            .unwrap();
        let resp = app(state.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let ct = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        (status, ct, bytes)
    }

    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }

    #[tokio::test]
    async fn malformed_syntax_is_a_400_naming_the_problem_and_facets_come_back() {
        let s = state();
        for bad in ["\"电梯", "电梯 OR", "foo:电梯", "(电梯)"] {
            let (status, _, body) = get(&s, &format!("/v1/search?q={}", enc(bad)), "sup").await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(v["error"]["code"], "bad_request");
            assert!(
                v["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("character"),
                "{v}"
            );
        }
        let (status, _, body) = get(
            &s,
            &format!("/v1/search?q={}&facets=true", enc("电梯")),
            "sup",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["total"], 3);
        assert_eq!(v["facets"]["channels"][0]["value"], "网上");
        assert_eq!(v["facets"]["channels"][0]["count"], 3);
        assert_eq!(v["facets"]["months"][0]["value"], "2023-05");
        assert_eq!(v["facets"]["histogram"]["interval"], "day");
        assert_eq!(v["facets"]["counties"][0]["code"], "430104");
        assert_eq!(v["facets"]["provinces"][0]["name"], "湖南省");
    }

    #[tokio::test]
    async fn export_as_csv_and_xlsx_masked_for_supervisors_and_never_a_formula() {
        let s = state();
        let (status, ct, body) =
            get(&s, &format!("/v1/search/export?q={}", enc("电梯")), "sup").await;
        assert_eq!(status, StatusCode::OK);
        assert!(ct.starts_with("text/csv"), "{ct}");
        let text = String::from_utf8(body).unwrap();
        let text = text.trim_start_matches('\u{feff}');
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header[0], "id");
        let phone_col = header.iter().position(|h| h == "phone").unwrap();
        let content_col = header.iter().position(|h| h == "content").unwrap();
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(&rows[0][phone_col], "139****5678");
        assert!(
            rows[0][content_col].starts_with("'="),
            "{}",
            &rows[0][content_col]
        );
        // xlsx for the admin: phones in clear, strings not formulas
        let (status, ct, body) = get(
            &s,
            &format!("/v1/search/export?q={}&format=xlsx", enc("电梯")),
            "boss",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(ct.contains("spreadsheetml"), "{ct}");
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(body)).unwrap();
        let range = book.worksheet_range("cases").unwrap();
        assert_eq!(range.height(), 4);
        assert_eq!(
            range.get((1, phone_col)).unwrap().to_string(),
            "13912345678"
        );
        let formulas = book.worksheet_formula("cases").unwrap();
        assert!(formulas.used_cells().count() == 0, "no formulas");
        let (status, _, _) = get(&s, "/v1/search/export?q=x&format=pdf", "sup").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _, _) = get(&s, "/v1/search/export?q=x&limit=10001", "sup").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }

    async fn post(state: &AppState, uri: &str, who: &str, body: &serde_json::Value) -> StatusCode {
        let req = Request::builder()
            .method("POST")
            .uri(uri)
            .header("authorization", format!("Bearer {who}-key"))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        app(state.clone()).oneshot(req).await.unwrap().status()
    }

    #[tokio::test]
    async fn blank_filters_filter_nothing_and_parameters_stay_with_their_operation() {
        let s = state();
        for uri in [
            "/v1/search?place=&channel=&handler=%20&category=",
            "/v1/search/export?place=&channel=",
        ] {
            let (status, _, body) = get(&s, uri, "sup").await;
            assert_eq!(status, StatusCode::OK, "{uri}");
            if uri.starts_with("/v1/search?") {
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(v["total"], 3, "{uri}: {v}");
            }
        }
        // an unknown place is still refused, never read as "everywhere"
        let (status, _, _) = get(&s, &format!("/v1/search?place={}", enc("火星")), "sup").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        for uri in [
            "/v1/search?format=csv",
            "/v1/search/export?facets=true",
            "/v1/search/export?counties=true",
            "/v1/search/export?similar_to=E0",
            "/v1/search/export?offset=9000&limit=1001",
        ] {
            let (status, _, _) = get(&s, uri, "sup").await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        }
        // without a limit an export holds the rest of the window from its offset
        let (status, _, body) = get(&s, "/v1/search/export?offset=1", "sup").await;
        assert_eq!(status, StatusCode::OK);
        let text = String::from_utf8(body).unwrap();
        assert_eq!(text.lines().count(), 1 + 2, "{text}");
        // whole numbers as JSON writes them
        for limit in [serde_json::json!(2), serde_json::json!(2.0)] {
            let st = post(
                &s,
                "/v1/search",
                "sup",
                &serde_json::json!({ "limit": limit }),
            )
            .await;
            assert_eq!(st, StatusCode::OK, "{limit}");
        }
        for limit in [
            serde_json::json!(2.5),
            serde_json::json!(-1),
            serde_json::json!("x"),
        ] {
            let st = post(
                &s,
                "/v1/search",
                "sup",
                &serde_json::json!({ "limit": limit }),
            )
            .await;
            assert_eq!(st, StatusCode::BAD_REQUEST, "{limit}");
        }
    }

    /// The OpenAPI document and the handlers take the same parameters: every documented
    /// body property is accepted, every query parameter is a body property too, and a
    /// property the document does not name is refused.
    #[tokio::test]
    async fn the_openapi_document_names_exactly_the_search_export_and_person_parameters() {
        let s = state();
        let (status, _, body) = get(&s, "/openapi.json", "sup").await;
        assert_eq!(status, StatusCode::OK);
        let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let schemas = &doc["components"]["schemas"];
        let sample = |name: &str, schema: &serde_json::Value| -> serde_json::Value {
            match name {
                "from" | "to" => serde_json::json!("2023-05-01"),
                "name" => serde_json::json!("张伟"),
                "phone" => serde_json::json!("13912345678"),
                "place" => serde_json::json!("长沙"),
                "format" => serde_json::json!("xlsx"),
                "account" => serde_json::json!("网上:zhang123"),
                "id_number" => serde_json::json!("430104198807152329"),
                "similar_to" | "case_id" => serde_json::json!("E0"),
                _ if schema["type"] == "boolean" => serde_json::json!(true),
                _ if schema["type"][0] == "integer" => serde_json::json!(1),
                _ => serde_json::json!("电梯"),
            }
        };
        for (schema, uri, get_path) in [
            ("SearchRequest", "/v1/search", Some("/v1/search")),
            (
                "ExportRequest",
                "/v1/search/export",
                Some("/v1/search/export"),
            ),
            ("PersonRequest", "/v1/person", None),
        ] {
            let props = schemas[schema]["properties"].as_object().unwrap();
            assert!(props.len() >= 10, "{schema}");
            for (name, prop) in props {
                let mut body = serde_json::json!({ name.as_str(): sample(name, prop) });
                if schema == "PersonRequest" && name != "phone" && name != "case_id" {
                    body["phone"] = serde_json::json!("13912345678");
                }
                if name == "facets" || name == "counties" {
                    body["q"] = serde_json::json!("电梯");
                }
                let st = post(&s, uri, "boss", &body).await;
                assert_eq!(st, StatusCode::OK, "{uri} {body}");
            }
            let mut unknown = serde_json::json!({ "nonsense": 1 });
            if schema == "PersonRequest" {
                unknown["phone"] = serde_json::json!("13912345678");
            }
            let st = post(&s, uri, "boss", &unknown).await;
            assert_eq!(st, StatusCode::BAD_REQUEST, "{uri}");
            if let Some(path) = get_path {
                let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
                let names: Vec<&str> = params.iter().map(|p| p["name"].as_str().unwrap()).collect();
                let mut documented: Vec<&str> = props.keys().map(String::as_str).collect();
                documented.sort_unstable();
                let mut sorted = names.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, documented, "{path}");
            }
        }
        for (path, method, roles) in [
            ("/v1/search/export", "get", vec!["supervisor", "admin"]),
            ("/v1/search/export", "post", vec!["supervisor", "admin"]),
            ("/v1/person", "post", vec!["intake", "supervisor", "admin"]),
            ("/v1/audit", "get", vec!["admin"]),
        ] {
            let op = &doc["paths"][path][method];
            assert_eq!(op["x-roles"], serde_json::json!(roles), "{method} {path}");
            for status in ["200", "400", "401", "403", "429"] {
                assert!(
                    op["responses"].get(status).is_some(),
                    "{method} {path} {status}"
                );
            }
        }
    }
}

#[test]
fn a_reworded_record_of_the_matter_ranks_above_one_sharing_only_common_words() {
    // the query: one record's title; R retells the matter in other words, U shares only
    // words every other case uses too
    let mut cases = vec![
        case(
            "R",
            "湖南省长沙市岳麓区",
            "",
            "金桂苑的电梯停了，物业一直拖着不修，老人只能爬楼。",
        ),
        case(
            "U",
            "湖南省长沙市岳麓区",
            "",
            "小区门口的路灯坏了三个月没人修，晚上出行很不方便。",
        ),
    ];
    // enough other cases for the common words to be common (weights count at least 1,000)
    let places = ["芙蓉区", "天心区", "开福区", "雨花区", "望城区"];
    let templates = [
        "第{}栋楼道的灯坏了三个月没人修，小区的电梯也经常出问题。",
        "小区{}号门的门禁坏了，物业说三个月内修好，到现在没人管。",
        "单位拖欠{}名工人工资三个月，多次讨要没人理。",
        "{}路口的红绿灯坏了，过马路很危险。",
    ];
    for i in 0..1200 {
        cases.push(case(
            &format!("F{i:04}"),
            &format!("湖南省长沙市{}", places[i % places.len()]),
            "",
            &templates[i % templates.len()].replace("{}", &i.to_string()),
        ));
    }
    let e = engine_of(cases);
    let query = "金桂苑小区电梯坏了三个月没人修";
    let ranked = ids(&e, q(query));
    let at = |id: &str| ranked.iter().position(|x| x == id);
    let (r, u) = (at("R"), at("U"));
    assert!(r.is_some(), "the reworded record is found: {ranked:?}");
    assert!(
        u.is_none() || r < u,
        "the reworded record ranks above the unrelated one: {ranked:?}"
    );
    assert_eq!(ranked.first().map(String::as_str), Some("R"), "{ranked:?}");
    // words alone (half of a long term's words) miss it; its rare bigrams (金桂, 桂苑) find it
    let one_stage = ids(
        &e,
        SearchRequest {
            ranking: Some(Ranking {
                rerank_depth: 0,
                rare_bigram_share: 0.0,
                ..Ranking::default()
            }),
            ..q(query)
        },
    );
    assert!(
        !one_stage.contains(&"R".to_string()),
        "words alone miss the retold record: {one_stage:?}"
    );
}
