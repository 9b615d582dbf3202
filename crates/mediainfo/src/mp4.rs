//! ISO base media files (MP4, M4V, M4A) and QuickTime movies: the `moov` box and nothing else.
//! Top-level boxes before it (`mdat` included, when the index sits at the end) are skipped by
//! seeking, and inside `moov` only the small header boxes and the sample description are read;
//! the sample tables, megabytes in long films, are skipped too.
//!
//! Our own reader rather than the `mp4` or `mp4parse` crates: `mp4` sizes vectors from untrusted
//! counts and knows few sample entries (no AC-3/E-AC-3/DTS/TrueHD/Opus), and `mp4parse` reads
//! from a plain `Read` (so a trailing `moov` means reading the whole `mdat`), parses every
//! sample table and exposes no languages, titles, chapters or colour information.

use std::io::{Read, Seek};

use crate::codec;
use crate::error::Fault;
use crate::info::{
    AudioTrack, Chapter, MediaInfo, ProbeSource, SubtitleTrack, VideoTrack, bitrate_from_size,
    finish_chapters, normalize_language, normalize_title, title_words,
};
use crate::reader::{Bytes, Reader};

/// A larger `moov` is refused: even hours of film with many tracks stay well below it.
const MAX_MOOV: u64 = 64 * 1024 * 1024;
const MAX_FTYP: u64 = 4096;
/// Header boxes (`mvhd`, `tkhd`, `mdhd`, `hdlr`, names, `kind`).
const MAX_SMALL_BOX: u64 = 64 * 1024;
/// `stsd` and `chpl`, which hold codec configurations and chapter titles.
const MAX_DESCRIPTION: u64 = 4 * 1024 * 1024;
const MAX_BOXES: usize = 200_000;
const MAX_TRACK_COUNT: usize = 1024;
/// No real size comes near this; a claim beyond it is a lie rather than a cut-off file.
const ABSURD_SIZE: u64 = 1 << 62;

/// The box types a QuickTime or ISO file may begin with.
const FIRST_BOXES: [&[u8; 4]; 9] = [
    b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"styp", b"uuid",
];

/// Whether the first bytes look like an ISO base media or QuickTime file.
pub(crate) fn sniff(magic: &[u8]) -> bool {
    magic
        .get(4..8)
        .is_some_and(|kind| FIRST_BOXES.iter().any(|b| b.as_slice() == kind))
}

#[derive(Debug, Clone, Copy)]
struct BoxHeader {
    kind: [u8; 4],
    size: u64,
    body: u64,
    end: u64,
}

impl BoxHeader {
    fn body_len(&self) -> u64 {
        self.end.saturating_sub(self.body)
    }
}

/// Reads a box header; a size of zero means "to the end of the parent".
fn read_header<R: Read + Seek>(r: &mut Reader<R>, parent_end: u64) -> Result<BoxHeader, Fault> {
    let start = r.pos();
    let mut raw = [0u8; 8];
    r.read_exact(&mut raw)?;
    let mut b = Bytes::new(&raw);
    let size32 = b.be_u32().ok_or(Fault::Truncated)?;
    let kind = b.fourcc().ok_or(Fault::Truncated)?;
    let (size, header) = match size32 {
        0 => (parent_end.saturating_sub(start), 8),
        1 => {
            let mut large = [0u8; 8];
            r.read_exact(&mut large)?;
            (u64::from_be_bytes(large), 16)
        }
        n => (u64::from(n), 8),
    };
    let name = String::from_utf8_lossy(&kind).into_owned();
    if size >= ABSURD_SIZE {
        return Err(Fault::corrupt(format!("box {name:?} claims {size} bytes")));
    }
    if size < header {
        return Err(Fault::corrupt(format!(
            "box {name:?} is smaller than its header"
        )));
    }
    Ok(BoxHeader {
        kind,
        size,
        body: start + header,
        end: start + size,
    })
}

