//! Phone numbers: digits only, +86/0086 stripped, mobiles as 11 digits, landlines with the
//! area code kept apart from the local number.

use super::width::fold_width;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    Mobile,
    Landline,
    Other,
}

/// A normalised phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// All digits after the country code (area code included).
    pub digits: String,
    pub kind: PhoneKind,
    /// Landlines: the number without the area code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<String>,
}

/// Area codes with three digits (010 and 02x); all others have four.
fn area_code_len(d: &str) -> usize {
    if d.starts_with("010") || d.starts_with("02") {
        3
    } else {
        4
    }
}

impl Phone {
    /// Normalises a raw phone; `None` when it holds no digits.
    pub fn parse(raw: &str) -> Option<Phone> {
        let mut d: String = fold_width(raw)
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        if d.is_empty() {
            return None;
        }
        for prefix in ["0086", "86"] {
            if let Some(rest) = d.strip_prefix(prefix)
                && (rest.len() == 11 && rest.starts_with('1')
                    || rest.len() >= 10 && rest.starts_with('0'))
            {
                d = rest.to_string();
                break;
            }
        }
        if d.len() == 11 && d.starts_with('1') {
            return Some(Phone {
                digits: d,
                kind: PhoneKind::Mobile,
                local: None,
            });
        }
        if d.starts_with('0') && (10..=12).contains(&d.len()) {
            let local = d[area_code_len(&d)..].to_string();
            return Some(Phone {
                digits: d,
                kind: PhoneKind::Landline,
                local: Some(local),
            });
        }
        if (7..=8).contains(&d.len()) {
            return Some(Phone {
                local: Some(d.clone()),
                digits: d,
                kind: PhoneKind::Landline,
            });
        }
        Some(Phone {
            digits: d,
            kind: PhoneKind::Other,
            local: None,
        })
    }

    /// The part that identifies a line: the mobile number or the landline's local number.
    pub fn key(&self) -> &str {
        self.local.as_deref().unwrap_or(&self.digits)
    }

    /// A masked form for logs and responses.
    pub fn masked(&self) -> String {
        super::id_number::mask_middle(&self.digits, 3, 4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_country_code_and_separators() {
        for raw in [
            "+86 139-1234-5678",
            "0086 13912345678",
            "８６-１３９１２３４５６７８",
            "139 1234 5678",
        ] {
            let p = Phone::parse(raw).unwrap();
            assert_eq!(p.digits, "13912345678", "{raw}");
            assert_eq!(p.kind, PhoneKind::Mobile);
        }
    }

    #[test]
    fn landlines_keep_area_code_apart() {
        let p = Phone::parse("(0931)8014083").unwrap();
        assert_eq!(p.kind, PhoneKind::Landline);
        assert_eq!(p.digits, "09318014083");
        assert_eq!(p.key(), "8014083");
        let q = Phone::parse("027-86483324").unwrap();
        assert_eq!(q.key(), "86483324");
        assert_eq!(Phone::parse("8014083").unwrap().key(), "8014083");
        assert_eq!(Phone::parse("无"), None);
        assert_eq!(Phone::parse("13912345678").unwrap().masked(), "139****5678");
    }
}
