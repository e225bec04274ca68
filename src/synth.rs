//! Synthetic complaint records for demos, tests and benchmarks: repeat submissions of one
//! matter across channels, collective complaints, complainants with several matters, and the
//! degraded fields real exports have (traditional characters, full-width digits, masked or
//! 15-digit IDs, formatted phones, honorific names, county-only places). No downloads.

use crate::analysis::Gazetteer;
use crate::model::Case;
use chrono::{DateTime, Duration, FixedOffset, TimeZone};

/// SplitMix64: small, fast and stable across versions, so a seed always gives the same data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
const GIVEN: &str = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建国建华志强海燕春梅国庆永刚德明俊杰子涵雨桐浩然欣怡思远佳怡文博晓东立新淑珍桂芝凤英玉梅金凤";
const ESTATES: [&str; 16] = [
    "阳光花园",
    "枫林小区",
    "幸福家园",
    "翠湖雅苑",
    "金色港湾",
    "锦绣华庭",
    "龙湖春江",
    "碧桂园",
    "滨江名苑",
    "书香门第",
    "和平新村",
    "丽景湾",
    "东方明珠苑",
    "恒大名都",
    "新城国际",
    "学府佳园",
];
const ROADS: [&str; 12] = [
    "建设路",
    "人民路",
    "解放路",
    "中山路",
    "新华街",
    "胜利路",
    "环城路",
    "光明路",
    "和平路",
    "东风路",
    "文化路",
    "滨河路",
];
const COMPANIES: [&str; 10] = [
    "宏达建筑公司",
    "鑫源物业公司",
    "华兴房地产开发公司",
    "顺通物流公司",
    "绿源环保公司",
    "金鼎装饰公司",
    "天成餐饮店",
    "恒通驾校",
    "安居中介公司",
    "盛世培训机构",
];

/// A matter template: category, department, title and narrative with slots
/// {estate} {road} {company} {amount} {n} {place}.
struct Template {
    category: &'static str,
    department: &'static str,
    title: &'static str,
    body: &'static str,
}

