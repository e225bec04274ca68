//! Who files: generated persons and the forms their name, phone, ID number and platform
//! account take in one export or another.

use super::Rng;

pub(super) const SURNAMES: &[(&str, &str)] = &[
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("黄", "Huang"),
    ("赵", "Zhao"),
    ("吴", "Wu"),
    ("周", "Zhou"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("马", "Ma"),
    ("朱", "Zhu"),
    ("胡", "Hu"),
    ("郭", "Guo"),
    ("何", "He"),
    ("高", "Gao"),
    ("林", "Lin"),
    ("罗", "Luo"),
    ("郑", "Zheng"),
    ("梁", "Liang"),
    ("谢", "Xie"),
    ("宋", "Song"),
    ("唐", "Tang"),
    ("许", "Xu"),
    ("韩", "Han"),
    ("冯", "Feng"),
    ("邓", "Deng"),
    ("曹", "Cao"),
    ("彭", "Peng"),
    ("曾", "Zeng"),
    ("肖", "Xiao"),
    ("田", "Tian"),
    ("董", "Dong"),
    ("袁", "Yuan"),
    ("潘", "Pan"),
    ("于", "Yu"),
    ("蒋", "Jiang"),
    ("蔡", "Cai"),
    ("余", "Yu"),
    ("杜", "Du"),
    ("叶", "Ye"),
    ("程", "Cheng"),
    ("苏", "Su"),
    ("魏", "Wei"),
    ("吕", "Lv"),
    ("丁", "Ding"),
    ("任", "Ren"),
    ("沈", "Shen"),
    ("姚", "Yao"),
    ("卢", "Lu"),
    ("姜", "Jiang"),
    ("崔", "Cui"),
    ("钟", "Zhong"),
    ("谭", "Tan"),
    ("陆", "Lu"),
    ("汪", "Wang"),
    ("范", "Fan"),
    ("金", "Jin"),
    ("石", "Shi"),
    ("廖", "Liao"),
    ("贾", "Jia"),
    ("夏", "Xia"),
    ("韦", "Wei"),
    ("付", "Fu"),
    ("方", "Fang"),
    ("白", "Bai"),
    ("邹", "Zou"),
    ("孟", "Meng"),
    ("熊", "Xiong"),
    ("秦", "Qin"),
    ("邱", "Qiu"),
    ("江", "Jiang"),
    ("尹", "Yin"),
    ("薛", "Xue"),
    ("闫", "Yan"),
    ("段", "Duan"),
    ("雷", "Lei"),
    ("侯", "Hou"),
    ("龙", "Long"),
    ("史", "Shi"),
    ("陶", "Tao"),
    ("黎", "Li"),
    ("贺", "He"),
    ("顾", "Gu"),
    ("毛", "Mao"),
    ("郝", "Hao"),
    ("龚", "Gong"),
    ("邵", "Shao"),
    ("万", "Wan"),
    ("钱", "Qian"),
    ("严", "Yan"),
    ("覃", "Qin"),
    ("武", "Wu"),
    ("戴", "Dai"),
    ("莫", "Mo"),
    ("孔", "Kong"),
    ("向", "Xiang"),
    ("汤", "Tang"),
    ("欧阳", "Ouyang"),
    ("司马", "Sima"),
    ("诸葛", "Zhuge"),
];

pub(super) const GIVEN: &[(&str, &str)] = &[
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("秀", "xiu"),
    ("英", "ying"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("兰", "lan"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("桂", "gui"),
    ("华", "hua"),
    ("玉", "yu"),
    ("萍", "ping"),
    ("红", "hong"),
    ("建", "jian"),
    ("国", "guo"),
    ("志", "zhi"),
    ("海", "hai"),
    ("燕", "yan"),
    ("春", "chun"),
    ("梅", "mei"),
    ("庆", "qing"),
    ("永", "yong"),
    ("德", "de"),
    ("俊", "jun"),
    ("子", "zi"),
    ("涵", "han"),
    ("雨", "yu"),
    ("桐", "tong"),
    ("浩", "hao"),
    ("然", "ran"),
    ("欣", "xin"),
    ("怡", "yi"),
    ("思", "si"),
    ("远", "yuan"),
    ("佳", "jia"),
    ("文", "wen"),
    ("博", "bo"),
    ("晓", "xiao"),
    ("东", "dong"),
    ("立", "li"),
    ("新", "xin"),
    ("淑", "shu"),
    ("珍", "zhen"),
    ("芝", "zhi"),
    ("凤", "feng"),
    ("金", "jin"),
    ("荣", "rong"),
    ("辉", "hui"),
    ("鹏", "peng"),
    ("斌", "bin"),
    ("宇", "yu"),
    ("婷", "ting"),
    ("琳", "lin"),
    ("宏", "hong"),
    ("云", "yun"),
    ("飞", "fei"),
    ("亮", "liang"),
    ("成", "cheng"),
    ("秋", "qiu"),
    ("林", "lin"),
    ("丹", "dan"),
    ("波", "bo"),
    ("莉", "li"),
    ("振", "zhen"),
    ("福", "fu"),
    ("翠", "cui"),
    ("莲", "lian"),
    ("树", "shu"),
    ("生", "sheng"),
];

/// Given names of Uyghur/Kazakh style, written with a middle dot between the two parts.
const DOT_NAMES: &[&str] = &[
    "艾力",
    "买买提",
    "阿依古丽",
    "古丽娜尔",
    "吐尔逊",
    "热合曼",
    "阿不都",
    "努尔",
    "依明",
    "玉苏甫",
    "帕提古丽",
    "阿卜杜拉",
    "热依拉",
    "努尔兰",
    "哈力克",
];

/// Capital-city area codes by province code.
pub(super) fn area_code(province: &str) -> &'static str {
    match province {
        "11" => "010",
        "12" => "022",
        "31" => "021",
        "50" => "023",
        "13" => "0311",
        "14" => "0351",
        "15" => "0471",
        "21" => "024",
        "22" => "0431",
        "23" => "0451",
        "32" => "025",
        "33" => "0571",
        "34" => "0551",
        "35" => "0591",
        "36" => "0791",
        "37" => "0531",
        "41" => "0371",
        "42" => "027",
        "43" => "0731",
        "44" => "020",
        "45" => "0771",
        "46" => "0898",
        "51" => "028",
        "52" => "0851",
        "53" => "0871",
        "54" => "0891",
        "61" => "029",
        "62" => "0931",
        "63" => "0971",
        "64" => "0951",
        "65" => "0991",
        _ => "0755",
    }
}

const MOBILE_PREFIXES: [&str; 20] = [
    "139", "138", "137", "136", "135", "150", "151", "158", "186", "187", "177", "189", "199",
    "133", "153", "180", "181", "182", "173", "166",
];

#[derive(Debug, Clone)]
pub(super) struct Person {
    pub key: String,
    /// the name as written in Chinese characters
    pub name: String,
    /// index into SURNAMES, None for a dotted name
    pub surname: Option<usize>,
    pub given: Vec<usize>,
    pub id18: String,
    pub birth_year: usize,
    pub male: bool,
    pub mobile: String,
    /// a second mobile number some persons give now and then
    pub mobile2: Option<String>,
    /// (area code, number, extension)
    pub landline: Option<(String, String, Option<String>)>,
    pub address: String,
    /// stable seed for accounts and preferences
    pub seed: u64,
    /// posts under a second account now and then
    pub two_accounts: bool,
}

pub(super) fn mobile(rng: &mut Rng) -> String {
    format!(
        "{}{:08}",
        rng.pick(&MOBILE_PREFIXES),
        rng.below(100_000_000)
    )
}

pub(super) fn landline(rng: &mut Rng, province: &str) -> (String, String, Option<String>) {
    let area = area_code(province).to_string();
    let len8 = area.len() == 3 || rng.chance(0.7);
    let number = if len8 {
        format!("{}{:07}", 2 + rng.below(7), rng.below(10_000_000))
    } else {
        format!("{}{:06}", 2 + rng.below(7), rng.below(1_000_000))
    };
    let ext = rng
        .chance(0.25)
        .then(|| format!("{}", 100 + rng.below(900)));
    (area, number, ext)
}

/// A name: surname index and given-name indices, or a dotted name.
pub(super) fn name(rng: &mut Rng) -> (String, Option<usize>, Vec<usize>) {
    if rng.chance(0.015) {
        let a = *rng.pick(DOT_NAMES);
        let b = *rng.pick(DOT_NAMES);
        return (format!("{a}·{b}"), None, Vec::new());
    }
    // common surnames are more common
    let s = if rng.chance(0.6) {
        rng.below(20)
    } else {
        rng.below(SURNAMES.len())
    };
    let n = 1 + usize::from(rng.chance(0.7));
    let given: Vec<usize> = (0..n).map(|_| rng.below(GIVEN.len())).collect();
    let mut name = SURNAMES[s].0.to_string();
    for &g in &given {
        name.push_str(GIVEN[g].0);
    }
    (name, Some(s), given)
}

fn pinyin_given(p: &Person) -> String {
    p.given.iter().map(|&g| GIVEN[g].1).collect()
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// How a profile writes names, phones and ID numbers.
#[derive(Debug, Clone, Copy)]
pub(super) struct IdentForms {
    pub name_missing: f64,
    pub id_missing: f64,
    pub phone_missing: f64,
    pub address_missing: f64,
    /// share of names written otherwise than in full (honorific, masked, pinyin)
    pub name_variant: f64,
    /// share of the hotline-platform forms among variants (masked names and numbers, several
    /// numbers in a field, landlines)
    pub platform_forms: f64,
    pub pinyin: f64,
}

pub(super) fn render_name(r: &mut Rng, p: &Person, f: &IdentForms) -> Option<String> {
    if r.chance(f.name_missing) {
        return None;
    }
    let Some(si) = p.surname else {
        return Some(if r.chance(0.2) {
            p.name.replace('·', "")
        } else {
            p.name.clone()
        });
    };
    let s = SURNAMES[si].0;
    if r.chance(f.pinyin) {
        let sp = SURNAMES[si].1;
        let gp = pinyin_given(p);
        return Some(match r.below(4) {
            0 => format!("{sp} {}", capitalize(&gp)),
            1 => format!("{} {}", gp.to_uppercase(), sp.to_uppercase()),
            2 => format!("{}{gp}", sp.to_lowercase()),
            _ => format!("{} {}", sp.to_uppercase(), capitalize(&gp)),
        });
    }
    if !r.chance(f.name_variant) {
        return Some(p.name.clone());
    }
    let age = 2024usize.saturating_sub(p.birth_year);
    if r.chance(f.platform_forms) {
        // masked forms some platforms export
        let n = p.name.chars().count() - s.chars().count();
        return Some(match r.below(5) {
            0 => format!("{s}{}", "*".repeat(n.max(1))),
            1 => format!("{s}某"),
            2 => format!("{s}某某"),
            3 => format!("{s}X"),
            _ => format!("{s}**"),
        });
    }
    Some(match r.below(10) {
        0..=2 => format!("{s}{}", if p.male { "先生" } else { "女士" }),
        3 => format!("{s}{}", r.pick(&["同志", "老师", "师傅", "经理", "医生"])),
        4 if age >= 60 => format!(
            "{s}{}",
            if p.male {
                *r.pick(&["大爷", "老伯"])
            } else {
                *r.pick(&["大妈", "阿姨", "奶奶"])
            }
        ),
        4 => format!("{s}{}", if p.male { "师傅" } else { "阿姨" }),
        5 if age >= 40 => format!("老{s}"),
        5 => format!("小{s}"),
        6 if age >= 65 => format!("{s}老"),
        6 => format!("小{s}"),
        7 => p
            .name
            .chars()
            .map(String::from)
            .collect::<Vec<_>>()
            .join(" "),
        _ => p.name.clone(),
    })
}

/// ASCII digits as full-width digits (１２３), as some registers write them.
pub(super) fn full_width(s: &str) -> String {
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

pub(super) fn render_id(r: &mut Rng, p: &Person, f: &IdentForms) -> Option<String> {
    if r.chance(f.id_missing) {
        return None;
    }
    let id = &p.id18;
    if r.chance(f.platform_forms) {
        let masked = match r.below(5) {
            0 => format!("{}**********{}", &id[..4], &id[14..]),
            1 => format!("{}********{}", &id[..6], &id[14..]),
            2 => format!("{}******{}", &id[..8], &id[14..]),
            3 => format!("{}************", &id[..6]),
            _ => format!("{}****{}", &id[..10], &id[14..]),
        };
        return Some(match r.below(4) {
            0 => masked.to_lowercase(),
            _ => masked,
        });
    }
    Some(match r.below(12) {
        0 => format!("{}**********{}", &id[..4], &id[14..]),
        1 if id[6..8] == *"19" => format!("{}{}", &id[..6], &id[8..17]),
        2 => full_width(id),
        3 => id.to_lowercase(),
        4 => format!("{} {} {}", &id[..6], &id[6..14], &id[14..]),
        _ => id.clone(),
    })
}

fn mobile_form(r: &mut Rng, m: &str, platform: f64) -> String {
    if r.chance(platform * 0.5) {
        return match r.below(3) {
            0 => format!("{}****{}", &m[..3], &m[7..]),
            1 => format!("{}-XXXX-{}", &m[..3], &m[7..]),
            _ => format!("{}****{}", &m[..3], &m[7..]),
        };
    }
    match r.below(12) {
        0 => format!("+86 {}-{}-{}", &m[..3], &m[3..7], &m[7..]),
        1 => format!("{} {} {}", &m[..3], &m[3..7], &m[7..]),
        2 => format!("{}-{}-{}", &m[..3], &m[3..7], &m[7..]),
        3 => format!("86-{m}"),
        4 => format!("+86{m}"),
        _ => m.to_string(),
    }
}

fn landline_form(r: &mut Rng, l: &(String, String, Option<String>)) -> String {
    let (area, num, ext) = l;
    let base = match r.below(6) {
        0 => format!("{area}-{num}"),
        1 => format!("({area}){num}"),
        2 => num.clone(),
        3 if num.len() == 8 => format!("{area}-{} {}", &num[..4], &num[4..]),
        4 => format!("{area} {num}"),
        _ => format!("{area}{num}"),
    };
    match ext {
        Some(e) if r.chance(0.6) => format!("{base}{}{e}", r.pick(&["转", "-", "转分机"])),
        _ => base,
    }
}

/// The phone field: one number in one of its forms, or several numbers in one field.
pub(super) fn render_phone(r: &mut Rng, p: &Person, f: &IdentForms) -> Option<String> {
    if r.chance(f.phone_missing) {
        return None;
    }
    let platform = r.chance(f.platform_forms);
    let use_land = p.landline.is_some() && r.chance(if platform { 0.4 } else { 0.15 });
    let first = if use_land {
        landline_form(r, p.landline.as_ref()?)
    } else {
        mobile_form(r, &p.mobile, if platform { 1.0 } else { 0.0 })
    };
    if !platform || !r.chance(0.35) {
        return Some(first);
    }
    let second = match (&p.landline, &p.mobile2) {
        (Some(l), _) if !use_land => landline_form(r, l),
        (_, Some(m2)) => mobile_form(r, m2, 0.0),
        _ if use_land => mobile_form(r, &p.mobile, 0.0),
        _ => return Some(first),
    };
    let sep = *r.pick(&["/", "、", "；", " ", "，", ";", " / "]);
    Some(if r.chance(0.5) {
        format!("{first}{sep}{second}")
    } else {
        format!("{second}{sep}{first}")
    })
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const B62: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn base62(mut h: u64, len: usize) -> String {
    (0..len)
        .map(|_| {
            let c = B62[(h % 62) as usize] as char;
            h = mix(h.wrapping_add(0x9E37_79B9_7F4A_7C15));
            c
        })
        .collect()
}

/// The person's account on a platform: a function of the person, the platform and which of
/// the person's accounts it is, so it is stable without being stored.
pub(super) fn account(p: &Person, platform: &str, which: u64) -> String {
    let mut h = mix(p.seed ^ which.wrapping_mul(0xA24B_AED4_963E_E407));
    for b in platform.bytes() {
        h = mix(h ^ u64::from(b));
    }
    match platform {
        "微信公众号" => format!("o{}", base62(h, 27)),
        "政务微信小程序" => format!("wx_{}", base62(h, 12)),
        "手机信访APP" => format!("app{:09}", h % 1_000_000_000),
        "政务服务APP" => format!("U{:010}", h % 10_000_000_000),
        "国家网上信访平台" => format!("gj{:010}", h % 10_000_000_000),
        "市长信箱" => format!("{}{:04}", base62(h, 6).to_lowercase(), h % 10_000),
        "领导留言板" => format!("网友{:x}", h % 0xFF_FFFF),
        _ => format!("u{:08}", h % 100_000_000),
    }
}
