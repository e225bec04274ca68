//! Narratives and the fields of a submission: the core sentences of a matter (the same seed
//! gives the same text, reworded on request), follow-up phrases of repeat submissions, the
//! way each channel frames a text, and the record that carries it.

use super::ident::{self, Person};
use super::matters::Matter;
use super::phrases::*;
use super::profiles::{CHANNELS, Knobs, LET, SMS, TEL, VIS, WEB};
use super::{CST, Generator, Rng};
use crate::model::Case;
use chrono::{DateTime, Datelike, Duration, FixedOffset, TimeZone};

/// Appends `template` with `{key}` slots replaced; unknown slots stay as they are.
fn fill_into(out: &mut String, template: &str, slots: &[(&str, String)]) {
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else {
            out.push_str(&rest[i..]);
            return;
        };
        let key = &after[..j];
        match slots.iter().find(|(k, _)| *k == key) {
            Some((_, v)) => out.push_str(v),
            None => out.push_str(&rest[i..i + j + 2]),
        }
        rest = &after[j + 1..];
    }
    out.push_str(rest);
}

fn fill(template: &str, slots: &[(&str, String)]) -> String {
    let mut s = String::with_capacity(template.len() + 32);
    fill_into(&mut s, template, slots);
    s
}

/// One of the phrases, uniformly.
fn one(r: &mut Rng, phrases: &[&'static str]) -> &'static str {
    phrases[r.below(phrases.len())]
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Index drawn with the given weights.
fn weighted(r: &mut Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut x = r.below(total.max(1) as usize) as u32;
    for (i, &w) in weights.iter().enumerate() {
        if x < w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

fn month_text(r: &mut Rng, d: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> String {
    match r.below(10) {
        0..=5 => format!("{}年{}月", d.year(), d.month()),
        6..=8 => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        _ if d.year() + 1 == now.year() => format!("去年{}月", d.month()),
        _ => format!("{}年{}月份", d.year(), d.month()),
    }
}

fn gap_text(days: i64) -> String {
    const CN: [&str; 11] = [
        "零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十",
    ];
    match days {
        ..=13 => format!("{}天", days.max(1)),
        14..=59 => "一个多月".to_string(),
        60..=364 => {
            let m = (days / 30) as usize;
            if m == 6 {
                "半年多".to_string()
            } else {
                format!("{}个多月", CN[m.min(10)])
            }
        }
        _ => format!("{}年多", CN[((days / 365) as usize).min(10)]),
    }
}

/// What came before a submission of the same person on the same matter.
pub(super) struct History {
    /// 0 for the first submission
    pub(super) k: usize,
    pub(super) first: DateTime<FixedOffset>,
    pub(super) prev: DateTime<FixedOffset>,
}

/// The sentences of one narrative, before channel framing.
struct Core {
    title: String,
    sentences: Vec<String>,
    details: Vec<String>,
    ask: String,
}

/// The core of a narrative: the same seed gives the same sentences; details are added until
/// the text reaches `budget` characters.
fn core_text(m: &Matter, seed: u64, reword: bool, budget: usize) -> Core {
    let mut r = Rng::new(seed);
    let slots = if reword && r.chance(0.4) {
        &m.short
    } else {
        &m.slots
    };
    let p = m.problem;
    let mut order: Vec<usize> = (0..p.groups.len()).collect();
    if reword {
        order.retain(|&i| i == 0 || !r.chance(0.3));
        if r.chance(0.6) {
            for i in (2..order.len()).rev() {
                let j = 1 + r.below(i);
                order.swap(i, j);
            }
        }
    }
    let restate = |r: &mut Rng, s: &mut String, first: bool| {
        for _ in 0..3 {
            let (a, b) = *r.pick(REWORDS);
            if s.contains(a) && r.chance(0.7) {
                *s = s.replacen(a, b, 1);
            }
        }
        if !first && r.chance(0.12) {
            s.insert_str(0, one(r, LEADS));
        }
    };
    let mut sentences = Vec::with_capacity(order.len());
    for (n, &g) in order.iter().enumerate() {
        let alts = p.groups[g];
        let mut s = fill(alts[r.below(alts.len())], slots);
        if reword {
            restate(&mut r, &mut s, n == 0);
        }
        sentences.push(s);
    }
    let mut title = fill(p.titles[r.below(p.titles.len())], slots);
    if reword || r.chance(0.2) {
        title = match r.below(6) {
            0 => format!("反映{title}"),
            1 => format!("关于{title}的问题"),
            2 => format!("投诉{title}"),
            3 => format!("请求解决{title}问题"),
            4 => format!("{title}，望解决"),
            _ => title,
        };
    }
    let mut ask = fill(p.asks[r.below(p.asks.len())], slots);
    if reword {
        restate(&mut r, &mut ask, true);
    }
    let mut len: usize = sentences.iter().map(|s| chars(s)).sum();
    let mut idx: Vec<u8> = (0..DETAILS.len() as u8).collect();
    let mut details = Vec::new();
    for i in 0..idx.len() {
        if len >= budget {
            break;
        }
        let j = i + r.below(idx.len() - i);
        idx.swap(i, j);
        let mut s = fill(DETAILS[idx[i] as usize], slots);
        if reword {
            restate(&mut r, &mut s, false);
        }
        len += chars(&s);
        details.push(s);
    }
    Core {
        title,
        sentences,
        details,
        ask,
    }
}

impl Generator {
    /// What a repeat submission says of the earlier ones (when, how long ago), if anything.
    fn followup(&mut self, h: &History, when: DateTime<FixedOffset>) -> Option<String> {
        if h.k == 0 {
            return None;
        }
        let days = (when - h.prev).num_days();
        let r = &mut self.rng;
        if days >= 90 {
            if !r.chance(0.92) {
                return None;
            }
            let slots = [
                ("prev", month_text(r, h.prev, when)),
                ("first", month_text(r, h.first, when)),
                ("gap", gap_text(days)),
                ("gapf", gap_text((when - h.first).num_days())),
                ("ord", ORDINALS[h.k.min(8)].to_string()),
            ];
            let a = r.below(LONG_FOLLOWUPS.len());
            let mut s = fill(LONG_FOLLOWUPS[a], &slots);
            if r.chance(0.35) {
                let b = (a + 1 + r.below(LONG_FOLLOWUPS.len() - 1)) % LONG_FOLLOWUPS.len();
                fill_into(&mut s, LONG_FOLLOWUPS[b], &slots);
            }
            Some(s)
        } else {
            r.chance(0.7).then(|| r.pick(SHORT_FOLLOWUPS).to_string())
        }
    }

    /// One submission of `p` on `m` at about `when`: the channel, the identifiers as it
    /// writes them, the narrative and the other fields of the record.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn submission(
        &mut self,
        m: &Matter,
        p: &Person,
        seed: u64,
        reword: bool,
        collective: bool,
        h: &History,
        when: DateTime<FixedOffset>,
    ) -> Case {
        let knobs = m.knobs;
        let (ch, platform) = self.channel(&knobs, p);
        let (channel, _, prefix, has_accounts) = CHANNELS[ch];
        let when = self.office_hours(ch, when);
        self.next_record += 1;
        let id = format!("{prefix}-{}-{:07}", when.format("%Y"), self.next_record);
        let forms = knobs.forms;
        let name = ident::render_name(&mut self.rng, p, &forms);
        let id_number = ident::render_id(&mut self.rng, p, &forms);
        let phone = ident::render_phone(&mut self.rng, p, &forms);
        let account = (has_accounts && self.rng.chance(0.97)).then(|| {
            let which = u64::from(p.two_accounts && self.rng.chance(0.3));
            ident::account(p, platform, which)
        });
        let budget = budget(&mut self.rng, ch);
        let core = core_text(m, seed, reword, budget);
        let follow = self.followup(h, when);
        let content = frame(
            &mut self.rng,
            m,
            p,
            &core,
            follow,
            ch,
            collective,
            when,
            budget,
        );
        let r = &mut self.rng;
        let headcount = if collective && ch != TEL && ch != SMS && r.chance(0.25) {
            3 + r.below(60)
        } else {
            1
        };
        let location = match r.below(100) {
            0..=2 => None,
            3..=30 => Some(m.county_full.clone()),
            _ => Some(m.place.clone()),
        };
        let address = if r.chance(forms.address_missing) {
            None
        } else if r.chance(0.1) {
            Some(m.county_full.clone())
        } else {
            Some(p.address.clone())
        };
        let title = (ch != TEL && ch != SMS && r.chance(0.85)).then_some(core.title);
        let mut case = Case {
            id,
            platform: Some(platform.to_string()),
            channel: r.chance(0.98).then(|| channel.to_string()),
            received_at: r.chance(0.98).then_some(when),
            name,
            id_number,
            phone,
            address,
            location,
            headcount: Some(headcount as u32),
            title,
            content: Some(content),
            category: r.chance(0.9).then(|| m.problem.category.to_string()),
            handler: r.chance(0.85).then(|| m.handler.clone()),
            account,
            ..Case::default()
        };
        if r.chance(knobs.traditional) {
            case.content = case.content.map(|c| crate::analysis::to_traditional(&c));
            case.location = case.location.map(|c| crate::analysis::to_traditional(&c));
        }
        case
    }

    /// The channel (an index into `CHANNELS`) and platform of a submission: often the
    /// person's usual channel, mostly their usual platform of it.
    fn channel(&mut self, knobs: &Knobs, p: &Person) -> (usize, &'static str) {
        let ch = if self.rng.chance(0.45) {
            weighted(&mut Rng::new(p.seed), &knobs.channels)
        } else {
            weighted(&mut self.rng, &knobs.channels)
        };
        let platforms = CHANNELS[ch].1;
        let platform = if platforms.len() == 1 || self.rng.chance(0.8) {
            platforms[((p.seed >> 7) ^ ch as u64) as usize % platforms.len()]
        } else {
            *self.rng.pick(platforms)
        };
        (ch, platform)
    }

    /// `when` moved into office hours on its day for letters (registered) and visits
    /// (received); other channels keep it.
    fn office_hours(&mut self, ch: usize, when: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        if ch != LET && ch != VIS {
            return when;
        }
        let day = when.date_naive();
        let minutes = if ch == VIS { 8 * 60 + 30 } else { 9 * 60 } + self.rng.below(8 * 60);
        day.and_hms_opt(0, 0, 0)
            .and_then(|d| CST.from_local_datetime(&d).single())
            .map_or(when, |d| d + Duration::minutes(minutes as i64))
    }
}

/// How many characters the narrative of a submission on channel `ch` runs to.
fn budget(r: &mut Rng, ch: usize) -> usize {
    match ch {
        LET => 500 + r.below(500),
        WEB => 450 + r.below(500),
        TEL => 150 + r.below(250),
        VIS => 200 + r.below(300),
        SMS => 50 + r.below(90),
        _ => 150 + r.below(450),
    }
}

/// The content of a submission: the core sentences framed the way the channel writes.
#[allow(clippy::too_many_arguments)]
fn frame(
    r: &mut Rng,
    m: &Matter,
    p: &Person,
    core: &Core,
    follow: Option<String>,
    ch: usize,
    collective: bool,
    when: DateTime<FixedOffset>,
    budget: usize,
) -> String {
    let who = if r.chance(0.85) {
        p.name.clone()
    } else {
        format!("{}{}", p.name.chars().next().unwrap_or('王'), "某")
    };
    let addr = if r.chance(0.5) {
        m.place.clone()
    } else {
        p.address.clone()
    };
    let mut out = String::with_capacity(budget * 4);
    opening(r, &mut out, m, ch, &who, addr);
    if collective && ch != TEL && r.chance(0.6) {
        fill_into(
            &mut out,
            one(r, COLLECTIVE_INTROS),
            &[
                ("obj", m.group.0.clone()),
                ("who", m.group.1.to_string()),
                ("n", format!("{}", 10 + r.below(90))),
            ],
        );
    }
    let follow_front = r.chance(0.5);
    if follow_front && let Some(f) = &follow {
        out.push_str(f);
    }
    body(r, &mut out, core, ch, budget);
    if !follow_front && let Some(f) = &follow {
        out.push_str(f);
    }
    closing(r, &mut out, &core.ask, ch, &who, when);
    out
}

/// How the channel opens a text: a letter's salutation and introduction, a call summary's
/// first words, a visit record's heading …
fn opening(r: &mut Rng, out: &mut String, m: &Matter, ch: usize, who: &str, addr: String) {
    match ch {
        LET => {
            out.push_str(one(r, LETTER_OPENINGS));
            out.push('\n');
            fill_into(
                out,
                one(r, LETTER_INTROS),
                &[("who", who.to_string()), ("addr", addr)],
            );
            out.push('\n');
        }
        WEB => {
            out.push_str(one(r, WEB_OPENINGS));
            if r.chance(0.3) {
                out.push_str(&format!("我是{addr}的居民，"));
            }
        }
        TEL => {
            out.push_str(one(r, PHONE_OPENINGS));
            if r.chance(0.7) {
                out.push_str(&m.place);
                out.push('，');
            }
        }
        VIS => fill_into(out, one(r, VISIT_OPENINGS), &[("who", who.to_string())]),
        SMS => {}
        _ => out.push_str(one(r, CHAT_OPENINGS)),
    }
}

/// The core sentences and details until the text reaches `budget` characters (one sentence
/// by text message, at most three details in a call summary, told in the third person in
/// some).
fn body(r: &mut Rng, out: &mut String, core: &Core, ch: usize, budget: usize) {
    let start = chars(out);
    let mut len = 0;
    let third_person = ch == TEL && r.chance(0.4);
    // call summaries keep to the matter: at most three of the details
    let details = if ch == TEL { 3 } else { core.details.len() };
    for s in core
        .sentences
        .iter()
        .chain(core.details.iter().take(details))
    {
        if len > 0 && (len >= budget || ch == SMS) {
            break;
        }
        if third_person {
            out.push_str(
                &s.replace("本人", "来电人")
                    .replace("我们", "他们")
                    .replace('我', "其"),
            );
        } else {
            out.push_str(s);
        }
        len = chars(out) - start;
        if ch == LET && r.chance(0.15) {
            out.push('\n');
        }
    }
}

/// The demand `ask` with the lead-in of calls and visits, and how letters (signed and dated)
/// and web submissions close.
fn closing(
    r: &mut Rng,
    out: &mut String,
    ask: &str,
    ch: usize,
    who: &str,
    when: DateTime<FixedOffset>,
) {
    match ch {
        TEL => out.push_str(one(r, PHONE_ASK_LEADS)),
        VIS => out.push_str(one(r, VISIT_ASK_LEADS)),
        _ => {}
    }
    out.push_str(ask);
    match ch {
        LET => {
            out.push('\n');
            out.push_str(one(r, LETTER_CLOSINGS));
            let date = format!("{}年{}月{}日", when.year(), when.month(), when.day());
            let date = if r.chance(0.5) {
                super::ident::full_width(&date)
            } else {
                date
            };
            out.push_str(&format!("\n反映人：{who}\n{date}"));
        }
        WEB => out.push_str(one(r, WEB_CLOSINGS)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::Profile;
    use crate::synth::tests::records;

    #[test]
    fn narratives_are_as_long_as_real_ones() {
        for p in Profile::ALL {
            let recs = records(p, 3000);
            let mean = |channel: &str| {
                let lens: Vec<usize> = recs
                    .iter()
                    .filter(|r| r.case.channel.as_deref() == Some(channel))
                    .map(|r| r.case.content.as_deref().map_or(0, chars))
                    .collect();
                lens.iter().sum::<usize>() / lens.len().max(1)
            };
            assert!(
                mean("来信") >= 500,
                "{}: letters {}",
                p.name(),
                mean("来信")
            );
            assert!(mean("网上") >= 500, "{}: web {}", p.name(), mean("网上"));
            let tel = mean("电话");
            assert!((150..=400).contains(&tel), "{}: calls {tel}", p.name());
        }
    }
}