/// Reads an ISO base media or QuickTime file's `moov`.
pub(crate) fn read<R: Read + Seek>(r: &mut Reader<R>) -> Result<MediaInfo, Fault> {
    let len = r.len();
    let mut brand = None;
    for _ in 0..MAX_BOXES {
        if len.saturating_sub(r.pos()) < 8 {
            // A few stray bytes at the end are a cut-off box header; a clean end without a
            // `moov` is a file whose writer never finished.
            return Err(if r.pos() == len {
                Fault::corrupt("no moov box")
            } else {
                Fault::Truncated
            });
        }
        let header = read_header(r, len)?;
        match &header.kind {
            b"ftyp" => {
                if header.size > MAX_FTYP {
                    return Err(Fault::corrupt(format!(
                        "ftyp box claims {} bytes",
                        header.size
                    )));
                }
                let body = r.read_vec(header.body_len(), MAX_FTYP, "ftyp")?;
                brand = Bytes::new(&body).fourcc();
            }
            b"moov" => {
                if header.size > MAX_MOOV {
                    return Err(Fault::corrupt(format!(
                        "moov box of {} bytes is over the 64 MiB limit",
                        header.size
                    )));
                }
                if header.end > len {
                    return Err(Fault::Truncated);
                }
                let mut walker = Walker { r, boxes: 0 };
                let moov = walker.moov(&header)?;
                return Ok(moov.into_media(brand, len));
            }
            _ => {
                if header.end > len {
                    return Err(Fault::Truncated);
                }
                r.seek_to(header.end)?;
            }
        }
    }
    Err(Fault::corrupt("too many top-level boxes"))
}

/// Walks the boxes inside `moov`, counting them so a flood of tiny boxes is refused.
struct Walker<'a, R> {
    r: &'a mut Reader<R>,
    boxes: usize,
}

