//! Integration tests for the intake check: one per verdict, with the routing hint.

use super::fixtures::ok;
use casematch::engine::IngestOptions;
use casematch::model::parse_datetime;
use casematch::{Case, Engine, Verdict};

const NOISE: &str = "望月湖小区旁边的工地每天晚上施工到凌晨三点，打桩机噪音很大，严重影响居民休息，多次向工地反映无果，希望有关部门依法查处夜间违规施工。";
const WAGES: &str = "本人在华兴建筑公司承建的枫林家园项目务工，公司拖欠十二名工人工资共计八万六千元，多次讨要未果，请求劳动监察部门帮助追讨欠薪。";

fn submission(
    id: &str,
    name: &str,
    phone: &str,
    id_number: &str,
    date: &str,
    content: &str,
) -> Case {
    Case {
        id: id.into(),
        channel: Some("网上".into()),
        received_at: parse_datetime(date),
        name: (!name.is_empty()).then(|| name.into()),
        phone: (!phone.is_empty()).then(|| phone.into()),
        id_number: (!id_number.is_empty()).then(|| id_number.into()),
        address: Some("湖南省长沙市岳麓区望月湖街道枫林一路88号3栋2单元".into()),
        location: Some("湖南省长沙市岳麓区望月湖街道".into()),
        content: Some(content.into()),
        category: Some("城乡建设".into()),
        handler: Some("岳麓区住建局".into()),
        headcount: Some(1),
        ..Case::default()
    }
}

fn engine_with(cases: Vec<Case>) -> Engine {
    let e = Engine::in_memory().unwrap();
    e.ingest(ok(cases), &IngestOptions::default(), |_| {})
        .unwrap();
    e
}

fn background() -> Vec<Case> {
    // unrelated cases so that term statistics look like a real index
    casematch::synth::Generator::new(Default::default())
        .take(300)
        .map(|r| r.case)
        .collect()
}

#[test]
fn same_person_same_matter_across_channels_is_duplicate_and_routes_to_the_first_handler() {
    let mut cases = background();
    cases.push(submission(
        "WEB-1",
        "张伟",
        "13912345678",
        "430104198807152329",
        "2023-05-01T09:00:00+08:00",
        NOISE,
    ));
    let mut later = submission(
        "WEB-2",
        "张伟",
        "13912345678",
        "",
        "2023-05-20T09:00:00+08:00",
        NOISE,
    );
    later.handler = Some("长沙市住建局".into());
    cases.push(later);
    let e = engine_with(cases);
    let mut q = submission(
        "TEL-9",
        "張偉",
        "+86 139-1234-5678",
        "4301**********2329",
        "2023-06-02T10:00:00+08:00",
        "来电人反映：望月湖小区旁边工地每天晚上施工到凌晨三点，打桩机噪音很大，严重影响居民休息。来电人诉求：请有关部门尽快处理。",
    );
    q.channel = Some("电话".into());
    q.handler = None;
    let r = e.check(&q).unwrap();
    assert_eq!(r.verdict, Verdict::Duplicate, "{r:#?}");
    let dup_ids: Vec<&str> = r
        .matches
        .iter()
        .filter(|m| m.verdict == Verdict::Duplicate)
        .map(|m| m.id.as_str())
        .collect();
    assert!(
        dup_ids.contains(&"WEB-1") && dup_ids.contains(&"WEB-2"),
        "{dup_ids:?}"
    );
    let routing = r.routing.unwrap();
    assert_eq!(routing.original_id, "WEB-1");
    assert_eq!(routing.handler.as_deref(), Some("岳麓区住建局"));
    // evidence masks personal data
    let ev = &r.matches[0].evidence;
    let id_ev = ev.iter().find(|e| e.field == "id_number").unwrap();
    assert!(id_ev.candidate.as_deref().is_none_or(|v| v.contains('*')));
    assert!(ev.iter().all(|e| e.query.as_deref() != Some("13912345678")));
}