const TEMPLATES: [Template; 16] = [
    Template {
        category: "城乡建设",
        department: "住建局",
        title: "{estate}附近工地夜间施工噪音扰民",
        body: "{place}{road}{estate}旁边的工地每天晚上施工到凌晨{n}点，噪音很大，严重影响居民休息，多次向工地反映无果。希望有关部门依法查处夜间违规施工。",
    },
    Template {
        category: "城乡建设",
        department: "住建局",
        title: "{estate}开发商逾期交房",
        body: "{place}{estate}项目由{company}开发，合同约定去年交房，至今逾期{n}个月仍未交付，业主多次协商无果，开发商拒绝支付违约金。请求督促开发商尽快交房并依约赔偿。",
    },
    Template {
        category: "劳动和社会保障",
        department: "人社局",
        title: "{company}拖欠农民工工资",
        body: "本人在{place}{company}承建的{estate}项目务工，公司拖欠{n}名工人工资共计{amount}元，多次讨要未果，年关将近生活困难。请求劳动监察部门帮助追讨欠薪。",
    },
    Template {
        category: "劳动和社会保障",
        department: "人社局",
        title: "养老保险待遇核定有误",
        body: "本人在{place}缴纳养老保险{n}年，退休后核定的养老金比同等条件的人低{amount}元，社保经办机构解释不清。请求重新核算养老保险待遇。",
    },
    Template {
        category: "环境保护",
        department: "生态环境局",
        title: "{company}排放废气污染环境",
        body: "{place}{road}的{company}长期夜间排放刺鼻废气，周边{estate}居民开窗就能闻到，老人孩子咳嗽不止。请求环保部门检测并责令整改。",
    },
    Template {
        category: "环境保护",
        department: "生态环境局",
        title: "{road}饭店油烟扰民",
        body: "{place}{road}{n}号的饭店没有安装油烟净化设备，油烟直排进{estate}居民楼，夏天无法开窗。请求有关部门依法处理。",
    },
    Template {
        category: "交通运输",
        department: "交通运输局",
        title: "{road}公交线路停运影响出行",
        body: "{place}{road}经过{estate}的公交线路去年停运，附近{n}多户居民出行只能步行两公里去坐车，老人看病十分不便。建议恢复或调整公交线路。",
    },
    Template {
        category: "教育文体",
        department: "教育局",
        title: "{estate}适龄儿童入学难",
        body: "{place}{estate}属于新建小区，学区划分后孩子需要到{n}公里外的学校上学，接送困难。请求教育部门重新调整学区划分。",
    },
    Template {
        category: "教育文体",
        department: "教育局",
        title: "{company}预付学费后跑路",
        body: "{place}{road}的{company}收取学员预付学费共{amount}元后突然关门，负责人失联，涉及学员{n}人。请求有关部门追回学费。",
    },
    Template {
        category: "卫生计生",
        department: "卫健委",
        title: "{road}诊所违规行医",
        body: "{place}{road}一家无证诊所长期给人输液，卫生条件很差，前几天有{n}名老人输液后出现不良反应。请求卫生部门依法取缔。",
    },
    Template {
        category: "商贸旅游",
        department: "市场监管局",
        title: "{company}销售过期食品",
        body: "本人于上周在{place}{road}的{company}购买的食品已过保质期{n}天，商家拒绝退换还态度恶劣。请求市场监管部门查处并退还货款{amount}元。",
    },
    Template {
        category: "城乡建设",
        department: "城管局",
        title: "{estate}小区违章搭建",
        body: "{place}{estate}{n}栋一楼住户私自扩建围墙、搭建彩钢棚，占用公共绿地，堵塞消防通道。请求城管部门依法拆除违章建筑。",
    },
    Template {
        category: "城乡建设",
        department: "住建局",
        title: "{estate}物业服务差乱收费",
        body: "{place}{estate}的物业由{company}管理，小区垃圾长期无人清运，电梯经常故障，却要求每户多交{amount}元公摊费。请求主管部门监督物业整改。",
    },
    Template {
        category: "国土资源",
        department: "自然资源局",
        title: "{estate}不动产证迟迟办不下来",
        body: "{place}{estate}已经入住{n}年，开发商一直以土地手续未完善为由不给业主办理不动产证，影响孩子入学和房屋交易。请求有关部门协调解决办证问题。",
    },
    Template {
        category: "农村农业",
        department: "农业农村局",
        title: "村干部侵占集体土地补偿款",
        body: "{place}某村征地补偿款共{amount}元，村干部未经村民代表大会讨论擅自分配，{n}户村民至今未领到补偿。请求纪检部门调查并公开账目。",
    },
    Template {
        category: "民政",
        department: "民政局",
        title: "低保资格认定不公",
        body: "本人家住{place}{road}，家中{n}口人仅靠打零工维持生活，申请低保被拒，而村里有车有房的人却享受低保。请求民政部门重新审核低保资格。",
    },
];

/// Detail sentences appended to narratives, so letters run to several hundred characters.
const DETAILS: [&str; 16] = [
    "这个问题已经持续了{n}个月，周边居民苦不堪言。",
    "我们曾经拨打过社区电话，工作人员答应处理但一直没有下文。",
    "附近住着很多老人和小孩，身体和生活都受到很大影响。",
    "{company}的负责人态度很差，说有本事就去告，根本不把群众的诉求放在眼里。",
    "我们有照片和视频为证，如有需要可以随时提供给调查人员。",
    "去年{n}月份也出现过同样的情况，当时整改了几天又恢复原样。",
    "{road}一带人员密集，一旦出事后果不堪设想。",
    "希望相关部门能够实地调查，给群众一个明确的答复和处理结果。",
    "我们都是普通老百姓，实在没有别的办法，只能向政府求助。",
    "社区和街道之间相互推诿，谁都说不归自己管。",
    "此事涉及{estate}的{n}户居民，大家意见都很大。",
    "我们也找过{company}协商，对方承诺在月底前解决，但到现在都没有兑现。",
    "如果问题得不到解决，我们将继续向上级部门反映。",
    "恳请领导在百忙之中关注此事，尽快督促整改。",
    "有关单位上门查看过一次，拍了照片就走了，之后再也没有人来过。",
    "据了解，类似情况在{road}周边的几个小区都存在。",
];

const CHANNELS: [(&str, &str, &str); 7] = [
    ("网上", "省网上信访平台", "WEB"),
    ("电话", "12345热线", "TEL"),
    ("来信", "信访局来信登记", "LET"),
    ("来访", "信访局来访登记", "VIS"),
    ("微信", "微信公众号", "WX"),
    ("手机APP", "手机信访APP", "APP"),
    ("短信", "短信平台", "SMS"),
];

