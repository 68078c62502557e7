//! Numbers, dates and the countdown written as each language writes them, by the browser's
//! `Intl` formatting, except what a first load needs: the order of a date's parts (from the
//! language files) and small whole numbers, so the form's first render does not pay for the
//! browser's locale data.

use super::texts_check::DATE_PARTS;
use super::Lang;

/// `value` as `lang` writes numbers (`1,000.5`, `1 000,5`, `1.000,5`): by the browser's
/// `Number.toLocaleString`, except the small whole numbers every built-in language writes in
/// plain digits (the countdown, a step's number, most counts), so the form's first render
/// does not load the browser's locale data (about 10 ms on a first load here).
pub fn format_number(lang: Lang, value: f64) -> String {
    match plain_digits(lang, value) {
        Some(digits) => digits,
        None => browser_format_number(lang, value),
    }
}

/// `value` in ASCII digits when `lang` writes it so for certain: a whole number from 0 to 999
/// in a built-in language (each writes those in Latin digits without a separator, a browser
/// test holds them to `Intl`); an added language may write other digits (Persian, Bengali).
fn plain_digits(lang: Lang, value: f64) -> Option<String> {
    let plain = lang.is_built_in()
        && value.fract() == 0.0
        && value.is_sign_positive()
        && value < PLAIN_BELOW;
    // A whole number in 0..1000 converts to u32 exactly.
    plain.then(|| (value as u32).to_string())
}

/// The first whole number a built-in language may write with a group separator (`1.000`).
const PLAIN_BELOW: f64 = 1000.0;

/// `value` as the browser's `Number.toLocaleString` writes it in `lang`; off the browser
/// (native unit tests) the plain Rust form.
pub fn browser_format_number(lang: Lang, value: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        String::from(js_sys::Number::from(value).to_locale_string(lang.tag()))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = lang;
        value.to_string()
    }
}

/// An ISO `YYYY-MM-DD` date as `lang` writes it in full (`31 December 2012`,
/// `31 décembre 2012`, `31. Dezember 2012`), by `Date.toLocaleDateString`. Anything else, and
/// every date off the browser, is shown as given.
pub fn format_date(lang: Lang, iso: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    if let Some((year, month, day)) = parse_iso_date(iso) {
        let options = js_sys::Object::new();
        for (key, value) in [("year", "numeric"), ("month", "long"), ("day", "numeric")] {
            // Setting a string key on a fresh plain object cannot fail.
            let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
        }
        // Local midnight of that day, so no time zone can move it to a neighbouring day.
        let date = js_sys::Date::new_with_year_month_day(year, month - 1, day);
        return String::from(date.to_locale_date_string(lang.tag(), &options));
    }
    let _ = lang;
    iso.to_owned()
}

/// The UTC day of Unix time `seconds` as `lang` writes a date in full, by [`format_date`].
pub fn format_unix_date(lang: Lang, seconds: i64) -> String {
    format_date(lang, &iso_date_of(seconds))
}

/// `YYYY-MM-DD` of the UTC day Unix time `seconds` falls on, in the proleptic Gregorian
/// calendar (Howard Hinnant's `civil_from_days`).
pub fn iso_date_of(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// One of the three parts of a date a person types, in the order of
/// [`DATE_PARTS`](super::texts_check::DATE_PARTS), which names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePart {
    Day,
    Month,
    Year,
}

impl DatePart {
    /// Every part, in [`DATE_PARTS`](super::texts_check::DATE_PARTS)'s order.
    const ALL: [DatePart; 3] = [DatePart::Day, DatePart::Month, DatePart::Year];

    /// Its name in element ids, form names and language files.
    pub fn name(self) -> &'static str {
        DATE_PARTS[self as usize]
    }

    /// The parts in the order of a language file's `language.date_order`
    /// ([`date_order`](super::texts_check::date_order)'s indexes).
    pub fn in_order(order: [usize; 3]) -> [DatePart; 3] {
        order.map(|index| DatePart::ALL[index])
    }
}