#[test]
fn residents_of_one_estate_filing_one_matter_are_related() {
    let mut cases = background();
    let surnames = ["李", "王", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐"];
    let given = ["明", "芳", "洋", "静", "磊"];
    let names: Vec<String> = surnames
        .iter()
        .flat_map(|s| given.iter().map(move |g| format!("{s}{g}")))
        .collect();
    assert_eq!(names.len(), 50);
    for (i, n) in names.iter().enumerate() {
        let mut c = submission(
            &format!("RES-{i}"),
            n,
            &format!("1380000{i:04}"),
            "",
            "2023-05-02T09:00:00+08:00",
            NOISE,
        );
        c.address = Some(format!("湖南省长沙市岳麓区望月湖街道枫林一路{}号", 10 + i));
        cases.push(c);
    }
    let e = engine_with(cases);
    let mut q = submission(
        "RES-NEW",
        "孙丽",
        "13700001111",
        "",
        "2023-05-03T09:00:00+08:00",
        NOISE,
    );
    q.address = Some("湖南省长沙市岳麓区望月湖街道枫林一路99号".into());
    let r = e.check(&q).unwrap();
    assert_eq!(r.verdict, Verdict::Related, "{r:#?}");
    let related = r
        .matches
        .iter()
        .filter(|m| m.verdict == Verdict::Related)
        .count();
    assert_eq!(related, 10, "the ten reported matches are all RELATED");
    assert!(r.matches.iter().all(|m| m.verdict != Verdict::Duplicate));
}

#[test]
fn same_person_with_another_matter_is_same_person() {
    let mut cases = background();
    cases.push(submission(
        "WEB-1",
        "张伟",
        "13912345678",
        "430104198807152329",
        "2023-05-01T09:00:00+08:00",
        NOISE,
    ));
    let e = engine_with(cases);
    let q = submission(
        "WEB-3",
        "张伟",
        "139 1234 5678",
        "430104198807152329",
        "2023-08-01T09:00:00+08:00",
        WAGES,
    );
    let r = e.check(&q).unwrap();
    assert_eq!(r.verdict, Verdict::SamePerson, "{r:#?}");
    assert_eq!(r.matches[0].id, "WEB-1");
    assert!(r.routing.is_none());
}

#[test]
fn unrelated_submission_is_new() {
    let mut cases = background();
    cases.push(submission(
        "WEB-1",
        "张伟",
        "13912345678",
        "430104198807152329",
        "2023-05-01T09:00:00+08:00",
        NOISE,
    ));
    let e = engine_with(cases);
    let mut q = submission(
        "WEB-4",
        "欧阳娜娜",
        "13655556666",
        "",
        "2023-05-01T09:00:00+08:00",
        WAGES,
    );
    q.address = Some("广东省广州市天河区林和街道体育西路1号".into());
    q.location = Some("广东省广州市天河区".into());
    let r = e.check(&q).unwrap();
    assert_eq!(r.verdict, Verdict::New, "{r:#?}");
    assert!(r.matches.iter().all(|m| m.verdict == Verdict::New));
}

#[test]
fn a_case_never_matches_itself() {
    let c = submission(
        "WEB-1",
        "张伟",
        "13912345678",
        "",
        "2023-05-01T09:00:00+08:00",
        NOISE,
    );
    let e = engine_with(vec![c.clone()]);
    let r = e.check(&c).unwrap();
    assert!(r.matches.iter().all(|m| m.id != "WEB-1"));
}

/// A 积案 complainant two years on: same phone, the narrative restated in other words and
/// saying it was filed before; the old case is the original and its first handler gets it.
#[test]
fn a_repeat_two_years_later_is_duplicate_with_the_old_case_as_original() {
    let mut cases = background();
    let mut old = submission(
        "LET-2024-1",
        "",
        "13912345678",
        "",
        "2024-03-02T10:00:00+08:00",
        "望月湖小区旁边的工地每天晚上施工到凌晨三点，打桩机噪音很大，严重影响居民休息，多次向工地反映无果，希望有关部门依法查处夜间违规施工。",
    );
    old.handler = Some("岳麓区城管局".into());
    cases.push(old);
    let e = engine_with(cases);
    let restated = "我在2024年3月曾反映过此事，至今没有任何答复。望月湖小区边上那个工地还是天天夜里施工到凌晨，打桩机的噪音吵得居民根本睡不着觉，请有关部门依法查处夜间违规施工。";
    let mut today = submission(
        "TEL-2026-9",
        "",
        "139-1234-5678",
        "",
        "2026-03-20T15:00:00+08:00",
        restated,
    );
    today.channel = Some("电话".into());
    today.handler = None;
    for received in [today.received_at, None] {
        let sub = Case {
            received_at: received,
            ..today.clone()
        };
        let now = parse_datetime("2026-03-20T15:00:00+08:00").unwrap();
        let r = e.check_at(&sub, now).unwrap();
        assert_eq!(
            r.verdict,
            Verdict::Duplicate,
            "received_at {received:?}: {r:#?}"
        );
        let route = r.routing.expect("routing");
        assert_eq!(route.original_id, "LET-2024-1");
        assert_eq!(route.handler.as_deref(), Some("岳麓区城管局"));
        let gap = r.matches[0]
            .evidence
            .iter()
            .find(|ev| ev.field == "time_gap")
            .expect("time gap evidence");
        assert_eq!(gap.level, "longer");
        assert!(
            gap.matter.abs() <= 3.0,
            "a time gap is weak evidence: {}",
            gap.matter
        );
    }
}

#[test]
fn a_masked_phone_on_either_side_finds_the_person_whatever_the_text() {
    // another platform's export masks the phone; the text is of another matter, so only the
    // mask can bring the case among the candidates
    for (on_file, asked) in [
        ("139****5678", "13912345678"),
        ("13912345678", "139-XXXX-5678"),
        ("13912345678", "*******5678"),
    ] {
        let mut cases = background();
        let mut old = submission("WEB-1", "", on_file, "", "2023-05-01T09:00:00+08:00", NOISE);
        old.address = None;
        cases.push(old);
        let e = engine_with(cases);
        let mut q = submission("WEB-5", "", asked, "", "2023-08-01T09:00:00+08:00", WAGES);
        q.address = None;
        let r = e.check(&q).unwrap();
        let m = r.matches.iter().find(|m| m.id == "WEB-1");
        // found, and the mask read as consistent: evidence toward one person (how much is
        // the model's, fitted; a bare mask with no name may stay short of SAME_PERSON)
        let phone = m.and_then(|m| m.evidence.iter().find(|ev| ev.field == "name_phone"));
        assert!(
            phone.is_some_and(|ev| ev.level.ends_with("phone_partial") && ev.person >= 3.0),
            "{on_file} on file, {asked} asked: {r:#?}"
        );
        assert_ne!(
            m.map(|m| m.verdict),
            Some(Verdict::Related),
            "one phone is not one matter"
        );
    }
}

#[test]
fn fitting_over_an_index_of_many_segments_finishes() {
    // the fit looks candidates up from rayon's pool while the index searches its segments on
    // threads of its own: those searches must not nest inside each other
    let records: Vec<_> = casematch::synth::Generator::new(casematch::synth::GeneratorConfig {
        profile: casematch::synth::Profile::Hotline,
        ..casematch::synth::GeneratorConfig::for_profile(casematch::synth::Profile::Hotline)
    })
    .take(4000)
    .collect();
    let truth: casematch::matching::Truth = records
        .iter()
        .map(|r| (r.case.id.clone(), (r.person.clone(), r.matter.clone())))
        .collect();
    let cases: Vec<Case> = records.into_iter().map(|r| r.case).collect();
    let e = Engine::in_memory().unwrap();
    e.ingest(
        ok(cases.clone()),
        &IngestOptions { commit_every: 100 },
        |_| {},
    )
    .unwrap();
    let fitted = e
        .fit_labelled(&cases, &truth, |n| format!("{n} pairs"))
        .unwrap();
    assert!(fitted.pairs > 1000, "{} pairs", fitted.pairs);
}

/// Long-running matters, generated: the last fifth of the submissions (by time) checked
/// against the rest, with and without evidence over a matter's several cases on file.
#[test]
fn a_newcomer_to_a_matter_that_runs_for_years_is_related_through_its_cases_on_file() {
    use casematch::synth::{Generator, GeneratorConfig, Profile};
    use std::collections::{HashMap, HashSet};
    let mut records: Vec<_> = Generator::new(GeneratorConfig {
        seed: 7,
        ..GeneratorConfig::for_profile(Profile::Longrun)
    })
    .take(3000)
    .collect();
    records.sort_by_key(|r| (r.case.timestamp().unwrap_or(i64::MAX), r.case.id.clone()));
    let split = records.len() * 4 / 5;
    let truth: HashMap<String, (String, String)> = records
        .iter()
        .map(|r| (r.case.id.clone(), (r.person.clone(), r.matter.clone())))
        .collect();
    let on_file: HashSet<(String, String)> = records[..split]
        .iter()
        .map(|r| (r.person.clone(), r.matter.clone()))
        .collect();
    let matters_on_file: HashSet<&str> =
        records[..split].iter().map(|r| r.matter.as_str()).collect();
    let mut e = engine_with(records[..split].iter().map(|r| r.case.clone()).collect());
    let run = |e: &Engine| {
        // (RELATED queries answered same matter, RELATED queries, group matches, right ones)
        let mut out = (0, 0, 0, 0);
        for r in &records[split..] {
            let res = e.check(&r.case).unwrap();
            let related = matters_on_file.contains(r.matter.as_str())
                && !on_file.contains(&(r.person.clone(), r.matter.clone()));
            if related {
                out.1 += 1;
                out.0 += matches!(res.verdict, Verdict::Related | Verdict::Duplicate) as usize;
            }
            for m in res.matches.iter().filter(|m| m.via_group) {
                assert!(matches!(m.verdict, Verdict::Related | Verdict::Duplicate));
                out.2 += 1;
                out.3 += (truth[&m.id].1 == r.matter) as usize;
            }
        }
        out
    };
    let with_groups = run(&e);
    let mut opts = e.check_options().clone();
    opts.group_min = 0;
    e.set_check_options(opts);
    let alone = run(&e);
    assert_eq!(alone.2, 0, "no group matches when switched off");
    assert!(with_groups.1 > 50, "{with_groups:?}");
    // the group evidence finds newcomers the single best case missed
    assert!(
        with_groups.0 as f64 >= alone.0 as f64 + 0.03 * with_groups.1 as f64,
        "with {with_groups:?} alone {alone:?}"
    );
    // and the cases it joins are of the submission's matter
    assert!(
        with_groups.3 as f64 >= 0.9 * with_groups.2 as f64,
        "{with_groups:?}"
    );
}

/// The same submission checked twice against the same index gets the same answer, match
/// for match: the text query keeps the same terms when several weigh alike (a small index
/// has many ties in document frequency), and candidates come back in a fixed order.
#[test]
fn a_check_repeated_gives_the_same_matches_in_the_same_order() {
    let records: Vec<Case> = casematch::synth::Generator::new(Default::default())
        .take(500)
        .map(|r| r.case)
        .collect();
    let (on_file, queries) = records.split_at(400);
    let e = engine_with(on_file.to_vec());
    // submissions without received_at are taken as received now: one fixed now
    let now = parse_datetime("2026-06-01T09:00:00+08:00").unwrap();
    let mut differ = Vec::new();
    for q in queries {
        let first = serde_json::to_string(&e.check_at(q, now).unwrap()).unwrap();
        for _ in 0..3 {
            let again = serde_json::to_string(&e.check_at(q, now).unwrap()).unwrap();
            if again != first {
                differ.push(q.id.clone());
                break;
            }
        }
    }
    assert!(
        differ.is_empty(),
        "checks that changed between runs: {differ:?}"
    );
}
