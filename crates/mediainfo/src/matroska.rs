//! Matroska and WebM headers: the EBML header, then the Segment's SeekHead, Info, Tracks and
//! Chapters. Clusters (the media data) are never read: the scan stops at the first one and
//! reaches anything stored after them through the SeekHead's offsets.
//!
//! Our own reader rather than the `matroska` crate: that crate allocates whatever size an element
//! claims, asserts on SeekHead targets (a panic on hostile input), reads Attachments whole, and
//! exposes neither the Colour element nor block-addition mappings, which HDR detection needs.

use std::io::{Read, Seek};

use crate::codec;
use crate::error::Fault;
use crate::info::{
    AudioTrack, Chapter, MediaInfo, ProbeSource, SubtitleTrack, VideoTrack, bitrate_from_size,
    finish_chapters, normalize_language, normalize_title, title_words,
};
use crate::reader::{Bytes, Reader};

const EBML: u32 = 0x1A45_DFA3;
const DOC_TYPE: u32 = 0x4282;
const SEGMENT: u32 = 0x1853_8067;
const SEEK_HEAD: u32 = 0x114D_9B74;
const SEEK: u32 = 0x4DBB;
const SEEK_ID: u32 = 0x53AB;
const SEEK_POSITION: u32 = 0x53AC;
const INFO: u32 = 0x1549_A966;
const TIMESTAMP_SCALE: u32 = 0x2A_D7B1;
const DURATION: u32 = 0x4489;
const TRACKS: u32 = 0x1654_AE6B;
const TRACK_ENTRY: u32 = 0xAE;
const TRACK_NUMBER: u32 = 0xD7;
const TRACK_TYPE: u32 = 0x83;
const FLAG_ENABLED: u32 = 0xB9;
const FLAG_DEFAULT: u32 = 0x88;
const FLAG_FORCED: u32 = 0x55AA;
const FLAG_HEARING_IMPAIRED: u32 = 0x55AB;
const DEFAULT_DURATION: u32 = 0x23_E383;
const NAME: u32 = 0x536E;
const LANGUAGE: u32 = 0x22_B59C;
const LANGUAGE_BCP47: u32 = 0x22_B59D;
const CODEC_ID: u32 = 0x86;
const CODEC_PRIVATE: u32 = 0x63A2;
const BLOCK_ADDITION_MAPPING: u32 = 0x41E4;
const BLOCK_ADD_ID_TYPE: u32 = 0x41E7;
const VIDEO: u32 = 0xE0;
const PIXEL_WIDTH: u32 = 0xB0;
const PIXEL_HEIGHT: u32 = 0xBA;
const COLOUR: u32 = 0x55B0;
const BITS_PER_CHANNEL: u32 = 0x55B2;
const TRANSFER_CHARACTERISTICS: u32 = 0x55BA;
const AUDIO: u32 = 0xE1;
const SAMPLING_FREQUENCY: u32 = 0xB5;
const OUTPUT_SAMPLING_FREQUENCY: u32 = 0x78B5;
const CHANNELS: u32 = 0x9F;
const BIT_DEPTH: u32 = 0x6264;
const CHAPTERS: u32 = 0x1043_A770;
const EDITION_ENTRY: u32 = 0x45B9;
const EDITION_FLAG_DEFAULT: u32 = 0x45DB;
const CHAPTER_ATOM: u32 = 0xB6;
const CHAPTER_TIME_START: u32 = 0x91;
const CHAPTER_TIME_END: u32 = 0x92;
const CHAPTER_FLAG_HIDDEN: u32 = 0x98;
const CHAPTER_FLAG_ENABLED: u32 = 0x4598;
const CHAPTER_DISPLAY: u32 = 0x80;
const CHAP_STRING: u32 = 0x85;
const CLUSTER: u32 = 0x1F43_B675;
const SIMPLE_BLOCK: u32 = 0xA3;
const BLOCK_GROUP: u32 = 0xA0;
const BLOCK: u32 = 0xA1;

const TRACK_VIDEO: u64 = 1;
const TRACK_AUDIO: u64 = 2;
const TRACK_SUBTITLE: u64 = 17;
const TRACK_METADATA: u64 = 33;

