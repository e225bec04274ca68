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
