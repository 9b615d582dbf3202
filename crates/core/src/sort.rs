//! Sort keys shared by every module's titles.

/// Leading articles that sorting ignores, as Jellyfin and Plex do by default.
const ARTICLES: &[&str] = &["the ", "a ", "an "];

/// The key a title sorts by: lower case, without a leading article, so "The Matrix" files
/// under M.
pub fn sort_title(title: &str) -> String {
    let lower = title.trim().to_lowercase();
    for article in ARTICLES {
        if let Some(rest) = lower.strip_prefix(article) {
            let rest = rest.trim_start();
            if !rest.is_empty() {
                return rest.to_owned();
            }
        }
    }
    lower
}

#[cfg(test)]
mod tests {
    use super::sort_title;

    #[test]
    fn articles_are_ignored() {
        assert_eq!(sort_title("The Matrix"), "matrix");
        assert_eq!(sort_title("An American Werewolf"), "american werewolf");
        assert_eq!(sort_title("Alien"), "alien");
        assert_eq!(sort_title("The"), "the");
        assert_eq!(sort_title("  Élan "), "élan");
    }
}
