//! Content ratings as levels (the youngest age an item suits), so one parental limit works
//! across rating systems.

/// The level of a rating label: US film and TV ratings, UK/BBFC, German FSK/FSF, and plain ages
/// (`12`, `16+`, `FSK 16`). `None` for unrated or unknown labels.
pub fn rating_level(label: &str) -> Option<i32> {
    let normalized = label.trim().to_ascii_uppercase().replace(['_', ' '], "-");
    let known = match normalized.as_str() {
        "G" | "TV-G" | "TV-Y" | "U" | "E" | "ALL" | "APPROVED" => Some(0),
        "TV-Y7" | "TV-Y7-FV" => Some(7),
        "PG" | "TV-PG" => Some(10),
        "PG-13" => Some(13),
        "TV-14" => Some(14),
        "R" | "TV-MA" => Some(17),
        "NC-17" | "X" | "XXX" | "R18" | "R-18" | "AO" => Some(18),
        "NR" | "NOT-RATED" | "UNRATED" | "" => return None,
        _ => None,
    };
    known.or_else(|| {
        // Ages: "12", "16+", "FSK-16", "DE-12", "12A" (UK), "FSF-6".
        let digits: String = normalized
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits
            .parse::<i32>()
            .ok()
            .filter(|age| (0..=21).contains(age))
    })
}

#[cfg(test)]
mod tests {
    use super::rating_level;

    #[test]
    fn labels_map_to_ages() {
        assert_eq!(rating_level("PG-13"), Some(13));
        assert_eq!(rating_level("TV-MA"), Some(17));
        assert_eq!(rating_level("G"), Some(0));
        assert_eq!(rating_level("FSK 16"), Some(16));
        assert_eq!(rating_level("12A"), Some(12));
        assert_eq!(rating_level("de/18"), Some(18));
        assert_eq!(rating_level("NC-17"), Some(18));
        assert_eq!(rating_level("Unrated"), None);
        assert_eq!(rating_level("banana"), None);
        assert_eq!(rating_level("1999"), None);
    }
}
