//! Batch dedupe: nesting, no chaining across an estate, stable ids, manual links, report.

use casematch::Case;
use casematch::dedupe::{
    DedupeOptions, DedupeRecord, ManualLinks, PreviousGroups, Report, dedupe, render_html,
};
use casematch::matching::Model;
use casematch::model::parse_datetime;
use std::collections::HashMap;

const NOISE: &str = "望月湖小区旁边的工地每天晚上施工到凌晨三点，打桩机噪音很大，严重影响居民休息，多次向工地反映无果，希望有关部门依法查处夜间违规施工。";
const LIFT: &str = "望月湖小区三栋电梯半年内故障十几次，上个月还困住了两位老人，物业只是简单维修，一直没有彻底更换，请求质监部门督促物业更换电梯。";
const WAGES: &str = "本人在华兴建筑公司承建的枫林家园项目务工，公司拖欠十二名工人工资共计八万六千元，多次讨要未果，请求劳动监察部门帮助追讨欠薪。";

fn case(id: &str, name: &str, phone: &str, day: u32, channel: &str, content: &str) -> Case {
    Case {
        id: id.into(),
        channel: Some(channel.into()),
        platform: Some(format!("{channel}平台")),
        received_at: parse_datetime(&format!("2023-05-{day:02}T09:00:00+08:00")),
        name: Some(name.into()),
        phone: Some(phone.into()),
        address: Some(format!(
            "湖南省长沙市岳麓区望月湖街道枫林一路{}号",
            phone.len() + day as usize
        )),
        location: Some("湖南省长沙市岳麓区望月湖街道".into()),
        content: Some(content.into()),
        ..Case::default()
    }
}

fn cases() -> Vec<Case> {
    let mut v = vec![
        case("A1", "张伟", "13912345678", 1, "网上", NOISE),
        case(
            "A2",
            "张伟",
            "+86 139 1234 5678",
            9,
            "电话",
            &format!("来电人反映：{NOISE}"),
        ),
        case("A3", "张伟", "13912345678", 20, "来信", WAGES),
    ];
    // the same estate: twelve residents file the noise matter, four others the lift
    for i in 0..12 {
        v.push(case(
            &format!("N{i}"),
            &format!("居民{i}"),
            &format!("1370000{i:04}"),
            2 + i,
            "网上",
            NOISE,
        ));
    }
    for i in 0..4 {
        v.push(case(
            &format!("L{i}"),
            &format!("住户{i}"),
            &format!("1360000{i:04}"),
            3 + i,
            "微信",
            LIFT,
        ));
    }
    v
}

fn run(
    cases: Vec<Case>,
    opts: &DedupeOptions,
) -> (
    Vec<DedupeRecord>,
    HashMap<String, (String, String)>,
    casematch::dedupe::DedupeResult,
) {
    let mut records: Vec<DedupeRecord> = cases.into_iter().map(DedupeRecord::new).collect();
    let model = Model::bundled().unwrap();
    let result = dedupe(&mut records, &model, opts, &|_, _, _| {});
    let groups = result
        .rows
        .iter()
        .map(|r| {
            (
                r.id.clone(),
                (r.duplicate_group.clone(), r.matter_group.clone()),
            )
        })
        .collect();
    (records, groups, result)
}