impl<R: Read + Seek> Walker<'_, R> {
    /// The next child of a box ending at `end`, or none when it has no more.
    fn child(&mut self, end: u64) -> Result<Option<BoxHeader>, Fault> {
        let pos = self.r.pos();
        if pos >= end {
            return Ok(None);
        }
        if end - pos < 8 {
            // QuickTime ends some lists with a four-byte zero terminator.
            self.r.seek_to(end)?;
            return Ok(None);
        }
        self.boxes += 1;
        if self.boxes > MAX_BOXES {
            return Err(Fault::corrupt("too many boxes in moov"));
        }
        let header = read_header(self.r, end)?;
        if header.end > end {
            return Err(Fault::corrupt(format!(
                "box {:?} overruns its parent",
                String::from_utf8_lossy(&header.kind)
            )));
        }
        Ok(Some(header))
    }

    fn body(&mut self, header: &BoxHeader, cap: u64) -> Result<Vec<u8>, Fault> {
        let name = String::from_utf8_lossy(&header.kind).into_owned();
        self.r.read_vec(header.body_len(), cap, &name)
    }

    fn moov(&mut self, moov: &BoxHeader) -> Result<Moov, Fault> {
        let mut out = Moov::default();
        while let Some(child) = self.child(moov.end)? {
            match &child.kind {
                b"mvhd" => {
                    let body = self.body(&child, MAX_SMALL_BOX)?;
                    (out.timescale, out.duration) = parse_mvhd(&body);
                }
                b"trak" => {
                    if out.tracks.len() >= MAX_TRACK_COUNT {
                        return Err(Fault::corrupt("more than 1024 tracks"));
                    }
                    let track = self.trak(&child)?;
                    out.tracks.push(track);
                }
                b"udta" => {
                    while let Some(entry) = self.child(child.end)? {
                        if &entry.kind == b"chpl" {
                            let body = self.body(&entry, MAX_DESCRIPTION)?;
                            out.chapters = parse_chpl(&body);
                        }
                        self.r.seek_to(entry.end)?;
                    }
                }
                b"mvex" => {
                    while let Some(entry) = self.child(child.end)? {
                        if &entry.kind == b"mehd" {
                            let body = self.body(&entry, MAX_SMALL_BOX)?;
                            out.fragment_duration = parse_mehd(&body);
                        }
                        self.r.seek_to(entry.end)?;
                    }
                }
                _ => {}
            }
            self.r.seek_to(child.end)?;
        }
        Ok(out)
    }

    fn trak(&mut self, trak: &BoxHeader) -> Result<Trak, Fault> {
        let mut out = Trak::default();
        while let Some(child) = self.child(trak.end)? {
            match &child.kind {
                b"tkhd" => {
                    let body = self.body(&child, MAX_SMALL_BOX)?;
                    let mut b = Bytes::new(&body);
                    let version = b.u8();
                    let flags = b
                        .take(3)
                        .map_or(0, |f| f.iter().fold(0u32, |v, x| (v << 8) | u32::from(*x)));
                    out.enabled = flags & 1 != 0;
                    let skip = if version == Some(1) { 16 } else { 8 };
                    out.id = b.skip(skip).and_then(|()| b.be_u32());
                }
                b"mdia" => self.mdia(&child, &mut out)?,
                b"tref" => {
                    while let Some(reference) = self.child(child.end)? {
                        if &reference.kind == b"chap" {
                            let body = self.body(&reference, MAX_SMALL_BOX)?;
                            let mut b = Bytes::new(&body);
                            while let Some(id) = b.be_u32() {
                                out.chapter_refs.push(id);
                            }
                        }
                        self.r.seek_to(reference.end)?;
                    }
                }
                b"udta" => {
                    while let Some(entry) = self.child(child.end)? {
                        match &entry.kind {
                            b"name" => {
                                let body = self.body(&entry, MAX_SMALL_BOX)?;
                                out.title = parse_name(&body);
                            }
                            b"kind" => {
                                let body = self.body(&entry, MAX_SMALL_BOX)?;
                                parse_kind(&body, &mut out);
                            }
                            _ => {}
                        }
                        self.r.seek_to(entry.end)?;
                    }
                }
                _ => {}
            }
            self.r.seek_to(child.end)?;
        }
        Ok(out)
    }

    fn mdia(&mut self, mdia: &BoxHeader, out: &mut Trak) -> Result<(), Fault> {
        while let Some(child) = self.child(mdia.end)? {
            match &child.kind {
                b"mdhd" => {
                    let body = self.body(&child, MAX_SMALL_BOX)?;
                    parse_mdhd(&body, out);
                }
                b"hdlr" => {
                    let body = self.body(&child, MAX_SMALL_BOX)?;
                    let mut b = Bytes::new(&body);
                    out.handler = b.skip(8).and_then(|()| b.fourcc());
                }
                b"minf" => {
                    while let Some(info) = self.child(child.end)? {
                        if &info.kind == b"stbl" {
                            self.stbl(&info, out)?;
                        }
                        self.r.seek_to(info.end)?;
                    }
                }
                _ => {}
            }
            self.r.seek_to(child.end)?;
        }
        Ok(())
    }

    fn stbl(&mut self, stbl: &BoxHeader, out: &mut Trak) -> Result<(), Fault> {
        while let Some(child) = self.child(stbl.end)? {
            match &child.kind {
                b"stsd" => out.stsd = Some(self.body(&child, MAX_DESCRIPTION)?),
                // Only the sample count in the header, for the average frame rate.
                b"stsz" | b"stz2" => {
                    let mut head = [0u8; 12];
                    if child.body_len() >= 12 {
                        self.r.read_exact(&mut head)?;
                        let mut b = Bytes::new(&head);
                        out.sample_count = b.skip(8).and_then(|()| b.be_u32());
                    }
                }
                _ => {}
            }
            self.r.seek_to(child.end)?;
        }
        Ok(())
    }
}

#[derive(Debug, Default)]
struct Moov {
    timescale: Option<u32>,
    duration: Option<u64>,
    fragment_duration: Option<u64>,
    tracks: Vec<Trak>,
    chapters: Vec<Chapter>,
}

