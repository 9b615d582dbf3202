//! Minimal but real Matroska and MP4 files written byte by byte: an EBML header, segment info
//! and track entries, or ftyp + moov with a video and an audio track. Enough
//! for ffprobe and for the server's in-process header readers; nothing to decode.

use super::rng::Rng;

/// What one generated video file holds.
#[derive(Debug, Clone)]
pub struct VideoSpec {
    /// Seconds.
    pub duration_secs: u32,
    /// Frame size.
    pub width: u16,
    /// Frame size.
    pub height: u16,
    /// ISO 639-2 language of the audio track.
    pub language: &'static str,
    /// The container's title tag.
    pub title: String,
    /// Whether to add an English subtitle track (Matroska only).
    pub subtitles: bool,
}

const RESOLUTIONS: [(u16, u16); 4] = [(1920, 1080), (1280, 720), (3840, 2160), (720, 480)];
const LANGUAGES: [&str; 5] = ["eng", "eng", "fre", "ger", "jpn"];

impl VideoSpec {
    /// A random spec with `title`.
    pub fn random(rng: &mut Rng, title: String, duration_range: (u64, u64)) -> Self {
        let (width, height) = *rng.pick(&RESOLUTIONS);
        let duration = rng.range(duration_range.0, duration_range.1);
        Self {
            duration_secs: u32::try_from(duration).unwrap_or(u32::MAX),
            width,
            height,
            language: *rng.pick(&LANGUAGES),
            title,
            subtitles: rng.percent(50),
        }
    }
}

/// An EBML element: id bytes, a size in the shortest vint, the data.
fn element(id: u32, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 12);
    let id_bytes = id.to_be_bytes();
    let skip = id_bytes.iter().take_while(|b| **b == 0).count();
    out.extend_from_slice(&id_bytes[skip..]);
    let len = data.len() as u64;
    let mut width = 1;
    while width < 8 && len >= (1u64 << (7 * width)) - 1 {
        width += 1;
    }
    let marked = len | (1u64 << (7 * width));
    out.extend_from_slice(&marked.to_be_bytes()[8 - width..]);
    out.extend_from_slice(data);
    out
}

fn uint(id: u32, value: u64) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
    element(id, &bytes[skip..])
}

fn float(id: u32, value: f64) -> Vec<u8> {
    element(id, &value.to_be_bytes())
}

fn text(id: u32, value: &str) -> Vec<u8> {
    element(id, value.as_bytes())
}

fn concat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

/// A Matroska file: EBML header, Info, Tracks (VP9 video, AC-3 audio, optional SRT-style text
/// subtitles) and `padding` filler bytes in a Void element, and
/// one empty cluster.
pub fn matroska(spec: &VideoSpec, padding: &[u8]) -> Vec<u8> {
    let header = element(
        0x1A45_DFA3,
        &concat(&[
            uint(0x4286, 1),
            uint(0x42F7, 1),
            uint(0x42F2, 4),
            uint(0x42F3, 8),
            text(0x4282, "matroska"),
            uint(0x4287, 4),
            uint(0x4285, 2),
        ]),
    );
    let info = element(
        0x1549_A966,
        &concat(&[
            uint(0x2A_D7B1, 1_000_000),
            float(0x4489, f64::from(spec.duration_secs) * 1000.0),
            text(0x7BA9, &spec.title),
            text(0x4D80, "revenge-xtask"),
            text(0x5741, "revenge-xtask"),
        ]),
    );
    let video = element(
        0xAE,
        &concat(&[
            uint(0xD7, 1),
            uint(0x73C5, 1),
            uint(0x83, 1),
            text(0x86, "V_VP9"),
            uint(0x23_E383, 41_708_333),
            element(
                0xE0,
                &concat(&[
                    uint(0xB0, u64::from(spec.width)),
                    uint(0xBA, u64::from(spec.height)),
                ]),
            ),
        ]),
    );
    let audio = element(
        0xAE,
        &concat(&[
            uint(0xD7, 2),
            uint(0x73C5, 2),
            uint(0x83, 2),
            text(0x86, "A_AC3"),
            text(0x22_B59C, spec.language),
            element(0xE1, &concat(&[float(0xB5, 48_000.0), uint(0x9F, 6)])),
        ]),
    );
    let mut tracks = vec![video, audio];
    if spec.subtitles {
        tracks.push(element(
            0xAE,
            &concat(&[
                uint(0xD7, 3),
                uint(0x73C5, 3),
                uint(0x83, 0x11),
                text(0x86, "S_TEXT/UTF8"),
                text(0x22_B59C, "eng"),
            ]),
        ));
    }
    let tracks = element(0x1654_AE6B, &tracks.concat());
    // An empty cluster: readers expect one after the headers.
    let cluster = element(0x1F43_B675, &uint(0xE7, 0));
    let void = element(0xEC, padding);
    let segment = element(0x1853_8067, &concat(&[info, tracks, void, cluster]));
    concat(&[header, segment])
}