/// Limits on what a header may make us read; real files stay far below them.
const MAX_EBML_HEADER: u64 = 64 * 1024;
const MAX_SEEK_HEAD: u64 = 1024 * 1024;
const MAX_INFO: u64 = 1024 * 1024;
const MAX_TRACKS: u64 = 16 * 1024 * 1024;
const MAX_CHAPTERS: u64 = 16 * 1024 * 1024;
/// How much of the first Cluster is read to find a VP9 frame header, when nothing else tells
/// the bit depth.
const MAX_CLUSTER_PEEK: u64 = 64 * 1024;
const MAX_TRACK_COUNT: usize = 1024;
const MAX_CHAPTER_COUNT: usize = 65_536;
/// Top-level elements looked at before the first Cluster, and elements before the Segment.
const MAX_TOP_LEVEL: usize = 4096;
const MAX_BEFORE_SEGMENT: usize = 16;

/// `DV` configuration block-addition types: `dvcC` and `dvvC`.
const DOLBY_VISION_TYPES: [u64; 2] = [0x6476_6343, 0x6476_7643];

/// Whether the first bytes are an EBML header.
pub(crate) fn sniff(magic: &[u8]) -> bool {
    magic.starts_with(&EBML.to_be_bytes())
}

/// Something that yields bytes one by one, so variable-length integers are decoded the same way
/// from the file and from element bodies already in memory.
trait ByteSource {
    fn byte(&mut self) -> Result<u8, Fault>;
}

impl<R: Read + Seek> ByteSource for Reader<R> {
    fn byte(&mut self) -> Result<u8, Fault> {
        self.read_u8()
    }
}

impl ByteSource for Bytes<'_> {
    fn byte(&mut self) -> Result<u8, Fault> {
        self.u8()
            .ok_or_else(|| Fault::corrupt("element header overruns its parent"))
    }
}

fn read_id(src: &mut impl ByteSource) -> Result<u32, Fault> {
    let first = src.byte()?;
    let len = first.leading_zeros() + 1;
    if len > 4 {
        return Err(Fault::corrupt("invalid EBML element id"));
    }
    let mut id = u32::from(first);
    for _ in 1..len {
        id = (id << 8) | u32::from(src.byte()?);
    }
    Ok(id)
}

/// An element size; `None` is the reserved "unknown size" of live streams.
fn read_size(src: &mut impl ByteSource) -> Result<Option<u64>, Fault> {
    let first = src.byte()?;
    if first == 0 {
        return Err(Fault::corrupt("invalid EBML element size"));
    }
    let len = first.leading_zeros() + 1;
    let mask = 0xFFu64 >> len;
    let mut value = u64::from(first) & mask;
    let mut all_ones = value == mask;
    for _ in 1..len {
        let byte = src.byte()?;
        all_ones &= byte == 0xFF;
        value = (value << 8) | u64::from(byte);
    }
    Ok((!all_ones).then_some(value))
}

/// The children of an element whose body is in memory.
struct Children<'a> {
    bytes: Bytes<'a>,
}

impl<'a> Children<'a> {
    fn of(body: &'a [u8]) -> Self {
        Self {
            bytes: Bytes::new(body),
        }
    }

    fn next(&mut self) -> Result<Option<(u32, &'a [u8])>, Fault> {
        if self.bytes.remaining() == 0 {
            return Ok(None);
        }
        let id = read_id(&mut self.bytes)?;
        let size = read_size(&mut self.bytes)?
            .ok_or_else(|| Fault::corrupt("unknown-size element inside a header"))?;
        let body = usize::try_from(size)
            .ok()
            .and_then(|len| self.bytes.take(len))
            .ok_or_else(|| Fault::corrupt(format!("element {id:#x} overruns its parent")))?;
        Ok(Some((id, body)))
    }
}

fn uint(body: &[u8]) -> Option<u64> {
    (body.len() <= 8).then(|| body.iter().fold(0u64, |v, b| (v << 8) | u64::from(*b)))
}

fn float(body: &[u8]) -> Option<f64> {
    match body.len() {
        0 => Some(0.0),
        4 => Some(f64::from(f32::from_be_bytes(body.try_into().ok()?))),
        8 => Some(f64::from_be_bytes(body.try_into().ok()?)),
        _ => None,
    }
    .filter(|f| f.is_finite())
}

