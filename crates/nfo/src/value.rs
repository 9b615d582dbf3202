//! Lenient readings of single values. Hand-edited and tool-written NFOs disagree on units, decimal
//! commas and date formats, so each reader takes the first plausible number or date and ignores
//! the junk around it ("120 min", "7,8", "2003-05-15 00:00:00").

/// The first integer in `text`, with a `-` right before it making it negative.
pub(crate) fn int(text: &str) -> Option<i64> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let digits = leading_digits(text.get(start..)?);
    let value: i64 = digits.parse().ok()?;
    Some(if text.get(..start)?.ends_with('-') {
        -value
    } else {
        value
    })
}

/// An integer that fits an `i32` and is not negative: counts, orders, seasons.
pub(crate) fn count(text: &str) -> Option<i32> {
    int(text)
        .filter(|n| *n >= 0)
        .and_then(|n| i32::try_from(n).ok())
}

/// The first decimal number in `text`, with `.` or `,` as the decimal separator.
pub(crate) fn float(text: &str) -> Option<f64> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let rest = text.get(start..)?;
    let whole = leading_digits(rest);
    let after = rest.get(whole.len()..)?;
    let fraction = after
        .strip_prefix(['.', ','])
        .map(leading_digits)
        .unwrap_or_default();
    let value: f64 = format!("{whole}.{fraction}0").parse().ok()?;
    let value = if text.get(..start)?.ends_with('-') {
        -value
    } else {
        value
    };
    Some(value).filter(|v| v.is_finite())
}

/// A year: the first run of four digits, if it is a plausible one.
pub(crate) fn year(text: &str) -> Option<i32> {
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let digits = leading_digits(rest.get(start..)?);
        if digits.len() == 4 {
            return digits.parse().ok().filter(|y| (1800..=2999).contains(y));
        }
        rest = rest.get(start + digits.len()..)?;
    }
    None
}

/// A date written year first (`2003-05-15`, `2003/5/15`, `2003-05-15T00:00:00`), as
/// `YYYY-MM-DD`, if it is a real day.
pub(crate) fn date(text: &str) -> Option<String> {
    let text = text.trim();
    let (year, rest) = number(text, 4..=4)?;
    let sep = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '-' | '/' | '.'))?;
    let (month, rest) = number(rest.get(1..)?, 1..=2)?;
    let (day, rest) = number(rest.strip_prefix(sep)?, 1..=2)?;
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let real = (1800..=2999).contains(&year)
        && (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day);
    real.then(|| format!("{year:04}-{month:02}-{day:02}"))
}

fn number(text: &str, digits: std::ops::RangeInclusive<usize>) -> Option<(u32, &str)> {
    let run = leading_digits(text);
    if !digits.contains(&run.len()) {
        return None;
    }
    Some((run.parse().ok()?, text.get(run.len()..)?))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A running time in minutes: `136`, `136 min`, `2h 16m`, `PT2H16M`, `2:16:00`, `8160 s`.
pub(crate) fn runtime(text: &str) -> Option<i32> {
    let lower = text.trim().to_ascii_lowercase();
    let clock = lower
        .split_once(':')
        .filter(|(hours, _)| !hours.is_empty() && hours.chars().all(|c| c.is_ascii_digit()));
    let minutes = match clock {
        Some((hours, rest)) => {
            let hours = float(hours)?;
            let mins = rest.split(':').next().and_then(float).unwrap_or(0.0);
            hours * 60.0 + mins
        }
        None => {
            let mut total = 0.0;
            let mut rest = lower.as_str();
            while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
                let tail = rest.get(start..)?;
                let value = float(tail)?;
                let len = tail
                    .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
                    .unwrap_or(tail.len());
                let after = tail.get(len..)?.trim_start();
                total += match after.chars().next() {
                    Some('h') => value * 60.0,
                    Some('s') => value / 60.0,
                    _ => value,
                };
                rest = after;
            }
            total
        }
    };
    // A day and a half covers every real film; larger numbers are seconds or junk.
    let minutes = minutes.round();
    (1.0..=2160.0).contains(&minutes).then_some(minutes as i32)
}

/// A content rating without the decorations scrapers add: `Rated PG-13`, `US:PG-13`,
/// `Germany:12`, `de/FSK 12`. Of several (`US:R / GB:18`) the first is kept.
pub(crate) fn certification(text: &str) -> Option<String> {
    let mut label = text.split(" / ").next().unwrap_or(text).trim();
    loop {
        let before = label;
        if let Some(rest) = strip_country(label) {
            label = rest.trim_start();
        }
        if let Some(rest) = strip_rated(label) {
            label = rest.trim_start();
        }
        if label == before {
            break;
        }
    }
    Some(label.to_owned()).filter(|label| !label.is_empty())
}