#[test]
fn duplicate_groups_nest_in_matter_groups_without_chaining_the_estate() {
    let (_, g, result) = run(cases(), &DedupeOptions::default());
    assert_eq!(g["A1"].0, g["A2"].0, "same person, same matter");
    assert_ne!(g["A1"].0, g["A3"].0, "same person, another matter");
    assert_ne!(g["A1"].1, g["A3"].1);
    for i in 0..12 {
        assert_eq!(
            g[&format!("N{i}")].1,
            g["A1"].1,
            "resident N{i} joins the noise matter"
        );
        assert_ne!(g[&format!("N{i}")].0, g["A1"].0);
    }
    for i in 0..4 {
        assert_eq!(g[&format!("L{i}")].1, g["L0"].1);
        assert_ne!(
            g[&format!("L{i}")].1,
            g["A1"].1,
            "the lift matter stays apart"
        );
    }
    for row in &result.rows {
        // every duplicate group lies inside one matter group
        let same_dup: Vec<_> = result
            .rows
            .iter()
            .filter(|r| r.duplicate_group == row.duplicate_group)
            .collect();
        assert!(same_dup.iter().all(|r| r.matter_group == row.matter_group));
    }
    let a1 = result.rows.iter().find(|r| r.id == "A2").unwrap();
    assert_eq!(a1.original, "A1");
    assert_eq!(a1.size, 2);
    assert_eq!(a1.channels, vec!["电话".to_string(), "网上".to_string()]);
}

#[test]
fn ids_of_persisting_groups_survive_a_second_run_with_more_records() {
    let (_, first, _) = run(cases(), &DedupeOptions::default());
    let mut more = cases();
    // an earlier record of the noise matter arrives in the second export
    let mut early = case("A0", "张伟", "13912345678", 1, "来访", NOISE);
    early.received_at = parse_datetime("2023-04-01T09:00:00+08:00");
    more.push(early);
    let previous = PreviousGroups {
        by_record: first.clone(),
    };
    let (_, second, _) = run(
        more,
        &DedupeOptions {
            previous,
            ..DedupeOptions::default()
        },
    );
    assert_eq!(second["A1"], first["A1"], "the noise group keeps its ids");
    assert_eq!(second["A0"].0, first["A1"].0);
    assert_eq!(second["L0"], first["L0"]);
}

#[test]
fn manual_links_are_honoured() {
    let links = ManualLinks {
        must: vec![("A1".into(), "A3".into())],
        cannot: vec![("N0".into(), "N1".into())],
    };
    let (_, g, _) = run(
        cases(),
        &DedupeOptions {
            links,
            ..DedupeOptions::default()
        },
    );
    assert_eq!(g["A1"].0, g["A3"].0);
    assert_ne!(g["N0"].1, g["N1"].1);
}

#[test]
fn report_counts_repeats_and_collective_matters() {
    let (records, _, result) = run(cases(), &DedupeOptions::default());
    let model = Model::bundled().unwrap();
    let report = Report::build(&records, &result, &model);
    assert_eq!(report.records, 19);
    let phone = report.by_channel.iter().find(|r| r.key == "电话").unwrap();
    assert_eq!((phone.records, phone.repeats), (1, 1));
    assert!(report.duplicate_rate > 0.0 && report.duplicate_rate < 0.2);
    let top = &report.largest_collective_matters[0];
    assert_eq!(top.complainants, 13);
    assert!(report.sample_groups.iter().any(|g| {
        g.members
            .iter()
            .any(|m| m.id == "A2" && !m.evidence.is_empty())
    }));
    let html = render_html(&report);
    assert!(html.contains("重信重访率") && html.contains("A1"));
}

#[test]
fn a_tiny_memory_limit_spills_and_gives_the_same_groups_as_none() {
    use casematch::dedupe::BlockingConfig;
    use casematch::synth::{Generator, GeneratorConfig};
    let generated: Vec<Case> = Generator::new(GeneratorConfig {
        seed: 5,
        expected_records: 1500,
        ..GeneratorConfig::default()
    })
    .take(1500)
    .map(|r| r.case)
    .collect();
    let (_, in_memory, r1) = run(generated.clone(), &DedupeOptions::default());
    let (_, spilled, r2) = run(
        generated,
        &DedupeOptions {
            blocking: BlockingConfig {
                memory_limit: 64,
                ..BlockingConfig::default()
            },
            ..DedupeOptions::default()
        },
    );
    assert_eq!(r1.blocking.spilled_bytes, 0);
    assert!(
        r2.blocking.spilled_bytes >= 4 * r2.blocking.postings && r2.blocking.postings > 0,
        "{:?}",
        r2.blocking
    );
    assert_eq!(r2.blocking.spill_error, None);
    assert_eq!(r1.candidate_pairs, r2.candidate_pairs);
    // groups with more than one member exist, so equality says something
    assert!(r1.rows.iter().any(|r| r.size > 1));
    assert_eq!(in_memory, spilled);
}