#[derive(Debug, Default)]
struct Trak {
    id: Option<u32>,
    enabled: bool,
    handler: Option<[u8; 4]>,
    timescale: Option<u32>,
    duration: Option<u64>,
    language: Option<String>,
    title: Option<String>,
    forced: bool,
    hearing_impaired: bool,
    stsd: Option<Vec<u8>>,
    sample_count: Option<u32>,
    chapter_refs: Vec<u32>,
}

impl Trak {
    fn duration_secs(&self) -> Option<f64> {
        seconds(self.duration?, self.timescale?)
    }
}

fn seconds(duration: u64, timescale: u32) -> Option<f64> {
    (timescale > 0 && duration > 0).then(|| duration as f64 / f64::from(timescale))
}

impl Moov {
    fn into_media(self, brand: Option<[u8; 4]>, len: u64) -> MediaInfo {
        let container = match brand.as_ref() {
            Some(b"qt  ") => "mov",
            _ => "mp4",
        };
        let movie = self
            .duration
            .zip(self.timescale)
            .and_then(|(d, t)| seconds(d, t));
        let fragments = self
            .fragment_duration
            .zip(self.timescale)
            .and_then(|(d, t)| seconds(d, t));
        let longest_track = self
            .tracks
            .iter()
            .filter_map(Trak::duration_secs)
            .reduce(f64::max);
        let duration = movie.or(fragments).or(longest_track);

        let chapter_tracks: Vec<u32> = self
            .tracks
            .iter()
            .flat_map(|t| t.chapter_refs.iter().copied())
            .collect();
        let mut media = MediaInfo {
            container: container.to_owned(),
            duration_secs: duration,
            bitrate: bitrate_from_size(len, duration),
            video: Vec::new(),
            audio: Vec::new(),
            subtitles: Vec::new(),
            chapters: self.chapters,
            source: ProbeSource::InProcess,
        };
        for (index, track) in self.tracks.into_iter().enumerate() {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            let is_chapter_track = track.id.is_some_and(|id| chapter_tracks.contains(&id));
            place_track(track, index, is_chapter_track, &mut media);
        }
        finish_chapters(&mut media.chapters, duration);
        media
    }
}

fn place_track(track: Trak, index: u32, is_chapter_track: bool, media: &mut MediaInfo) {
    let Some(handler) = track.handler else { return };
    let entry = track
        .stsd
        .as_deref()
        .and_then(|stsd| sample_entry(stsd, &handler));
    let Some(entry) = entry else { return };
    let marks = title_words(track.title.as_deref());
    match &handler {
        b"vide" => {
            let frame_rate = track
                .sample_count
                .filter(|n| *n > 0)
                .zip(track.duration_secs())
                .map(|(n, secs)| f64::from(n) / secs)
                .filter(|fps| fps.is_finite());
            media.video.push(VideoTrack {
                index,
                codec: entry.codec,
                width: entry.width,
                height: entry.height,
                frame_rate,
                hdr: entry.hdr.map(str::to_owned),
                bit_depth: entry.bit_depth,
                default: track.enabled,
            });
        }
        b"soun" => media.audio.push(AudioTrack {
            index,
            codec: entry.codec,
            channels: entry.channels,
            sample_rate: entry.sample_rate.or(track.timescale.filter(|t| *t > 0)),
            language: track.language,
            title: track.title,
            default: track.enabled,
            forced: track.forced || marks.forced,
        }),
        // QuickTime chapter titles live in a text track; they are chapters, not subtitles.
        b"sbtl" | b"subt" | b"text" | b"clcp" if !is_chapter_track => {
            media.subtitles.push(SubtitleTrack {
                index,
                codec: entry.codec,
                language: track.language,
                title: track.title,
                default: track.enabled,
                forced: track.forced || entry.forced || marks.forced,
                sdh: track.hearing_impaired || marks.sdh,
            });
        }
        _ => {}
    }
}

/// `(timescale, duration)` from an `mvhd` body; an all-ones duration means unknown.
fn parse_mvhd(body: &[u8]) -> (Option<u32>, Option<u64>) {
    let mut b = Bytes::new(body);
    match b.u8() {
        Some(1) => {
            let timescale = b.skip(3 + 16).and_then(|()| b.be_u32());
            (timescale, b.be_u64().filter(|d| *d != u64::MAX))
        }
        Some(_) => {
            let timescale = b.skip(3 + 8).and_then(|()| b.be_u32());
            let duration = b.be_u32().filter(|d| *d != u32::MAX).map(u64::from);
            (timescale, duration)
        }
        None => (None, None),
    }
}