fn string(body: &[u8]) -> String {
    let end = body.iter().position(|b| *b == 0).unwrap_or(body.len());
    String::from_utf8_lossy(body.get(..end).unwrap_or_default()).into_owned()
}

fn flag(body: &[u8]) -> Option<bool> {
    uint(body).map(|v| v != 0)
}

/// Reads a Matroska or WebM file's headers.
pub(crate) fn read<R: Read + Seek>(r: &mut Reader<R>) -> Result<MediaInfo, Fault> {
    let container = read_ebml_header(r)?;
    let (segment_start, segment_end, segment_past_eof) = find_segment(r)?;
    let mut scan = Scan {
        segment_start,
        ..Scan::default()
    };
    let truncated = scan.top_level(r, segment_end)?;
    scan.follow_seek_head(r)?;

    let Some(mut tracks) = scan.tracks.take() else {
        return Err(if truncated || segment_past_eof {
            Fault::Truncated
        } else {
            Fault::corrupt("no Tracks element")
        });
    };
    if let Some(cluster) = scan.first_cluster {
        peek_vp9_bit_depth(r, cluster, &mut tracks);
    }
    let info = scan.info.unwrap_or_default();
    let duration = info.duration_secs();
    let mut media = MediaInfo {
        container: container.to_owned(),
        duration_secs: duration,
        bitrate: bitrate_from_size(r.len(), duration),
        video: Vec::new(),
        audio: Vec::new(),
        subtitles: Vec::new(),
        chapters: scan.chapters.take().unwrap_or_default(),
        source: ProbeSource::InProcess,
    };
    finish_chapters(&mut media.chapters, duration);
    place_tracks(tracks, &mut media);
    Ok(media)
}

/// Checks the EBML header and returns the container its DocType names.
fn read_ebml_header<R: Read + Seek>(r: &mut Reader<R>) -> Result<&'static str, Fault> {
    if read_id(r)? != EBML {
        return Err(Fault::corrupt("no EBML header"));
    }
    let size = read_size(r)?.ok_or_else(|| Fault::corrupt("EBML header of unknown size"))?;
    let body = r.read_vec(size, MAX_EBML_HEADER, "EBML header")?;
    let mut doc_type = String::from("matroska");
    let mut children = Children::of(&body);
    while let Some((id, value)) = children.next()? {
        if id == DOC_TYPE {
            doc_type = string(value);
        }
    }
    match doc_type.as_str() {
        "matroska" => Ok("matroska"),
        "webm" => Ok("webm"),
        other => Err(Fault::Unsupported(format!("EBML document {other:?}"))),
    }
}

/// Finds the Segment; returns where its body starts and ends, and whether it claims to end past
/// the end of the file.
fn find_segment<R: Read + Seek>(r: &mut Reader<R>) -> Result<(u64, u64, bool), Fault> {
    for _ in 0..MAX_BEFORE_SEGMENT {
        let id = read_id(r)?;
        let size = read_size(r)?;
        if id == SEGMENT {
            let start = r.pos();
            let end = size.map_or(r.len(), |s| start.saturating_add(s));
            return Ok((start, end.min(r.len()), end > r.len()));
        }
        let size = size.ok_or_else(|| Fault::corrupt("unknown-size element before the Segment"))?;
        r.skip(size)?;
    }
    Err(Fault::corrupt("no Segment element"))
}

#[derive(Debug, Default)]
struct Scan {
    segment_start: u64,
    seeks: Vec<(u32, u64)>,
    seek_heads_read: usize,
    /// Where the first Cluster's body starts, and its size when known.
    first_cluster: Option<(u64, Option<u64>)>,
    info: Option<Info>,
    tracks: Option<Vec<Track>>,
    chapters: Option<Vec<Chapter>>,
}