#[test]
fn masked_phones_and_id_numbers_pair_with_the_values_they_hide() {
    // texts of different matters, so only the identifiers can make the pairs candidates
    let mut full = case("F1", "", "13912345678", 1, "网上", NOISE);
    full.id_number = Some("430104198807152329".into());
    let masked_phone = case("M1", "", "139****5678", 20, "电话", WAGES);
    let mut masked_id = case("M2", "", "", 25, "来信", LIFT);
    masked_id.id_number = Some("4301**********2329".into());
    let other = case("O1", "", "139****5679", 21, "电话", WAGES);
    let mut all = vec![full, masked_phone, masked_id, other];
    for c in &mut all {
        c.name = None;
        c.address = None;
    }
    let (records, _, result) = run(all, &DedupeOptions::default());
    let index: HashMap<&str, u32> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i as u32))
        .collect();
    let paired = |a: &str, b: &str| {
        let (x, y) = (index[a].min(index[b]), index[a].max(index[b]));
        result.pairs.iter().any(|p| (p.a, p.b) == (x, y))
    };
    assert!(paired("F1", "M1"), "masked phone");
    assert!(paired("F1", "M2"), "masked ID number");
    assert!(!paired("F1", "O1"), "another number's mask");
}

/// Same-matter pairs of `rows` found in one matter group, of all same-matter pairs.
fn matter_recall(
    rows: &[casematch::dedupe::GroupRow],
    truth: &HashMap<String, String>,
) -> (u64, u64) {
    let mut by_truth: HashMap<&str, Vec<&str>> = HashMap::new();
    for r in rows {
        by_truth
            .entry(truth[&r.id].as_str())
            .or_default()
            .push(r.matter_group.as_str());
    }
    let (mut found, mut all) = (0, 0);
    for groups in by_truth.values() {
        let mut count: HashMap<&str, u64> = HashMap::new();
        for g in groups {
            *count.entry(g).or_default() += 1;
        }
        let n = groups.len() as u64;
        all += n * (n - 1) / 2;
        found += count.values().map(|c| c * (c - 1) / 2).sum::<u64>();
    }
    (found, all)
}

#[test]
fn a_matter_that_runs_for_years_stays_one_matter_group() {
    use casematch::synth::{Generator, GeneratorConfig, Profile};
    let records: Vec<_> = Generator::new(GeneratorConfig {
        seed: 5,
        ..GeneratorConfig::for_profile(Profile::Longrun)
    })
    .take(3000)
    .collect();
    let truth: HashMap<String, String> = records
        .iter()
        .map(|r| (r.case.id.clone(), r.matter.clone()))
        .collect();
    let cases: Vec<Case> = records.into_iter().map(|r| r.case).collect();
    let group = |model: &Model| {
        let mut recs: Vec<DedupeRecord> = cases.iter().cloned().map(DedupeRecord::new).collect();
        dedupe(&mut recs, model, &DedupeOptions::default(), &|_, _, _| {}).rows
    };
    let bundled = Model::bundled().unwrap();
    let strict = Model {
        matter_merge_slack: 0.0,
        ..bundled.clone()
    };
    let (with_slack, all) = matter_recall(&group(&bundled), &truth);
    let (without, _) = matter_recall(&group(&strict), &truth);
    assert!(all > 1000, "{all} same-matter pairs");
    // strict average linkage splits the long matters by season; the slack joins them
    assert!(
        with_slack as f64 >= without as f64 + 0.1 * all as f64,
        "with slack {with_slack}, strict {without} of {all}"
    );
}