/// A generated record with its truth labels.
#[derive(Debug, Clone)]
pub struct SynthRecord {
    pub case: Case,
    pub person: String,
    pub matter: String,
}

#[derive(Debug, Clone)]
pub struct GeneratorConfig {
    pub seed: u64,
    /// share of matters filed by a crowd of residents
    pub collective_rate: f64,
    /// share of matters filed by a complainant seen before
    pub returning_rate: f64,
    /// mean number of submissions per single-person matter
    pub mean_repeats: f64,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        GeneratorConfig {
            seed: 42,
            collective_rate: 0.02,
            returning_rate: 0.12,
            mean_repeats: 1.6,
        }
    }
}

#[derive(Debug, Clone)]
struct Person {
    key: String,
    name: String,
    id18: String,
    phone: String,
    address: String,
}

/// An endless stream of synthetic records; use `take(n)`.
pub struct Generator {
    rng: Rng,
    cfg: GeneratorConfig,
    counties: Vec<(String, String)>,
    persons: Vec<Person>,
    queue: std::collections::VecDeque<SynthRecord>,
    next_person: u64,
    next_matter: u64,
    next_record: u64,
    clock: DateTime<FixedOffset>,
}

const CST: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(o) => o,
    None => panic!("UTC+8 is a valid offset"),
};

fn fill(template: &str, slots: &[(&str, String)]) -> String {
    let mut s = template.to_string();
    for (k, v) in slots {
        s = s.replace(k, v);
    }
    s
}