fn parse_mehd(body: &[u8]) -> Option<u64> {
    let mut b = Bytes::new(body);
    match b.u8()? {
        1 => b.skip(3).and_then(|()| b.be_u64()),
        _ => b.skip(3).and_then(|()| b.be_u32()).map(u64::from),
    }
}

fn parse_mdhd(body: &[u8], out: &mut Trak) {
    let mut b = Bytes::new(body);
    let version = b.u8();
    let (timescale, duration) = if version == Some(1) {
        let timescale = b.skip(3 + 16).and_then(|()| b.be_u32());
        (timescale, b.be_u64().filter(|d| *d != u64::MAX))
    } else {
        let timescale = b.skip(3 + 8).and_then(|()| b.be_u32());
        let duration = b.be_u32().filter(|d| *d != u32::MAX).map(u64::from);
        (timescale, duration)
    };
    out.timescale = timescale;
    out.duration = duration;
    out.language = b.be_u16().and_then(mdhd_language);
}

/// Macintosh language codes, which QuickTime files still use, by code (FFmpeg's table).
const MAC_LANGUAGES: [&str; 139] = [
    "eng", "fra", "ger", "ita", "dut", "sve", "spa", "dan", "por", "nor", //
    "heb", "jpn", "ara", "fin", "gre", "ice", "mlt", "tur", "hr", "chi", //
    "urd", "hin", "tha", "kor", "lit", "pol", "hun", "est", "lav", "", //
    "fo", "", "rus", "chi", "", "iri", "alb", "ron", "ces", "slk", //
    "slv", "yid", "sr", "mac", "bul", "ukr", "bel", "uzb", "kaz", "aze", //
    "aze", "arm", "geo", "mol", "kir", "tgk", "tuk", "mon", "", "pus", //
    "kur", "kas", "snd", "tib", "nep", "san", "mar", "ben", "asm", "guj", //
    "pa", "ori", "mal", "kan", "tam", "tel", "", "bur", "khm", "lao", //
    "vie", "ind", "tgl", "may", "may", "amh", "tir", "orm", "som", "swa", //
    "", "run", "", "mlg", "epo", "", "", "", "", "", //
    "", "", "", "", "", "", "", "", "", "", //
    "", "", "", "", "", "", "", "", "", "", //
    "", "", "", "", "", "", "", "", "wel", "baq", //
    "cat", "lat", "que", "grn", "aym", "tat", "uig", "dzo", "jav",
];

/// The `mdhd` language: three packed five-bit letters, or an old Macintosh code below 0x400.
fn mdhd_language(code: u16) -> Option<String> {
    if code >= 0x400 && code != 0x7FFF {
        let letters: Option<String> = [10u16, 5, 0]
            .iter()
            .map(|shift| {
                let c = ((code >> shift) & 0x1F) as u8 + 0x60;
                c.is_ascii_lowercase().then_some(char::from(c))
            })
            .collect();
        return letters.and_then(|l| normalize_language(&l));
    }
    MAC_LANGUAGES
        .get(usize::from(code))
        .and_then(|l| normalize_language(l))
}

/// A QuickTime `name` user-data string, with or without the length-and-language prefix.
fn parse_name(body: &[u8]) -> Option<String> {
    let mut b = Bytes::new(body);
    let text = match b.be_u16() {
        Some(len) if usize::from(len) + 4 == body.len() => body.get(4..).unwrap_or_default(),
        _ => body,
    };
    normalize_title(&String::from_utf8_lossy(text))
}

