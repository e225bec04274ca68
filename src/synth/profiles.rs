//! Profiles: the families of generated data (places, channel mix, identifier forms, how
//! matters recur), the per-matter knobs each sets and the generator's configuration.

use super::ident::IdentForms;

/// A family of generated data: where matters happen, through which channels they come, how
/// identifiers are written and how matters recur.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// Petition-office mix: all channels alike, mostly complete identifiers.
    #[default]
    Default,
    /// 12345-hotline exports: mostly calls, sparse and masked identifiers, several numbers in
    /// a phone field, landlines, honorific and pinyin names; other provinces.
    Hotline,
    /// Long-running matters (积案): returns months to years later with follow-up phrases,
    /// freely restated narratives, residents writing their own texts; other provinces.
    Longrun,
    /// Each matter drawn from one of the other profiles, places from all provinces.
    Mixed,
}

impl Profile {
    pub const ALL: [Profile; 4] = [
        Profile::Default,
        Profile::Hotline,
        Profile::Longrun,
        Profile::Mixed,
    ];

    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
    }

    pub fn name(self) -> &'static str {
        match self {
            Profile::Default => "default",
            Profile::Hotline => "hotline",
            Profile::Longrun => "longrun",
            Profile::Mixed => "mixed",
        }
    }

    pub(super) fn provinces(self) -> &'static [&'static str] {
        match self {
            Profile::Default => &["43", "32", "35", "42", "44", "51", "37", "33", "41", "13"],
            Profile::Hotline => &[
                "11", "12", "31", "50", "21", "22", "23", "14", "15", "45", "52",
            ],
            Profile::Longrun => &["53", "62", "64", "65", "46", "34", "63", "36", "61", "54"],
            Profile::Mixed => &[
                "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
                "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
                "63", "64", "65",
            ],
        }
    }

    pub(super) fn knobs(self) -> Knobs {
        match self {
            Profile::Default | Profile::Mixed => Knobs {
                // 网上 电话 来信 来访 微信 手机APP 短信
                channels: [20, 18, 14, 14, 14, 12, 8],
                forms: IdentForms {
                    name_missing: 0.1,
                    id_missing: 0.3,
                    phone_missing: 0.1,
                    address_missing: 0.3,
                    name_variant: 0.2,
                    platform_forms: 0.05,
                    pinyin: 0.005,
                },
                long_gap: 0.03,
                reword: 0.15,
                other_filer: 0.03,
                collective_shared: 0.5,
                traditional: 0.05,
            },
            Profile::Hotline => Knobs {
                channels: [12, 60, 2, 3, 11, 8, 4],
                forms: IdentForms {
                    name_missing: 0.3,
                    id_missing: 0.7,
                    phone_missing: 0.03,
                    address_missing: 0.6,
                    name_variant: 0.45,
                    platform_forms: 0.5,
                    pinyin: 0.04,
                },
                long_gap: 0.05,
                reword: 0.3,
                other_filer: 0.04,
                collective_shared: 0.3,
                traditional: 0.02,
            },
            Profile::Longrun => Knobs {
                channels: [24, 16, 22, 20, 8, 6, 4],
                forms: IdentForms {
                    name_missing: 0.08,
                    id_missing: 0.35,
                    phone_missing: 0.1,
                    address_missing: 0.3,
                    name_variant: 0.2,
                    platform_forms: 0.12,
                    pinyin: 0.01,
                },
                long_gap: 0.34,
                reword: 0.65,
                other_filer: 0.12,
                collective_shared: 0.0,
                traditional: 0.05,
            },
        }
    }
}

/// What a profile sets per matter.
#[derive(Debug, Clone, Copy)]
pub(super) struct Knobs {
    /// weights of the channels in `CHANNELS` order
    pub(super) channels: [u32; 7],
    pub(super) forms: IdentForms,
    /// share of repeat submissions that come 3 months to 3 years after the previous one
    pub(super) long_gap: f64,
    /// share of repeat submissions written anew (sentences dropped, reordered, restated)
    pub(super) reword: f64,
    /// share of repeat submissions of a one-person matter filed by someone else (family,
    /// neighbour)
    pub(super) other_filer: f64,
    /// share of residents of a collective matter who send the shared text
    pub(super) collective_shared: f64,
    pub(super) traditional: f64,
}

/// Channel, platforms, id prefix, whether the platform has user accounts.
pub(super) const CHANNELS: [(&str, &[&str], &str, bool); 7] = [
    (
        "网上",
        &[
            "省网上信访平台",
            "国家网上信访平台",
            "市长信箱",
            "领导留言板",
        ],
        "WEB",
        true,
    ),
    (
        "电话",
        &["12345热线", "信访热线", "12345政务服务便民热线"],
        "TEL",
        false,
    ),
    ("来信", &["信访局来信登记"], "LET", false),
    ("来访", &["信访局来访登记", "联合接访中心"], "VIS", false),
    ("微信", &["微信公众号", "政务微信小程序"], "WX", true),
    ("手机APP", &["手机信访APP", "政务服务APP"], "APP", true),
    ("短信", &["短信平台"], "SMS", false),
];
pub(super) const WEB: usize = 0;
pub(super) const TEL: usize = 1;
pub(super) const LET: usize = 2;
pub(super) const VIS: usize = 3;
pub(super) const SMS: usize = 6;

/// What to generate: the seed, the profile and the rates of its matters.
#[derive(Debug, Clone)]
pub struct GeneratorConfig {
    pub seed: u64,
    pub profile: Profile,
    /// share of matters filed by a crowd of residents
    pub collective_rate: f64,
    /// share of matters filed by a complainant seen before
    pub returning_rate: f64,
    /// mean number of submissions per single-person matter
    pub mean_repeats: f64,
    /// how many records will be taken: paces the clock so they span about three and a half
    /// years whatever their number
    pub expected_records: usize,
}

impl GeneratorConfig {
    /// The rates a profile comes with.
    pub fn for_profile(profile: Profile) -> GeneratorConfig {
        let (collective_rate, returning_rate, mean_repeats) = match profile {
            Profile::Default => (0.02, 0.12, 1.6),
            Profile::Hotline => (0.015, 0.15, 1.5),
            Profile::Longrun => (0.03, 0.12, 2.4),
            Profile::Mixed => (0.02, 0.13, 1.8),
        };
        GeneratorConfig {
            seed: 42,
            profile,
            collective_rate,
            returning_rate,
            mean_repeats,
            expected_records: 10_000,
        }
    }
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        GeneratorConfig::for_profile(Profile::Default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_round_trip() {
        for p in Profile::ALL {
            assert_eq!(Profile::from_name(p.name()), Some(p));
        }
        assert_eq!(Profile::from_name("HOTLINE"), Some(Profile::Hotline));
        assert_eq!(Profile::from_name("nope"), None);
        assert_eq!(GeneratorConfig::default().profile, Profile::Default);
    }
}
