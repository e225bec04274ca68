//! Complainants: new persons (names, ID numbers, phones, addresses via `ident`), the ones
//! remembered so that they come back with other matters.

use super::ident::{self, Person};
use super::{Generator, objects};

impl Generator {
    /// A new complainant living in `county` (code, full name), or in one drawn at random.
    pub(super) fn new_person(&mut self, county: Option<(String, String)>) -> Person {
        let (code, county_name) = county.unwrap_or_else(|| self.rng.pick(&self.counties).clone());
        let (name, surname, given) = ident::name(&mut self.rng);
        let birth_year = 1942 + self.rng.below(63);
        let birth = format!(
            "{birth_year}{:02}{:02}",
            1 + self.rng.below(12),
            1 + self.rng.below(28)
        );
        let seq = self.rng.below(1000);
        let first17 = format!("{code}{birth}{seq:03}");
        let check = crate::analysis::id_check_char(&first17).unwrap_or('0');
        let mobile = ident::mobile(&mut self.rng);
        let mobile2 = self.rng.chance(0.1).then(|| ident::mobile(&mut self.rng));
        let landline = self
            .rng
            .chance(0.35)
            .then(|| ident::landline(&mut self.rng, &code[..2]));
        let town = self.town_of(&code).unwrap_or_default();
        let address = match self.rng.below(10) {
            0 => county_name.clone(),
            1..=2 => format!(
                "{county_name}{town}{}{}组{}号",
                objects::village(&mut self.rng),
                1 + self.rng.below(12),
                1 + self.rng.below(60)
            ),
            3..=5 => format!(
                "{county_name}{town}{}{}号{}栋{}单元{}0{}室",
                objects::road(&mut self.rng),
                1 + self.rng.below(300),
                1 + self.rng.below(30),
                1 + self.rng.below(6),
                1 + self.rng.below(30),
                1 + self.rng.below(4)
            ),
            _ => format!(
                "{county_name}{town}{}{}号{}栋{}单元",
                objects::road(&mut self.rng),
                1 + self.rng.below(300),
                1 + self.rng.below(30),
                1 + self.rng.below(6)
            ),
        };
        self.next_person += 1;
        Person {
            key: format!("P{:07}", self.next_person),
            name,
            surname,
            given,
            id18: format!("{first17}{check}"),
            birth_year,
            male: seq % 2 == 1,
            mobile,
            mobile2,
            landline,
            address,
            seed: self.rng.next_u64(),
            two_accounts: self.rng.chance(0.04),
        }
    }

    /// Keeps `p` among the complainants who may come back; returns its slot.
    pub(super) fn remember(&mut self, p: &Person) -> usize {
        if self.persons.len() < 20_000 {
            self.persons.push(p.clone());
            self.homes.push(None);
            self.persons.len() - 1
        } else {
            let i = self.rng.below(self.persons.len());
            self.persons[i] = p.clone();
            self.homes[i] = None;
            i
        }
    }

    /// The complainant of a one-person matter (one seen before, or new) and their slot.
    pub(super) fn person(&mut self, county: &(String, String)) -> (Person, usize) {
        if !self.persons.is_empty() && self.rng.chance(self.cfg.returning_rate) {
            let i = self.rng.below(self.persons.len());
            return (self.persons[i].clone(), i);
        }
        let local = self.rng.chance(0.8);
        let p = self.new_person(local.then(|| county.clone()));
        let slot = self.remember(&p);
        (p, slot)
    }