fn full_width_digits(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

impl Generator {
    pub fn new(cfg: GeneratorConfig) -> Generator {
        let g = Gazetteer::global();
        let mut rng = Rng::new(cfg.seed);
        // a few hundred counties, always including 长沙 so demos have a familiar place
        let mut counties: Vec<(String, String)> = Vec::new();
        for code in [
            "430102", "430103", "430104", "430105", "430111", "430112", "320106", "350102",
        ] {
            if let Some(d) = g.get(code) {
                counties.push((d.code.clone(), g.full_name(&d.code)));
            }
        }
        let mut province_codes: Vec<String> = (11..=65).map(|p| p.to_string()).collect();
        province_codes.retain(|p| g.get(p).is_some());
        while counties.len() < 300 {
            let p = rng.pick(&province_codes).clone();
            let city = format!("{p}{:02}", 1 + rng.below(12));
            let county = format!("{city}{:02}", 1 + rng.below(20));
            if let Some(d) = g.get(&county)
                && !counties.iter().any(|(c, _)| *c == d.code)
            {
                counties.push((d.code.clone(), g.full_name(&d.code)));
            }
        }
        Generator {
            rng,
            cfg,
            counties,
            persons: Vec::new(),
            queue: Default::default(),
            next_person: 0,
            next_matter: 0,
            next_record: 0,
            clock: CST
                .with_ymd_and_hms(2022, 1, 1, 8, 0, 0)
                .single()
                .unwrap_or_default(),
        }
    }

    fn town_of(&mut self, county: &str) -> Option<String> {
        let g = Gazetteer::global();
        for _ in 0..4 {
            let code = format!("{county}{:03}", 1 + self.rng.below(12));
            if let Some(d) = g.get(&code) {
                return Some(d.name.clone());
            }
        }
        None
    }

    fn new_person(&mut self, county: Option<(String, String)>) -> Person {
        let (code, county_name) = county.unwrap_or_else(|| self.rng.pick(&self.counties).clone());
        let surnames: Vec<char> = SURNAMES.chars().collect();
        let given: Vec<char> = GIVEN.chars().collect();
        let mut name = surnames[self.rng.below(surnames.len())].to_string();
        for _ in 0..(1 + usize::from(self.rng.chance(0.7))) {
            name.push(given[self.rng.below(given.len())]);
        }
        let year = 1950 + self.rng.below(55);
        let birth = format!(
            "{year}{:02}{:02}",
            1 + self.rng.below(12),
            1 + self.rng.below(28)
        );
        let first17 = format!("{code}{birth}{:03}", self.rng.below(1000));
        let check = crate::analysis::id_check_char(&first17).unwrap_or('0');
        let prefixes = [
            "139", "138", "137", "136", "135", "150", "151", "158", "186", "187", "177", "189",
            "199", "133",
        ];
        let phone = format!(
            "{}{:08}",
            self.rng.pick(&prefixes),
            self.rng.below(100_000_000)
        );
        let town = self.town_of(&code).unwrap_or_default();
        let address = format!(
            "{county_name}{town}{}{}号{}栋{}单元",
            self.rng.pick(&ROADS),
            1 + self.rng.below(300),
            1 + self.rng.below(30),
            1 + self.rng.below(6)
        );
        self.next_person += 1;
        Person {
            key: format!("P{:07}", self.next_person),
            name,
            id18: format!("{first17}{check}"),
            phone,
            address,
        }
    }

    fn person(&mut self, county: &(String, String)) -> Person {
        if !self.persons.is_empty() && self.rng.chance(self.cfg.returning_rate) {
            let i = self.rng.below(self.persons.len());
            return self.persons[i].clone();
        }
        let local = self.rng.chance(0.8);
        let p = self.new_person(local.then(|| county.clone()));
        if self.persons.len() < 20_000 {
            self.persons.push(p.clone());
        } else {
            let i = self.rng.below(self.persons.len());
            self.persons[i] = p.clone();
        }
        p
    }

    /// One matter and all its submissions, queued.
    fn new_matter(&mut self) {
        self.next_matter += 1;
        let matter = format!("M{:07}", self.next_matter);
        let county = self.rng.pick(&self.counties).clone();
        let town = self.town_of(&county.0);
        let t = self.rng.pick(&TEMPLATES);
        let place_text = format!("{}{}", county.1, town.clone().unwrap_or_default());
        let slots = [
            ("{estate}", self.rng.pick(&ESTATES).to_string()),
            ("{road}", self.rng.pick(&ROADS).to_string()),
            ("{company}", self.rng.pick(&COMPANIES).to_string()),
            ("{amount}", format!("{}", (1 + self.rng.below(500)) * 100)),
            ("{n}", format!("{}", 2 + self.rng.below(40))),
            ("{place}", place_text.clone()),
        ];
        let title = fill(t.title, &slots);
        let mut body = fill(t.body, &slots);
        for _ in 0..6 + self.rng.below(8) {
            let detail = *self.rng.pick(&DETAILS);
            body.push_str(&fill(detail, &slots));
        }
        let g = Gazetteer::global();
        let county_short = g.get(&county.0).map(|d| d.name.clone()).unwrap_or_default();
        let handler = format!("{county_short}{}", t.department);
        self.clock += Duration::minutes(30 + self.rng.below(600) as i64);
        let start = self.clock;
        let collective = self.rng.chance(self.cfg.collective_rate);
        let filers: Vec<(Person, usize)> = if collective {
            let n = 10 + self.rng.below(30);
            (0..n)
                .map(|_| {
                    let repeats = 1 + usize::from(self.rng.chance(0.2));
                    (self.new_person(Some(county.clone())), repeats)
                })
                .collect()
        } else {
            let mut repeats = 1;
            while repeats < 8 && self.rng.chance(1.0 - 1.0 / self.cfg.mean_repeats) {
                repeats += 1;
            }
            vec![(self.person(&county), repeats)]
        };
        for (person, repeats) in filers {
            for k in 0..repeats {
                let when = start
                    + Duration::hours((self.rng.below(24 * 60) * k + self.rng.below(48)) as i64);
                let case = self.submission(
                    &person,
                    &title,
                    &body,
                    &place_text,
                    &county.1,
                    &handler,
                    t.category,
                    when,
                    k,
                );
                self.queue.push_back(SynthRecord {
                    case,
                    person: person.key.clone(),
                    matter: matter.clone(),
                });
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn submission(
        &mut self,
        p: &Person,
        title: &str,
        body: &str,
        place: &str,
        county_name: &str,
        handler: &str,
        category: &str,
        when: DateTime<FixedOffset>,
        repeat: usize,
    ) -> Case {
        let (channel, platform, prefix) = *self.rng.pick(&CHANNELS);
        self.next_record += 1;
        let id = format!("{prefix}-{}-{:07}", when.format("%Y"), self.next_record);
        let r = &mut self.rng;
        let hotline = channel == "电话";
        let mut content = if hotline {
            format!(
                "来电人反映：{}来电人诉求：请有关部门尽快处理。",
                body.split('。').take(2).collect::<Vec<_>>().join("。")
            )
        } else {
            body.to_string()
        };
        if repeat > 0 {
            content.push_str(if r.chance(0.5) {
                "此前已反映过，至今未解决。"
            } else {
                "再次反映此事，望尽快答复。"
            });
        }
        let name = match r.below(10) {
            0 => None,
            1 => p
                .name
                .chars()
                .next()
                .map(|s| format!("{s}{}", if r.chance(0.5) { "女士" } else { "先生" })),
            2 => Some(
                p.name
                    .chars()
                    .map(String::from)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            _ => Some(p.name.clone()),
        };
        let id_number = match r.below(10) {
            0..=2 => None,
            3 => Some(format!("{}**********{}", &p.id18[..4], &p.id18[14..])),
            4 if p.id18[6..8] == *"19" => Some(format!("{}{}", &p.id18[..6], &p.id18[8..17])),
            5 => Some(full_width_digits(&p.id18)),
            _ => Some(p.id18.clone()),
        };
        let phone = match r.below(10) {
            0 => None,
            1 => Some(format!(
                "+86 {}-{}-{}",
                &p.phone[..3],
                &p.phone[3..7],
                &p.phone[7..]
            )),
            2 => Some(format!(
                "{} {} {}",
                &p.phone[..3],
                &p.phone[3..7],
                &p.phone[7..]
            )),
            _ => Some(p.phone.clone()),
        };
        let location = if r.chance(0.3) {
            county_name.to_string()
        } else {
            place.to_string()
        };
        let title = (!hotline && r.chance(0.85)).then(|| title.to_string());
        let mut case = Case {
            id,
            platform: Some(platform.to_string()),
            channel: Some(channel.to_string()),
            received_at: Some(when),
            name,
            id_number,
            phone,
            address: r.chance(0.7).then(|| p.address.clone()),
            location: Some(location),
            headcount: Some(1),
            title,
            content: Some(content),
            category: r.chance(0.9).then(|| category.to_string()),
            handler: r.chance(0.85).then(|| handler.to_string()),
            ..Case::default()
        };
        if r.chance(0.05) {
            case.content = case.content.map(|c| crate::analysis::to_traditional(&c));
            case.location = case.location.map(|c| crate::analysis::to_traditional(&c));
        }
        case
    }
}

impl Iterator for Generator {
    type Item = SynthRecord;
    fn next(&mut self) -> Option<SynthRecord> {
        while self.queue.is_empty() {
            self.new_matter();
        }
        self.queue.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{IdNumber, Profile};

    #[test]
    fn same_seed_same_records() {
        let a: Vec<String> = Generator::new(GeneratorConfig::default())
            .take(50)
            .map(|r| r.case.id)
            .collect();
        let b: Vec<String> = Generator::new(GeneratorConfig::default())
            .take(50)
            .map(|r| r.case.id)
            .collect();
        assert_eq!(a, b);
        let c: Vec<String> = Generator::new(GeneratorConfig {
            seed: 7,
            ..GeneratorConfig::default()
        })
        .take(50)
        .map(|r| r.case.content.unwrap_or_default())
        .collect();
        assert_ne!(
            c,
            Generator::new(GeneratorConfig::default())
                .take(50)
                .map(|r| r.case.content.unwrap_or_default())
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn records_have_repeats_collectives_and_valid_ids() {
        let recs: Vec<SynthRecord> = Generator::new(GeneratorConfig {
            collective_rate: 0.1,
            ..GeneratorConfig::default()
        })
        .take(2000)
        .collect();
        let ids: std::collections::HashSet<_> = recs.iter().map(|r| &r.case.id).collect();
        assert_eq!(ids.len(), recs.len(), "ids are unique");
        let mut per_matter: std::collections::HashMap<&str, std::collections::HashSet<&str>> =
            Default::default();
        for r in &recs {
            per_matter.entry(&r.matter).or_default().insert(&r.person);
        }
        assert!(
            per_matter.values().any(|p| p.len() >= 10),
            "a collective matter"
        );
        let valid = recs
            .iter()
            .filter(|r| matches!(Profile::of(&r.case).id_number, Some(IdNumber::Valid(_))))
            .count();
        assert!(valid > recs.len() / 3, "{valid} valid ids");
        assert!(
            recs.iter()
                .any(|r| r.case.id_number.as_deref().is_some_and(|i| i.contains('*')))
        );
    }
}