impl Scan {
    /// Reads the Segment's children up to the first Cluster; returns whether the file ended first.
    fn top_level<R: Read + Seek>(&mut self, r: &mut Reader<R>, end: u64) -> Result<bool, Fault> {
        for _ in 0..MAX_TOP_LEVEL {
            if r.pos() >= end || self.complete() {
                return Ok(false);
            }
            let header = read_id(r).and_then(|id| Ok((id, read_size(r)?)));
            let (id, size) = match header {
                Ok(header) => header,
                Err(Fault::Truncated) => return Ok(true),
                Err(e) => return Err(e),
            };
            if id == CLUSTER {
                self.first_cluster = Some((r.pos(), size));
                return Ok(false);
            }
            let Some(size) = size else {
                // Only a Cluster may have an unknown size; past anything else we cannot skip.
                return Ok(false);
            };
            match id {
                SEEK_HEAD | INFO | TRACKS | CHAPTERS => self.element(r, id, size)?,
                _ => match r.skip(size) {
                    Ok(()) => {}
                    Err(Fault::Truncated) => return Ok(true),
                    Err(e) => return Err(e),
                },
            }
        }
        Ok(false)
    }

    /// Whether everything wanted is in hand and the SeekHead says there is nothing more.
    fn complete(&self) -> bool {
        let listed_chapters = self.seeks.iter().any(|(id, _)| *id == CHAPTERS);
        self.seek_heads_read > 0
            && self.info.is_some()
            && self.tracks.is_some()
            && (self.chapters.is_some() || !listed_chapters)
            && !self.tracks.iter().flatten().any(Track::needs_first_frame)
    }

    fn element<R: Read + Seek>(
        &mut self,
        r: &mut Reader<R>,
        id: u32,
        size: u64,
    ) -> Result<(), Fault> {
        match id {
            SEEK_HEAD if self.seek_heads_read < 2 => {
                let body = r.read_vec(size, MAX_SEEK_HEAD, "SeekHead")?;
                self.seek_heads_read += 1;
                self.parse_seek_head(&body)?;
            }
            INFO if self.info.is_none() => {
                let body = r.read_vec(size, MAX_INFO, "Info")?;
                self.info = Some(Info::parse(&body)?);
            }
            TRACKS if self.tracks.is_none() => {
                let body = r.read_vec(size, MAX_TRACKS, "Tracks")?;
                self.tracks = Some(parse_tracks(&body)?);
            }
            CHAPTERS if self.chapters.is_none() => {
                let body = r.read_vec(size, MAX_CHAPTERS, "Chapters")?;
                self.chapters = Some(parse_chapters(&body)?);
            }
            _ => r.skip(size)?,
        }
        Ok(())
    }

    fn parse_seek_head(&mut self, body: &[u8]) -> Result<(), Fault> {
        let mut seeks = Children::of(body);
        while let Some((id, seek)) = seeks.next()? {
            if id != SEEK {
                continue;
            }
            let (mut target, mut position) = (None, None);
            let mut fields = Children::of(seek);
            while let Some((field, value)) = fields.next()? {
                match field {
                    SEEK_ID => target = uint(value).and_then(|v| u32::try_from(v).ok()),
                    SEEK_POSITION => position = uint(value),
                    _ => {}
                }
            }
            if let (Some(target), Some(position)) = (target, position)
                && self.seeks.len() < MAX_TOP_LEVEL
            {
                self.seeks
                    .push((target, self.segment_start.saturating_add(position)));
            }
        }
        Ok(())
    }

    /// Reads what the scan did not reach (elements after the Clusters) at the SeekHead's offsets.
    fn follow_seek_head<R: Read + Seek>(&mut self, r: &mut Reader<R>) -> Result<(), Fault> {
        // One try per element kind: a hostile SeekHead could list thousands of bad targets.
        let mut tried: Vec<u32> = Vec::new();
        let mut i = 0;
        while let Some(&(id, position)) = self.seeks.get(i) {
            i += 1;
            if tried.contains(&id) {
                continue;
            }
            let missing = match id {
                INFO => self.info.is_none(),
                TRACKS => self.tracks.is_none(),
                CHAPTERS => self.chapters.is_none(),
                // A second SeekHead (mkvmerge writes one after the Clusters) may list the rest.
                SEEK_HEAD => {
                    self.seek_heads_read < 2
                        && (self.info.is_none() || self.tracks.is_none() || self.chapters.is_none())
                }
                _ => false,
            };
            if !missing {
                continue;
            }
            tried.push(id);
            match self.element_at(r, id, position) {
                Ok(()) => {}
                // Without Tracks there is nothing to show; anything else found after the
                // Clusters of a cut-off or damaged file is not worth failing over.
                Err(fault) if id == TRACKS => return Err(fault),
                Err(_) => {}
            }
        }
        Ok(())
    }