/// A `kind` box (scheme and value, both NUL-terminated) in DASH's role scheme, as FFmpeg writes
/// for forced and caption tracks.
fn parse_kind(body: &[u8], out: &mut Trak) {
    let mut parts = body.get(4..).unwrap_or_default().split(|b| *b == 0);
    let scheme = parts.next().unwrap_or_default();
    let value = parts.next().unwrap_or_default();
    if scheme != b"urn:mpeg:dash:role:2011" {
        return;
    }
    match value {
        b"forced-subtitle" => out.forced = true,
        b"caption" => out.hearing_impaired = true,
        _ => {}
    }
}

/// Nero chapters (`chpl`): start times in 100 ns units and titles.
fn parse_chpl(body: &[u8]) -> Vec<Chapter> {
    let mut b = Bytes::new(body);
    let Some(version) = b.u8() else {
        return Vec::new();
    };
    if b.skip(3).is_none() || (version > 0 && b.skip(4).is_none()) {
        return Vec::new();
    }
    let count = b.u8().unwrap_or(0);
    let mut chapters = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let Some(start) = b.be_u64() else { break };
        let Some(len) = b.u8() else { break };
        let Some(title) = b.take(usize::from(len)) else {
            break;
        };
        chapters.push(Chapter {
            start_secs: start as f64 / 1e7,
            end_secs: None,
            title: normalize_title(&String::from_utf8_lossy(title)),
        });
    }
    chapters
}

/// What the first sample entry of a track's `stsd` says.
#[derive(Debug, Default)]
struct Entry {
    codec: String,
    width: Option<u32>,
    height: Option<u32>,
    bit_depth: Option<u8>,
    hdr: Option<&'static str>,
    channels: Option<u32>,
    sample_rate: Option<u32>,
    forced: bool,
}

/// Parses the first sample entry of an `stsd` body for a track of the given handler type.
fn sample_entry(stsd: &[u8], handler: &[u8; 4]) -> Option<Entry> {
    let mut b = Bytes::new(stsd);
    b.skip(8)?;
    let size = usize::try_from(b.be_u32()?).ok()?;
    let fourcc = b.fourcc()?;
    let body = b.take(size.checked_sub(8)?.min(b.remaining()))?;
    Some(match handler {
        b"vide" => visual_entry(fourcc, body),
        b"soun" => audio_entry(fourcc, body),
        _ => text_entry(fourcc, body),
    })
}

/// The boxes inside a sample entry, as `(type, body)`.
fn inner_boxes(data: &[u8]) -> Vec<([u8; 4], &[u8])> {
    let mut out = Vec::new();
    let mut b = Bytes::new(data);
    while b.remaining() >= 8 && out.len() < 64 {
        let Some(size) = b.be_u32() else { break };
        let Some(kind) = b.fourcc() else { break };
        let body_len = match size {
            0 => b.remaining(),
            n => match usize::try_from(n).ok().and_then(|n| n.checked_sub(8)) {
                Some(len) => len,
                None => break,
            },
        };
        let Some(body) = b.take(body_len) else { break };
        out.push((kind, body));
    }
    out
}

fn visual_entry(fourcc: [u8; 4], body: &[u8]) -> Entry {
    let mut b = Bytes::new(body);
    let dims = b.skip(24).and_then(|()| Some((b.be_u16()?, b.be_u16()?)));
    let mut entry = Entry {
        width: dims.map(|(w, _)| u32::from(w)).filter(|w| *w > 0),
        height: dims.map(|(_, h)| u32::from(h)).filter(|h| *h > 0),
        ..Entry::default()
    };
    let mut object_type = None;
    let mut transfer = None;
    let mut dolby_vision = matches!(&fourcc, b"dvh1" | b"dvhe" | b"dvav" | b"dva1" | b"dav1");
    for (kind, inner) in inner_boxes(body.get(78..).unwrap_or_default()) {
        match &kind {
            b"avcC" => entry.bit_depth = codec::avc_bit_depth(inner),
            b"hvcC" => entry.bit_depth = codec::hevc_bit_depth(inner),
            b"av1C" => entry.bit_depth = codec::av1_bit_depth(inner),
            b"vpcC" => {
                let (depth, vp_transfer) = codec::vpcc_info(inner);
                entry.bit_depth = depth;
                transfer = transfer.or(vp_transfer);
            }
            b"colr" => {
                let mut c = Bytes::new(inner);
                if let Some(b"nclx" | b"nclc") = c.fourcc().as_ref() {
                    transfer = c.skip(2).and_then(|()| c.be_u16()).map(u64::from);
                }
            }
            b"esds" => {
                object_type = codec::parse_esds(inner.get(4..).unwrap_or_default()).object_type
            }
            kind if codec::is_dolby_vision_config(kind) => dolby_vision = true,
            _ => {}
        }
    }
    entry.codec = codec::mp4_codec(fourcc, object_type);
    entry.bit_depth = entry
        .bit_depth
        .or_else(|| codec::fixed_bit_depth(&entry.codec));
    entry.hdr = if dolby_vision {
        Some("Dolby Vision")
    } else {
        transfer.and_then(codec::hdr_from_transfer)
    };
    entry
}