fn strip_country(label: &str) -> Option<&str> {
    if let Some((country, rest)) = label.split_once(':') {
        let is_country = !country.is_empty()
            && country.len() <= 24
            && country.chars().all(|c| c.is_alphabetic() || c == ' ');
        return is_country.then_some(rest);
    }
    let (country, rest) = label.split_once('/')?;
    (matches!(country.len(), 2 | 3) && country.chars().all(|c| c.is_ascii_alphabetic()))
        .then_some(rest)
}

fn strip_rated(label: &str) -> Option<&str> {
    let head = label.get(..5)?;
    let rest = label.get(5..)?;
    (head.eq_ignore_ascii_case("rated") && rest.starts_with(char::is_whitespace)).then_some(rest)
}

/// The names in a list written as one value: `Action / Drama`, `Action, Drama`, `Action|Drama`.
pub(crate) fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(['/', ',', '|', ';'])
        .map(str::trim)
        .filter(|name| !name.is_empty())
}

/// Adds `value` unless the list already has it in any letter case.
pub(crate) fn push_unique(list: &mut Vec<String>, value: &str) {
    let value = value.trim();
    let lower = value.to_lowercase();
    if !value.is_empty() && !list.iter().any(|have| have.to_lowercase() == lower) {
        list.push(value.to_owned());
    }
}

fn leading_digits(text: &str) -> &str {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    text.get(..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        let ints = [
            ("42", Some(42)),
            (" 120 min", Some(120)),
            ("Episode 7", Some(7)),
            ("-1", Some(-1)),
            ("7,8", Some(7)),
            ("none", None),
            ("", None),
            ("99999999999999999999999", None),
        ];
        for (text, want) in ints {
            assert_eq!(int(text), want, "{text}");
        }
        assert_eq!(count("-1"), None);
        assert_eq!(count("3000000000"), None);
        let floats = [
            ("8.7", Some(8.7)),
            ("7,8", Some(7.8)),
            ("8.7/10", Some(8.7)),
            (" 9 ", Some(9.0)),
            ("8.", Some(8.0)),
            ("-2.5", Some(-2.5)),
            ("n/a", None),
        ];
        for (text, want) in floats {
            assert_eq!(float(text), want, "{text}");
        }
    }

    #[test]
    fn dates_and_years() {
        let dates = [
            ("1999-03-31", Some("1999-03-31")),
            ("1999-3-5", Some("1999-03-05")),
            ("1999/03/31", Some("1999-03-31")),
            ("1999-03-31T00:00:00Z", Some("1999-03-31")),
            ("2000-02-29", Some("2000-02-29")),
            ("1900-02-29", None),
            ("1999-02-30", None),
            ("1999-13-01", None),
            ("0000-00-00", None),
            ("31.03.1999", None),
            ("1999-03/31", None),
            ("1999", None),
        ];
        for (text, want) in dates {
            assert_eq!(date(text).as_deref(), want, "{text}");
        }
        let years = [
            ("1999", Some(1999)),
            ("31.03.1999", Some(1999)),
            ("c. 1999", Some(1999)),
            ("0", None),
            ("99", None),
            ("12345", None),
            ("0999", None),
        ];
        for (text, want) in years {
            assert_eq!(year(text), want, "{text}");
        }
    }

    #[test]
    fn runtimes() {
        let cases = [
            ("136", Some(136)),
            ("136 min", Some(136)),
            ("2h 16m", Some(136)),
            ("2 hours 16 minutes", Some(136)),
            ("PT2H16M", Some(136)),
            ("2:16:00", Some(136)),
            ("8160 s", Some(136)),
            ("Runtime: 120 min", Some(120)),
            ("1.5 h", Some(90)),
            ("0", None),
            ("", None),
            ("unknown", None),
            ("99999999", None),
        ];
        for (text, want) in cases {
            assert_eq!(runtime(text), want, "{text}");
        }
    }

    #[test]
    fn certifications() {
        let cases = [
            ("PG-13", Some("PG-13")),
            ("Rated PG-13", Some("PG-13")),
            ("rated R", Some("R")),
            ("US:PG-13", Some("PG-13")),
            ("US:Rated R", Some("R")),
            ("Germany:12", Some("12")),
            ("de/FSK 12", Some("FSK 12")),
            ("US:R / GB:18", Some("R")),
            ("TV-MA", Some("TV-MA")),
            ("Rated", Some("Rated")),
            ("Not Rated", Some("Not Rated")),
            ("  ", None),
            ("US:", None),
        ];
        for (text, want) in cases {
            assert_eq!(certification(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn lists() {
        let mut genres = Vec::new();
        for text in [
            "Action / Drama",
            "Science Fiction, drama",
            "Thriller|Action;;",
        ] {
            for genre in split_list(text) {
                push_unique(&mut genres, genre);
            }
        }
        assert_eq!(genres, ["Action", "Drama", "Science Fiction", "Thriller"]);
    }
}