    fn element_at<R: Read + Seek>(
        &mut self,
        r: &mut Reader<R>,
        id: u32,
        position: u64,
    ) -> Result<(), Fault> {
        r.seek_to(position)?;
        let found = read_id(r)?;
        let size = read_size(r)?;
        if found != id {
            return Err(Fault::corrupt("SeekHead points at another element"));
        }
        let size = size.ok_or_else(|| Fault::corrupt("unknown-size header element"))?;
        self.element(r, id, size)
    }
}

#[derive(Debug, Default)]
struct Info {
    timestamp_scale: Option<u64>,
    duration: Option<f64>,
}

impl Info {
    fn parse(body: &[u8]) -> Result<Self, Fault> {
        let mut info = Info::default();
        let mut children = Children::of(body);
        while let Some((id, value)) = children.next()? {
            match id {
                TIMESTAMP_SCALE => info.timestamp_scale = uint(value),
                DURATION => info.duration = float(value),
                _ => {}
            }
        }
        Ok(info)
    }

    fn duration_secs(&self) -> Option<f64> {
        let scale = self.timestamp_scale.filter(|s| *s > 0).unwrap_or(1_000_000);
        let secs = self.duration? * scale as f64 / 1e9;
        (secs.is_finite() && secs >= 0.0).then_some(secs)
    }
}

#[derive(Debug)]
struct Track {
    number: Option<u64>,
    kind: u64,
    codec_id: String,
    codec: String,
    name: Option<String>,
    language: Option<String>,
    default: bool,
    forced: bool,
    hearing_impaired: bool,
    default_duration: Option<u64>,
    width: Option<u64>,
    height: Option<u64>,
    bit_depth: Option<u8>,
    transfer: Option<u64>,
    dolby_vision: bool,
    channels: Option<u64>,
    sample_rate: Option<f64>,
}

impl Track {
    /// Whether only the first frame can tell this track's bit depth (VP9 without a
    /// CodecPrivate).
    fn needs_first_frame(&self) -> bool {
        self.kind == TRACK_VIDEO && self.codec == "vp9" && self.bit_depth.is_none()
    }
}

fn parse_tracks(body: &[u8]) -> Result<Vec<Track>, Fault> {
    let mut tracks = Vec::new();
    let mut children = Children::of(body);
    while let Some((id, entry)) = children.next()? {
        if id != TRACK_ENTRY {
            continue;
        }
        if tracks.len() >= MAX_TRACK_COUNT {
            return Err(Fault::corrupt("more than 1024 tracks"));
        }
        tracks.push(parse_track(entry)?);
    }
    Ok(tracks)
}