    /// Someone who takes up `person`'s matter (family, neighbour): a new complainant of the
    /// matter's county (`county_full`), half the time at `person`'s address, remembered.
    pub(super) fn someone_close_to(&mut self, person: &Person, county_full: &str) -> Person {
        let county = self
            .counties
            .iter()
            .find(|(_, n)| *n == county_full)
            .cloned();
        let mut other = self.new_person(county);
        if self.rng.chance(0.5) {
            other.address = person.address.clone();
        }
        let _ = self.remember(&other);
        other
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Case;
    use crate::synth::Profile;
    use crate::synth::tests::{records, share};
    use std::collections::{HashMap, HashSet};

    #[test]
    fn hotline_has_calls_masks_and_several_numbers() {
        let recs = records(Profile::Hotline, 3000);
        let calls = share(&recs, |c| c.channel.as_deref() == Some("电话"));
        assert!(calls >= 0.5, "{calls} calls");
        let phone = |c: &Case, f: &dyn Fn(&str) -> bool| c.phone.as_deref().is_some_and(f);
        assert!(share(&recs, |c| phone(c, &|p| p.contains("****"))) > 0.02);
        assert!(share(&recs, |c| phone(c, &|p| p.contains("-XXXX-"))) > 0.01);
        let several = share(&recs, |c| {
            phone(c, &|p| {
                p.contains('/') || p.contains('、') || p.contains('；') || p.contains('，')
            })
        });
        assert!(several > 0.02, "{several} fields with several numbers");
        assert!(share(&recs, |c| phone(c, &|p| p.contains('转'))) > 0.002);
        assert!(share(&recs, |c| phone(c, &|p| p.starts_with('('))) > 0.002);
        let no_id = share(&recs, |c| c.id_number.is_none());
        assert!((0.6..0.8).contains(&no_id), "{no_id} without id");
        let name = |c: &Case, f: &dyn Fn(&str) -> bool| c.name.as_deref().is_some_and(f);
        assert!(share(&recs, |c| name(c, &|n| n.contains('某'))) > 0.01);
        assert!(share(&recs, |c| name(c, &|n| n.ends_with('*'))) > 0.005);
        assert!(share(&recs, |c| name(c, &|n| n.is_ascii())) > 0.01);
        assert!(share(&recs, |c| name(c, &|n| n.ends_with("女士"))) > 0.01);
        assert!(
            share(&recs, |c| c
                .id_number
                .as_deref()
                .is_some_and(|i| i.contains("******")))
                > 0.02
        );
        // other provinces than the default profile
        let default_places: HashSet<String> = records(Profile::Default, 1000)
            .iter()
            .filter_map(|r| {
                r.case
                    .location
                    .as_deref()
                    .map(|l| l.chars().take(2).collect())
            })
            .collect();
        let shared = share(&recs, |c| {
            c.location
                .as_deref()
                .is_some_and(|l| default_places.contains(&l.chars().take(2).collect::<String>()))
        });
        assert!(shared < 0.01, "{shared} in default provinces");
        // a person with a mobile and a landline uses either
        let mut kinds: HashMap<&str, HashSet<bool>> = Default::default();
        for r in &recs {
            if let Some(p) = r.case.phone.as_deref() {
                let mobile =
                    p.contains("1") && p.chars().filter(|c| c.is_ascii_digit()).count() >= 11;
                kinds.entry(&r.person).or_default().insert(mobile);
            }
        }
        assert!(kinds.values().any(|k| k.len() == 2));
    }

    #[test]
    fn accounts_are_stable_per_person_and_platform() {
        let recs = records(Profile::Mixed, 4000);
        let mut accounts: HashMap<(&str, &str), HashSet<&str>> = Default::default();
        let mut owner: HashMap<&str, &str> = Default::default();
        let (mut online, mut with_account) = (0, 0);
        for r in &recs {
            let c = &r.case;
            let web = matches!(c.channel.as_deref(), Some("网上" | "微信" | "手机APP"));
            online += usize::from(web);
            if let (Some(a), Some(p)) = (c.account.as_deref(), c.platform.as_deref()) {
                with_account += 1;
                accounts.entry((&r.person, p)).or_default().insert(a);
                assert_eq!(*owner.entry(a).or_insert(&r.person), r.person.as_str());
            }
        }
        assert!(with_account as f64 > 0.85 * online as f64);
        assert!(accounts.values().all(|a| a.len() <= 2));
        let repeated = accounts.values().filter(|a| a.len() == 1).count();
        assert!(repeated as f64 > 0.9 * accounts.len() as f64);
        assert!(
            recs.iter()
                .filter(|r| r.case.channel.as_deref() == Some("电话"))
                .all(|r| r.case.account.is_none())
        );
    }
}