fn audio_entry(fourcc: [u8; 4], body: &[u8]) -> Entry {
    let mut b = Bytes::new(body);
    let fields = (|| {
        b.skip(8)?;
        let version = b.be_u16()?;
        b.skip(6)?;
        let channels = b.be_u16()?;
        b.skip(6)?;
        let rate = b.be_u32()? >> 16;
        Some((version, u32::from(channels), rate))
    })();
    let (version, mut channels, mut rate) = match fields {
        Some((v, c, r)) => (v, Some(c).filter(|c| *c > 0), Some(r).filter(|r| *r > 0)),
        None => (0, None, None),
    };
    // QuickTime sound description versions 1 and 2 append fields before the child boxes.
    let children_at = match version {
        1 => 44,
        2 => {
            let mut v2 = Bytes::new(body.get(32..).unwrap_or_default());
            if let Some(bits) = v2.be_u64() {
                let exact = f64::from_bits(bits);
                if exact.is_finite() && exact >= 1.0 && exact <= f64::from(u32::MAX) {
                    rate = Some(exact.round() as u32);
                }
            }
            channels = v2.be_u32().filter(|c| *c > 0).or(channels);
            64
        }
        _ => 28,
    };
    let mut object_type = None;
    let mut boxes = inner_boxes(body.get(children_at..).unwrap_or_default());
    // QuickTime wraps the codec configuration in a `wave` box.
    if let Some((_, wave)) = boxes.iter().find(|(k, _)| k == b"wave") {
        boxes.extend(inner_boxes(wave));
    }
    for (kind, inner) in boxes {
        match &kind {
            b"esds" => {
                let esds = codec::parse_esds(inner.get(4..).unwrap_or_default());
                object_type = esds.object_type;
                channels = esds.channels.or(channels);
                rate = rate.or(esds.sample_rate);
            }
            b"dac3" => channels = codec::ac3_channels(inner).or(channels),
            b"dec3" => channels = codec::eac3_channels(inner).or(channels),
            b"dOps" => channels = codec::opus_channels(inner).or(channels),
            b"dfLa" => {
                if let Some((flac_rate, flac_channels)) =
                    codec::flac_streaminfo(inner.get(4..).unwrap_or_default())
                {
                    rate = Some(flac_rate);
                    channels = Some(flac_channels);
                }
            }
            _ => {}
        }
    }
    Entry {
        codec: codec::mp4_codec(fourcc, object_type),
        channels,
        sample_rate: rate,
        ..Entry::default()
    }
}