/// An ISO-BMFF box.
pub fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let len = u32::try_from(body.len() + 8).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

/// A full box: version 0 and `flags`.
pub fn full_box(kind: &[u8; 4], flags: u32, body: &[u8]) -> Vec<u8> {
    let mut data = (flags & 0x00FF_FFFF).to_be_bytes().to_vec();
    data.extend_from_slice(body);
    mp4_box(kind, &data)
}

const MATRIX: [u32; 9] = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000];

fn matrix() -> Vec<u8> {
    MATRIX.iter().flat_map(|v| v.to_be_bytes()).collect()
}

fn mvhd(timescale: u32, duration: u32, next_track: u32) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&timescale.to_be_bytes());
    b.extend_from_slice(&duration.to_be_bytes());
    b.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    b.extend_from_slice(&0x0100u16.to_be_bytes());
    b.extend_from_slice(&[0; 10]);
    b.extend_from_slice(&matrix());
    b.extend_from_slice(&[0; 24]);
    b.extend_from_slice(&next_track.to_be_bytes());
    full_box(b"mvhd", 0, &b)
}

fn tkhd(track: u32, duration: u32, width: u16, height: u16, audio: bool) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&track.to_be_bytes());
    b.extend_from_slice(&[0; 4]);
    b.extend_from_slice(&duration.to_be_bytes());
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&[0; 4]);
    b.extend_from_slice(&(if audio { 0x0100u16 } else { 0 }).to_be_bytes());
    b.extend_from_slice(&[0; 2]);
    b.extend_from_slice(&matrix());
    b.extend_from_slice(&(u32::from(width) << 16).to_be_bytes());
    b.extend_from_slice(&(u32::from(height) << 16).to_be_bytes());
    full_box(b"tkhd", 3, &b)
}

fn mdhd(timescale: u32, duration: u32, language: &str) -> Vec<u8> {
    let code = language.bytes().take(3).fold(0u16, |acc, c| {
        (acc << 5) | u16::from(c.saturating_sub(0x60) & 0x1F)
    });
    let mut b = Vec::new();
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&timescale.to_be_bytes());
    b.extend_from_slice(&duration.to_be_bytes());
    b.extend_from_slice(&code.to_be_bytes());
    b.extend_from_slice(&[0; 2]);
    full_box(b"mdhd", 0, &b)
}

/// A handler box (`vide`, `soun`, `mdir`).
pub fn hdlr(handler: &[u8; 4], name: &str) -> Vec<u8> {
    let mut b = vec![0; 4];
    b.extend_from_slice(handler);
    b.extend_from_slice(&[0; 12]);
    b.extend_from_slice(name.as_bytes());
    b.push(0);
    full_box(b"hdlr", 0, &b)
}

fn empty_tables() -> Vec<u8> {
    concat(&[
        full_box(b"stts", 0, &0u32.to_be_bytes()),
        full_box(b"stsc", 0, &0u32.to_be_bytes()),
        full_box(b"stsz", 0, &[0; 8]),
        full_box(b"stco", 0, &0u32.to_be_bytes()),
    ])
}

fn dinf() -> Vec<u8> {
    let url = full_box(b"url ", 1, &[]);
    let mut dref = 1u32.to_be_bytes().to_vec();
    dref.extend_from_slice(&url);
    mp4_box(b"dinf", &full_box(b"dref", 0, &dref))
}

fn stsd(entry: &[u8]) -> Vec<u8> {
    let mut b = 1u32.to_be_bytes().to_vec();
    b.extend_from_slice(entry);
    full_box(b"stsd", 0, &b)
}

fn avc1(width: u16, height: u16) -> Vec<u8> {
    let mut b = vec![0; 6];
    b.extend_from_slice(&1u16.to_be_bytes());
    b.extend_from_slice(&[0; 16]);
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&0x0048_0000u32.to_be_bytes());
    b.extend_from_slice(&0x0048_0000u32.to_be_bytes());
    b.extend_from_slice(&[0; 4]);
    b.extend_from_slice(&1u16.to_be_bytes());
    b.extend_from_slice(&[0; 32]);
    b.extend_from_slice(&0x0018u16.to_be_bytes());
    b.extend_from_slice(&0xFFFFu16.to_be_bytes());
    mp4_box(b"avc1", &b)
}

