//! HLS playlists written by us rather than by ffmpeg: the whole timeline is known from the
//! duration and the fixed segment length, so players can seek anywhere before ffmpeg got there.

use std::fmt::Write as _;

/// One rendition in the master playlist.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VariantEntry {
    /// Its name (URL segment).
    pub name: String,
    /// Peak bits per second.
    pub bandwidth: u64,
    /// Output size, when known.
    pub resolution: Option<(u32, u32)>,
}

/// The master playlist; `uri` turns a rendition name into its playlist's URL.
pub fn master(variants: &[VariantEntry], uri: impl Fn(&str) -> String) -> String {
    let mut out = String::from("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    for variant in variants {
        let _ = write!(out, "#EXT-X-STREAM-INF:BANDWIDTH={}", variant.bandwidth);
        if let Some((width, height)) = variant.resolution {
            let _ = write!(out, ",RESOLUTION={width}x{height}");
        }
        let _ = writeln!(out, ",NAME=\"{}\"", variant.name);
        let _ = writeln!(out, "{}", uri(&variant.name));
    }
    out
}

/// How many segments a duration makes.
pub fn segment_count(duration_secs: f64, segment_secs: u32) -> u64 {
    if !duration_secs.is_finite() || duration_secs <= 0.0 || segment_secs == 0 {
        return 0;
    }
    // Durations and segment lengths are far below 2^52, where f64 stops being exact.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "positive, finite and small"
    )]
    let count = (duration_secs / f64::from(segment_secs)).ceil() as u64;
    count
}

/// A rendition's playlist: every segment, the last one shorter; `uri` names segment `n`
/// (`None` names the init segment).
pub fn variant(
    duration_secs: f64,
    segment_secs: u32,
    uri: impl Fn(Option<u64>) -> String,
) -> String {
    let count = segment_count(duration_secs, segment_secs);
    let mut out = format!(
        "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:{segment_secs}\n\
         #EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-INDEPENDENT-SEGMENTS\n\
         #EXT-X-MAP:URI=\"{}\"\n",
        uri(None)
    );
    let length = f64::from(segment_secs);
    for n in 0..count {
        #[allow(clippy::cast_precision_loss, reason = "segment numbers are small")]
        let start = n as f64 * length;
        let duration = (duration_secs - start).min(length);
        let _ = writeln!(out, "#EXTINF:{duration:.3},\n{}", uri(Some(n)));
    }
    out.push_str("#EXT-X-ENDLIST\n");
    out
}

/// The segment numbers ffmpeg's own playlist lists: the ones it has finished writing.
pub fn finished_segments(ffmpeg_playlist: &str) -> Vec<u64> {
    ffmpeg_playlist
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            line.trim()
                .strip_prefix("seg_")?
                .strip_suffix(".m4s")?
                .parse()
                .ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timeline_is_complete_and_the_last_segment_shorter() {
        let text = variant(10.5, 4, |n| match n {
            Some(n) => format!("{n}.m4s"),
            None => "init.mp4".to_owned(),
        });
        assert!(text.contains("#EXT-X-MAP:URI=\"init.mp4\""));
        assert!(text.contains("#EXTINF:4.000,\n0.m4s"));
        assert!(text.contains("#EXTINF:2.500,\n2.m4s"));
        assert!(!text.contains("3.m4s"));
        assert!(text.ends_with("#EXT-X-ENDLIST\n"));
        assert_eq!(segment_count(8.0, 4), 2);
        assert_eq!(segment_count(0.0, 4), 0);
    }

    #[test]
    fn finished_segments_are_read_from_ffmpegs_playlist() {
        let text = "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4.0,\nseg_3.m4s\n#EXTINF:4.0,\nseg_4.m4s\n";
        assert_eq!(finished_segments(text), vec![3, 4]);
    }

    #[test]
    fn master_lists_every_rendition() {
        let text = master(
            &[VariantEntry {
                name: "720p".into(),
                bandwidth: 4_160_000,
                resolution: Some((1280, 720)),
            }],
            |name| format!("{name}/index.m3u8"),
        );
        assert!(text.contains("BANDWIDTH=4160000,RESOLUTION=1280x720"));
        assert!(text.contains("720p/index.m3u8"));
    }
}