fn text_entry(fourcc: [u8; 4], body: &[u8]) -> Entry {
    let mut b = Bytes::new(body);
    // QuickTime subtitles flag "all samples are forced" in the display flags.
    let display_flags = b.skip(8).and_then(|()| b.be_u32()).unwrap_or(0);
    let object_type = if &fourcc == b"mp4s" {
        inner_boxes(body.get(8..).unwrap_or_default())
            .iter()
            .find(|(k, _)| k == b"esds")
            .and_then(|(_, e)| codec::parse_esds(e.get(4..).unwrap_or_default()).object_type)
    } else {
        None
    };
    Entry {
        codec: codec::mp4_codec(fourcc, object_type),
        forced: &fourcc == b"tx3g" && display_flags & 0x8000_0000 != 0,
        ..Entry::default()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    fn read_bytes(data: Vec<u8>) -> Result<MediaInfo, Fault> {
        let len = data.len() as u64;
        read(&mut Reader::new(Cursor::new(data), len))
    }

    #[test]
    fn packed_and_macintosh_languages() {
        // "eng" packed: e=5, n=14, g=7.
        assert_eq!(
            mdhd_language((5 << 10) | (14 << 5) | 7).as_deref(),
            Some("eng")
        );
        assert_eq!(mdhd_language(0x55C4), None, "und");
        assert_eq!(mdhd_language(0).as_deref(), Some("eng"));
        assert_eq!(mdhd_language(2).as_deref(), Some("ger"));
        assert_eq!(mdhd_language(0x7FFF), None);
        assert_eq!(mdhd_language(500), None);
    }

    #[test]
    fn moov_at_the_end_after_a_large_mdat() {
        let mut file = boxed(b"ftyp", b"isom\0\0\0\0");
        file.extend(boxed(b"mdat", &[0u8; 100_000]));
        let mut mvhd = vec![0u8; 12];
        mvhd.extend_from_slice(&1000u32.to_be_bytes());
        mvhd.extend_from_slice(&2500u32.to_be_bytes());
        file.extend(boxed(b"moov", &boxed(b"mvhd", &mvhd)));
        let media = read_bytes(file).unwrap();
        assert_eq!(media.container, "mp4");
        assert_eq!(media.duration_secs, Some(2.5));
    }

    #[test]
    fn lying_sizes_are_refused() {
        let mut huge = vec![0, 0, 0, 1];
        huge.extend_from_slice(b"ftyp");
        huge.extend_from_slice(&u64::MAX.to_be_bytes());
        assert!(matches!(read_bytes(huge), Err(Fault::Corrupt(_))));

        let mut big_moov = boxed(b"ftyp", b"isom\0\0\0\0");
        big_moov.extend_from_slice(&[0, 0, 0, 1]);
        big_moov.extend_from_slice(b"moov");
        big_moov.extend_from_slice(&(1u64 << 40).to_be_bytes());
        assert!(matches!(read_bytes(big_moov), Err(Fault::Corrupt(_))));

        let mut cut = boxed(b"ftyp", b"isom\0\0\0\0");
        cut.extend_from_slice(&1000u32.to_be_bytes());
        cut.extend_from_slice(b"moov");
        cut.extend_from_slice(&[0; 20]);
        assert!(matches!(read_bytes(cut), Err(Fault::Truncated)));

        let tiny = [0, 0, 0, 4, b'f', b't', b'y', b'p'];
        assert!(matches!(read_bytes(tiny.to_vec()), Err(Fault::Corrupt(_))));
    }

    #[test]
    fn child_overrunning_its_parent_is_corrupt() {
        let mut moov_body = 100u32.to_be_bytes().to_vec();
        moov_body.extend_from_slice(b"trak");
        let file = boxed(b"moov", &moov_body);
        assert!(matches!(read_bytes(file), Err(Fault::Corrupt(_))));
    }

    #[test]
    fn nero_chapters() {
        let mut chpl = vec![1, 0, 0, 0, 0, 0, 0, 0, 2];
        chpl.extend_from_slice(&0u64.to_be_bytes());
        chpl.push(3);
        chpl.extend_from_slice(b"One");
        chpl.extend_from_slice(&15_000_000u64.to_be_bytes());
        chpl.push(3);
        chpl.extend_from_slice(b"Two");
        let chapters = parse_chpl(&chpl);
        assert_eq!(chapters.len(), 2);
        assert_eq!(chapters[1].start_secs, 1.5);
        assert_eq!(chapters[1].title.as_deref(), Some("Two"));
        assert!(parse_chpl(&[1, 0, 0, 0, 0, 0, 0, 0, 200, 1]).is_empty());
    }
}
