//! Excel dates: serial day numbers (45292.5 is 2024-01-01 12:00) and calamine's date cells,
//! written as RFC 3339 text in China time. Excel stores no offset: the clock on the sheet is
//! the clerk's, which for these records is China time.

use chrono::{Duration, NaiveDate, NaiveDateTime};

/// Serial numbers taken as dates: 1900-01-01 up to 2199-12-31. Outside it a number in a date
/// column is left as it is (and rejected by the date parser), not turned into a strange year.
const PLAUSIBLE: std::ops::RangeInclusive<f64> = 1.0..=109_574.999_999;

/// The local date and time of a 1900-system serial number; `None` outside the plausible
/// range and for 60, Excel's non-existent 1900-02-29.
pub fn serial_to_datetime(serial: f64) -> Option<NaiveDateTime> {
    if !serial.is_finite() || !PLAUSIBLE.contains(&serial) {
        return None;
    }
    // Excel counts 1900 as a leap year: serials from 61 on are one day ahead
    let epoch = if serial < 60.0 {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    } else if serial < 61.0 {
        return None;
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    let millis = (serial * 86_400_000.0).round() as i64;
    let t = epoch.and_hms_opt(0, 0, 0)? + Duration::milliseconds(millis);
    // Excel keeps milliseconds; records keep seconds
    Some(t - Duration::milliseconds(i64::from(t.and_utc().timestamp_subsec_millis())))
}

/// RFC 3339 text in China time, which `parse_datetime` reads back.
pub fn china_time_text(t: NaiveDateTime) -> String {
    format!("{}+08:00", t.format("%Y-%m-%dT%H:%M:%S"))
}

/// A cell's text read as a serial date: plain numbers only (not 20240101, which the date
/// parser reads as a date).
pub fn serial_text_to_date(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    serial_to_datetime(t.parse().ok()?).map(china_time_text)
}

/// A calamine date cell (both the 1900 and the 1904 system).
pub fn excel_datetime_text(d: &calamine::ExcelDateTime) -> Option<String> {
    let (y, mo, da, h, mi, s, _) = d.to_ymd_hms_milli();
    let t = NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(da))?.and_hms_opt(
        u32::from(h),
        u32::from(mi),
        u32::from(s),
    )?;
    Some(china_time_text(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_numbers_table() {
        let table: [(f64, Option<&str>); 10] = [
            (45292.0, Some("2024-01-01T00:00:00+08:00")),
            (45292.5, Some("2024-01-01T12:00:00+08:00")),
            (45306.395833333336, Some("2024-01-15T09:30:00+08:00")),
            (1.0, Some("1900-01-01T00:00:00+08:00")),
            (59.0, Some("1900-02-28T00:00:00+08:00")),
            (60.0, None),
            (61.0, Some("1900-03-01T00:00:00+08:00")),
            (0.5, None),
            (20_240_101.0, None),
            (f64::NAN, None),
        ];
        for (serial, expected) in table {
            assert_eq!(
                serial_to_datetime(serial).map(china_time_text).as_deref(),
                expected,
                "{serial}"
            );
        }
    }

    #[test]
    fn serial_text_and_china_time() {
        assert_eq!(
            serial_text_to_date(" 45292.5 ").as_deref(),
            Some("2024-01-01T12:00:00+08:00")
        );
        assert_eq!(serial_text_to_date("20240101"), None);
        assert_eq!(serial_text_to_date("2024-01-01"), None);
        assert_eq!(serial_text_to_date("-3"), None);
        let text = serial_text_to_date("45292.5").unwrap();
        let t = crate::model::parse_datetime(&text).unwrap();
        // noon in Beijing is 04:00 UTC
        assert_eq!(t.timestamp(), 1_704_081_600);
    }

    #[test]
    fn calamine_date_cells() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        let d = ExcelDateTime::new(45292.75, ExcelDateTimeType::DateTime, false);
        assert_eq!(
            excel_datetime_text(&d).as_deref(),
            Some("2024-01-01T18:00:00+08:00")
        );
        let d = ExcelDateTime::new(45292.0 - 1462.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(
            excel_datetime_text(&d).as_deref(),
            Some("2024-01-01T00:00:00+08:00")
        );
    }
}