fn parse_track(entry: &[u8]) -> Result<Track, Fault> {
    let mut number = None;
    let mut kind = 0;
    let mut codec_id = String::new();
    let mut private: &[u8] = &[];
    let mut name = None;
    let mut language = None;
    let mut bcp47 = None;
    let mut default = true;
    let mut forced = false;
    let mut hearing_impaired = false;
    let mut default_duration = None;
    let mut width = None;
    let mut height = None;
    let mut bits_per_channel = None;
    let mut transfer = None;
    let mut dolby_vision = false;
    let mut channels = None;
    let mut sample_rate = None;
    let mut output_sample_rate = None;
    let mut audio_bit_depth = None;

    let mut children = Children::of(entry);
    while let Some((id, value)) = children.next()? {
        match id {
            TRACK_NUMBER => number = uint(value),
            TRACK_TYPE => kind = uint(value).unwrap_or(0),
            CODEC_ID => codec_id = string(value),
            CODEC_PRIVATE => private = value,
            NAME => name = normalize_title(&string(value)),
            LANGUAGE => language = Some(string(value)),
            LANGUAGE_BCP47 => bcp47 = Some(string(value)),
            FLAG_DEFAULT => default = flag(value).unwrap_or(true),
            FLAG_FORCED => forced = flag(value).unwrap_or(false),
            FLAG_HEARING_IMPAIRED => hearing_impaired = flag(value).unwrap_or(false),
            FLAG_ENABLED => {}
            DEFAULT_DURATION => default_duration = uint(value),
            BLOCK_ADDITION_MAPPING => {
                let mut mapping = Children::of(value);
                while let Some((field, v)) = mapping.next()? {
                    if field == BLOCK_ADD_ID_TYPE
                        && uint(v).is_some_and(|t| DOLBY_VISION_TYPES.contains(&t))
                    {
                        dolby_vision = true;
                    }
                }
            }
            VIDEO => {
                let mut video = Children::of(value);
                while let Some((field, v)) = video.next()? {
                    match field {
                        PIXEL_WIDTH => width = uint(v),
                        PIXEL_HEIGHT => height = uint(v),
                        COLOUR => {
                            let mut colour = Children::of(v);
                            while let Some((c, cv)) = colour.next()? {
                                match c {
                                    BITS_PER_CHANNEL => bits_per_channel = uint(cv),
                                    TRANSFER_CHARACTERISTICS => transfer = uint(cv),
                                    _ => {}
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            AUDIO => {
                let mut audio = Children::of(value);
                while let Some((field, v)) = audio.next()? {
                    match field {
                        SAMPLING_FREQUENCY => sample_rate = float(v),
                        OUTPUT_SAMPLING_FREQUENCY => output_sample_rate = float(v),
                        CHANNELS => channels = uint(v),
                        BIT_DEPTH => audio_bit_depth = uint(v),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    let codec = codec::matroska_codec(&codec_id, private, audio_bit_depth);
    let bit_depth = bits_per_channel
        .and_then(|b| u8::try_from(b).ok())
        .filter(|b| *b > 0)
        .or_else(|| codec::bit_depth(&codec, private));
    if codec == "flac"
        && let Some((rate, flac_channels)) = codec::flac_streaminfo(private)
    {
        sample_rate = sample_rate.or(Some(f64::from(rate)));
        channels = channels.or(Some(u64::from(flac_channels)));
    }
    // The spec's default language is English; `und` (what muxers write when unsure) is none.
    let language = bcp47
        .filter(|l| !l.is_empty())
        .or(language)
        .unwrap_or_else(|| "eng".to_owned());
    Ok(Track {
        number,
        kind,
        codec_id,
        codec,
        name,
        language: normalize_language(&language),
        default,
        forced,
        hearing_impaired,
        default_duration,
        width,
        height,
        bit_depth,
        transfer,
        dolby_vision,
        channels,
        sample_rate: output_sample_rate.or(sample_rate),
    })
}

/// Reads VP9's bit depth from its first frame, for files (like ffmpeg 5's WebM) whose headers
/// do not say it. Best effort: a damaged cluster just leaves the depth unknown.
fn peek_vp9_bit_depth<R: Read + Seek>(
    r: &mut Reader<R>,
    (start, size): (u64, Option<u64>),
    tracks: &mut [Track],
) {
    if !tracks.iter().any(Track::needs_first_frame) {
        return;
    }
    let len = size
        .unwrap_or(u64::MAX)
        .min(r.len().saturating_sub(start))
        .min(MAX_CLUSTER_PEEK);
    let Ok(data) = r
        .seek_to(start)
        .and_then(|()| r.read_vec(len, MAX_CLUSTER_PEEK, "Cluster"))
    else {
        return;
    };
    // The prefix cuts the last element short; iteration simply ends there.
    let mut children = Children::of(&data);
    while let Ok(Some((id, body))) = children.next() {
        let block = match id {
            SIMPLE_BLOCK => Some(body),
            BLOCK_GROUP => {
                let mut group = Children::of(body);
                let mut found = None;
                while let Ok(Some((field, value))) = group.next() {
                    if field == BLOCK {
                        found = Some(value);
                    }
                }
                found
            }
            _ => None,
        };
        let Some((number, frame)) = block.and_then(block_frame) else {
            continue;
        };
        for track in tracks.iter_mut() {
            if track.needs_first_frame() && track.number == Some(number) {
                track.bit_depth = codec::vp9_frame_bit_depth(frame);
            }
        }
        if !tracks.iter().any(Track::needs_first_frame) {
            return;
        }
    }
}

/// The track number and the (unlaced) frame of a Block or SimpleBlock.
fn block_frame(block: &[u8]) -> Option<(u64, &[u8])> {
    let mut b = Bytes::new(block);
    let number = read_size(&mut b).ok()??;
    b.skip(2)?;
    let flags = b.u8()?;
    (flags & 0x06 == 0).then(|| (number, b.rest()))
}

/// Sorts tracks into the media info, numbering them as FFmpeg does: it drops tracks without a
/// codec id or of a type it does not know, so those take no index.
fn place_tracks(tracks: Vec<Track>, media: &mut MediaInfo) {
    let mut index = 0u32;
    for track in tracks {
        if track.codec_id.is_empty()
            || !matches!(
                track.kind,
                TRACK_VIDEO | TRACK_AUDIO | TRACK_SUBTITLE | TRACK_METADATA
            )
        {
            continue;
        }
        let marks = title_words(track.name.as_deref());
        match track.kind {
            TRACK_VIDEO => media.video.push(VideoTrack {
                index,
                codec: track.codec,
                width: track.width.and_then(|w| u32::try_from(w).ok()),
                height: track.height.and_then(|h| u32::try_from(h).ok()),
                frame_rate: track
                    .default_duration
                    .filter(|d| *d > 0)
                    .map(|d| 1e9 / d as f64),
                hdr: if track.dolby_vision {
                    Some("Dolby Vision".to_owned())
                } else {
                    track
                        .transfer
                        .and_then(codec::hdr_from_transfer)
                        .map(str::to_owned)
                },
                bit_depth: track.bit_depth,
                default: track.default,
            }),
            TRACK_AUDIO => media.audio.push(AudioTrack {
                index,
                codec: track.codec,
                channels: track.channels.and_then(|c| u32::try_from(c).ok()),
                sample_rate: track
                    .sample_rate
                    .filter(|r| *r >= 1.0 && *r <= f64::from(u32::MAX))
                    .map(|r| r.round() as u32),
                language: track.language,
                title: track.name,
                default: track.default,
                forced: track.forced || marks.forced,
            }),
            TRACK_SUBTITLE => media.subtitles.push(SubtitleTrack {
                index,
                codec: track.codec,
                language: track.language,
                title: track.name,
                default: track.default,
                forced: track.forced || marks.forced,
                sdh: track.hearing_impaired || marks.sdh,
            }),
            _ => {}
        }
        index += 1;
    }
}

/// The top-level chapters of the default edition (else the first), without hidden ones.
fn parse_chapters(body: &[u8]) -> Result<Vec<Chapter>, Fault> {
    let mut chosen: Option<&[u8]> = None;
    let mut editions = Children::of(body);
    while let Some((id, edition)) = editions.next()? {
        if id != EDITION_ENTRY {
            continue;
        }
        let mut is_default = false;
        let mut fields = Children::of(edition);
        while let Some((field, value)) = fields.next()? {
            if field == EDITION_FLAG_DEFAULT {
                is_default = flag(value).unwrap_or(false);
            }
        }
        if chosen.is_none() || is_default {
            chosen = Some(edition);
        }
        if is_default {
            break;
        }
    }
    let mut chapters = Vec::new();
    let Some(edition) = chosen else {
        return Ok(chapters);
    };
    let mut atoms = Children::of(edition);
    while let Some((id, atom)) = atoms.next()? {
        if id != CHAPTER_ATOM {
            continue;
        }
        if chapters.len() >= MAX_CHAPTER_COUNT {
            return Err(Fault::corrupt("more than 65536 chapters"));
        }
        if let Some(chapter) = parse_atom(atom)? {
            chapters.push(chapter);
        }
    }
    Ok(chapters)
}

fn parse_atom(atom: &[u8]) -> Result<Option<Chapter>, Fault> {
    let (mut start, mut end, mut title) = (None, None, None);
    let mut visible = true;
    let mut fields = Children::of(atom);
    while let Some((id, value)) = fields.next()? {
        match id {
            CHAPTER_TIME_START => start = uint(value),
            CHAPTER_TIME_END => end = uint(value),
            CHAPTER_FLAG_HIDDEN => visible &= !flag(value).unwrap_or(false),
            CHAPTER_FLAG_ENABLED => visible &= flag(value).unwrap_or(true),
            CHAPTER_DISPLAY if title.is_none() => {
                let mut display = Children::of(value);
                while let Some((field, v)) = display.next()? {
                    if field == CHAP_STRING {
                        title = normalize_title(&string(v));
                    }
                }
            }
            _ => {}
        }
    }
    let Some(start) = start.filter(|_| visible) else {
        return Ok(None);
    };
    // Chapter times are nanoseconds whatever the TimestampScale.
    Ok(Some(Chapter {
        start_secs: start as f64 / 1e9,
        end_secs: end.filter(|e| *e >= start).map(|e| e as f64 / 1e9),
        title,
    }))
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    /// An EBML element with a one- to four-byte id and an eight-byte size.
    fn el(id: u32, body: &[u8]) -> Vec<u8> {
        let mut out: Vec<u8> = id
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x01);
        out.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
        out.extend_from_slice(body);
        out
    }

    fn uint_el(id: u32, v: u64) -> Vec<u8> {
        el(id, &v.to_be_bytes())
    }

    fn minimal(tracks_body: &[u8]) -> Vec<u8> {
        let mut file = el(EBML, &el(DOC_TYPE, b"matroska"));
        let mut info = uint_el(TIMESTAMP_SCALE, 1_000_000);
        info.extend(el(DURATION, &2000.0f64.to_be_bytes()));
        let mut segment = el(INFO, &info);
        segment.extend(el(TRACKS, tracks_body));
        segment.extend(el(CLUSTER, &[0; 16]));
        file.extend(el(SEGMENT, &segment));
        file
    }

    fn read_bytes(data: Vec<u8>) -> Result<MediaInfo, Fault> {
        let len = data.len() as u64;
        read(&mut Reader::new(Cursor::new(data), len))
    }

    #[test]
    fn reads_a_synthetic_file() {
        let mut video = uint_el(PIXEL_WIDTH, 1920);
        video.extend(uint_el(PIXEL_HEIGHT, 1080));
        let mut colour = uint_el(BITS_PER_CHANNEL, 10);
        colour.extend(uint_el(TRANSFER_CHARACTERISTICS, 18));
        video.extend(el(COLOUR, &colour));
        let mut entry = uint_el(TRACK_TYPE, TRACK_VIDEO);
        entry.extend(el(CODEC_ID, b"V_MPEGH/ISO/HEVC"));
        entry.extend(el(VIDEO, &video));
        entry.extend(uint_el(DEFAULT_DURATION, 40_000_000));
        let media = read_bytes(minimal(&el(TRACK_ENTRY, &entry))).unwrap();
        assert_eq!(media.container, "matroska");
        assert_eq!(media.duration_secs, Some(2.0));
        let video = &media.video[0];
        assert_eq!((video.width, video.height), (Some(1920), Some(1080)));
        assert_eq!(video.codec, "hevc");
        assert_eq!(video.bit_depth, Some(10));
        assert_eq!(video.hdr.as_deref(), Some("HLG"));
        assert_eq!(video.frame_rate, Some(25.0));
        assert!(video.default);
    }

    #[test]
    fn unknown_sizes_and_absurd_sizes_do_not_panic() {
        let mut file = el(EBML, &el(DOC_TYPE, b"webm"));
        file.extend_from_slice(&[0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        file.extend_from_slice(&[0xFF, 0xFF]);
        file.extend_from_slice(&[0x16, 0x54, 0xAE, 0x6B, 0x01, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF]);
        assert!(read_bytes(file).is_err());
        assert!(matches!(
            read_bytes(vec![0x1A, 0x45, 0xDF, 0xA3]),
            Err(Fault::Truncated)
        ));
        assert!(matches!(read_bytes(vec![0; 64]), Err(Fault::Corrupt(_))));
    }

    #[test]
    fn tracks_too_large_are_refused_before_allocating() {
        let mut file = el(EBML, &el(DOC_TYPE, b"matroska"));
        let mut segment = Vec::new();
        // A Tracks element claiming 2^55 bytes.
        segment.extend_from_slice(&[0x16, 0x54, 0xAE, 0x6B, 0x01, 0x80, 0, 0, 0, 0, 0, 0]);
        file.extend(el(SEGMENT, &segment));
        assert!(matches!(read_bytes(file), Err(Fault::Corrupt(_))));
    }

    #[test]
    fn unsupported_doc_type() {
        let file = el(EBML, &el(DOC_TYPE, b"something"));
        assert!(matches!(read_bytes(file), Err(Fault::Unsupported(_))));
    }
}