/// The order `lang` writes a date's parts in (`en`: month, day, year; `fr`, `de`: day,
/// month, year): its file's `language.date_order` (every built-in language says it), else
/// the browser's `Intl.DateTimeFormat`, else day, month, year.
pub fn date_part_order(lang: Lang) -> [DatePart; 3] {
    lang.info()
        .date_order
        .or_else(|| browser_date_part_order(lang))
        .unwrap_or(DatePart::ALL)
}

/// The order in which the browser's `Intl.DateTimeFormat` writes a numeric date in `lang`,
/// when it says one (always off the browser: `None`). Building the formatter is the dearest call of a
/// first load (11 ms in a profiled trace here), so the page asks only for languages whose file
/// does not say.
pub fn browser_date_part_order(lang: Lang) -> Option<[DatePart; 3]> {
    #[cfg(target_arch = "wasm32")]
    {
        let options = js_sys::Object::new();
        for key in ["year", "month", "day"] {
            // Setting a string key on a fresh plain object cannot fail.
            let _ = js_sys::Reflect::set(&options, &key.into(), &"numeric".into());
        }
        let locales = js_sys::Array::of1(&lang.tag().into());
        let format = js_sys::Intl::DateTimeFormat::new(&locales, &options);
        let parts = format.format_to_parts(&js_sys::Date::new_with_year_month_day(2007, 2, 27));
        let order: Vec<DatePart> = parts
            .iter()
            .filter_map(|part| {
                let kind = js_sys::Reflect::get(&part, &"type".into())
                    .ok()?
                    .as_string()?;
                DatePart::ALL.into_iter().find(|part| part.name() == kind)
            })
            .collect();
        if let [first, second, third] = order[..] {
            if first != second && second != third && first != third {
                return Some([first, second, third]);
            }
        }
    }
    let _ = lang;
    None
}

/// `(year, month 1..=12, day 1..=31)` of an ISO `YYYY-MM-DD` date.
pub fn parse_iso_date(iso: &str) -> Option<(u32, i32, i32)> {
    let mut parts = iso.splitn(3, '-');
    let year: u32 = parts.next().filter(|p| p.len() == 4)?.parse().ok()?;
    let month: i32 = parts.next().filter(|p| p.len() == 2)?.parse().ok()?;
    let day: i32 = parts.next().filter(|p| p.len() == 2)?.parse().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some((year, month, day))
}

/// The time left as `m:ss` (never negative), its digits in `lang`'s number form.
pub fn format_countdown(lang: Lang, seconds: i64) -> String {
    let seconds = seconds.max(0);
    // Whole minutes and seconds of a short countdown are exact in an f64.
    let digit = |value: i64| format_number(lang, value as f64);
    let (minutes, seconds) = (seconds / 60, seconds % 60);
    let pad = if seconds < 10 {
        digit(0)
    } else {
        String::new()
    };
    format!("{}:{pad}{}", digit(minutes), digit(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdown_is_minutes_and_two_digit_seconds() {
        assert_eq!(format_countdown(Lang::EN, 119), "1:59");
        assert_eq!(format_countdown(Lang::EN, 65), "1:05");
        assert_eq!(format_countdown(Lang::EN, 9), "0:09");
        assert_eq!(format_countdown(Lang::EN, -3), "0:00");
    }

    #[test]
    fn unix_times_fall_on_their_utc_day() {
        assert_eq!(iso_date_of(0), "1970-01-01");
        assert_eq!(iso_date_of(-1), "1969-12-31");
        assert_eq!(iso_date_of(951_782_400), "2000-02-29");
        assert_eq!(iso_date_of(1_764_547_200), "2025-12-01");
        assert_eq!(iso_date_of(1_764_547_199), "2025-11-30");
        assert_eq!(iso_date_of(4_107_542_399), "2100-02-28");
        assert_eq!(iso_date_of(4_107_542_400), "2100-03-01");
    }

    #[test]
    fn iso_dates_are_split_into_their_parts() {
        assert_eq!(parse_iso_date("2012-12-31"), Some((2012, 12, 31)));
        assert_eq!(parse_iso_date("2012-13-01"), None);
        assert_eq!(parse_iso_date("12-12-31"), None);
        assert_eq!(parse_iso_date("2012-1-31"), None);
    }
}