/// An `mp4a` sample entry for AAC-LC, 2 channels, 44.1 kHz.
pub fn mp4a() -> Vec<u8> {
    let decoder_specific = [0x05, 0x02, 0x12, 0x10];
    let mut decoder_config = vec![0x04, 13 + decoder_specific.len() as u8, 0x40, 0x15];
    decoder_config.extend_from_slice(&[0, 0, 0]);
    decoder_config.extend_from_slice(&128_000u32.to_be_bytes());
    decoder_config.extend_from_slice(&128_000u32.to_be_bytes());
    decoder_config.extend_from_slice(&decoder_specific);
    let sl_config = [0x06, 0x01, 0x02];
    let mut es = vec![
        0x03,
        (3 + decoder_config.len() + sl_config.len()) as u8,
        0,
        1,
        0,
    ];
    es.extend_from_slice(&decoder_config);
    es.extend_from_slice(&sl_config);
    let esds = full_box(b"esds", 0, &es);
    let mut b = vec![0; 6];
    b.extend_from_slice(&1u16.to_be_bytes());
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&2u16.to_be_bytes());
    b.extend_from_slice(&16u16.to_be_bytes());
    b.extend_from_slice(&[0; 4]);
    b.extend_from_slice(&(44_100u32 << 16).to_be_bytes());
    b.extend_from_slice(&esds);
    mp4_box(b"mp4a", &b)
}

/// The `trak` of an AAC audio track.
pub fn audio_trak(track: u32, duration_ms: u32, language: &str) -> Vec<u8> {
    let stbl = mp4_box(b"stbl", &concat(&[stsd(&mp4a()), empty_tables()]));
    let smhd = full_box(b"smhd", 0, &[0; 4]);
    let minf = mp4_box(b"minf", &concat(&[smhd, dinf(), stbl]));
    let mdia = mp4_box(
        b"mdia",
        &concat(&[
            mdhd(1000, duration_ms, language),
            hdlr(b"soun", "SoundHandler"),
            minf,
        ]),
    );
    mp4_box(
        b"trak",
        &concat(&[tkhd(track, duration_ms, 0, 0, true), mdia]),
    )
}

/// A `moov` header with the given tracks (and optional extra children such as `udta`).
pub fn moov(duration_ms: u32, traks: &[Vec<u8>], extra: &[u8]) -> Vec<u8> {
    let next = u32::try_from(traks.len() + 1).unwrap_or(u32::MAX);
    let mut body = mvhd(1000, duration_ms, next);
    for trak in traks {
        body.extend_from_slice(trak);
    }
    body.extend_from_slice(extra);
    mp4_box(b"moov", &body)
}

/// An `ftyp` box.
pub fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
    let mut b = major.to_vec();
    b.extend_from_slice(&0x200u32.to_be_bytes());
    for brand in compatible {
        b.extend_from_slice(*brand);
    }
    mp4_box(b"ftyp", &b)
}

/// An MP4 file: ftyp, moov with an H.264 video and an AAC audio track, and an `mdat` holding
/// `padding`.
pub fn mp4(spec: &VideoSpec, padding: &[u8]) -> Vec<u8> {
    let duration = spec.duration_secs.saturating_mul(1000);
    let stbl = mp4_box(
        b"stbl",
        &concat(&[stsd(&avc1(spec.width, spec.height)), empty_tables()]),
    );
    let vmhd = full_box(b"vmhd", 1, &[0; 8]);
    let minf = mp4_box(b"minf", &concat(&[vmhd, dinf(), stbl]));
    let mdia = mp4_box(
        b"mdia",
        &concat(&[
            mdhd(1000, duration, "und"),
            hdlr(b"vide", "VideoHandler"),
            minf,
        ]),
    );
    let video = mp4_box(
        b"trak",
        &concat(&[tkhd(1, duration, spec.width, spec.height, false), mdia]),
    );
    let audio = audio_trak(2, duration, spec.language);
    concat(&[
        ftyp(b"isom", &[b"isom", b"iso2", b"avc1", b"mp41"]),
        moov(duration, &[video, audio], &[]),
        mp4_box(b"mdat", padding),
    ])
}
