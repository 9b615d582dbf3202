//! Minimal valid tagged audio files written byte by byte: MP3 (ID3v2.4 + MPEG-1 Layer III
//! frames), FLAC (STREAMINFO, VORBIS_COMMENT, PICTURE, constant-subframe frames with their CRCs),
//! Ogg Opus (OpusHead, OpusTags, audio pages with their CRCs) and M4A (AAC track + iTunes
//! `ilst` tags). About one second of silence each.

use super::video::{audio_trak, ftyp, full_box, hdlr, moov, mp4_box};

/// The tags every generated track carries.
#[derive(Debug, Clone)]
pub struct Tags {
    /// Track title.
    pub title: String,
    /// Track artist.
    pub artist: String,
    /// Album artist.
    pub album_artist: String,
    /// Album title.
    pub album: String,
    /// Release year.
    pub year: u16,
    /// Track number on the disc.
    pub track: u16,
    /// Tracks on the disc.
    pub track_total: u16,
    /// Disc number.
    pub disc: u16,
    /// Genre.
    pub genre: String,
}

/// The audio formats generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// MPEG-1 Layer III with ID3v2.4.
    Mp3,
    /// FLAC with Vorbis comments and an embedded picture.
    Flac,
    /// Opus in Ogg.
    Opus,
    /// AAC in MP4 with iTunes tags.
    M4a,
}

impl Format {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Mp3 => "mp3",
            Self::Flac => "flac",
            Self::Opus => "opus",
            Self::M4a => "m4a",
        }
    }

    /// A file of this format with `tags`, and `cover` (a JPEG) embedded where the format allows.
    pub fn write(self, tags: &Tags, cover: Option<&[u8]>) -> Vec<u8> {
        match self {
            Self::Mp3 => mp3(tags, cover),
            Self::Flac => flac(tags, cover),
            Self::Opus => opus(tags),
            Self::M4a => m4a(tags, cover),
        }
    }
}

fn syncsafe(n: usize) -> [u8; 4] {
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    [
        ((n >> 21) & 0x7F) as u8,
        ((n >> 14) & 0x7F) as u8,
        ((n >> 7) & 0x7F) as u8,
        (n & 0x7F) as u8,
    ]
}

fn id3_frame(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = id.to_vec();
    out.extend_from_slice(&syncsafe(body.len()));
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(body);
    out
}

fn id3_text(id: &[u8; 4], value: &str) -> Vec<u8> {
    let mut body = vec![3];
    body.extend_from_slice(value.as_bytes());
    id3_frame(id, &body)
}

/// An ID3v2.4 tag then 38 silent 128 kb/s 44.1 kHz frames (~1 s).
pub fn mp3(tags: &Tags, cover: Option<&[u8]>) -> Vec<u8> {
    let mut frames = [
        id3_text(b"TIT2", &tags.title),
        id3_text(b"TPE1", &tags.artist),
        id3_text(b"TPE2", &tags.album_artist),
        id3_text(b"TALB", &tags.album),
        id3_text(b"TDRC", &tags.year.to_string()),
        id3_text(b"TRCK", &format!("{}/{}", tags.track, tags.track_total)),
        id3_text(b"TPOS", &tags.disc.to_string()),
        id3_text(b"TCON", &tags.genre),
    ]
    .concat();
    if let Some(jpeg) = cover {
        let mut body = vec![3];
        body.extend_from_slice(b"image/jpeg\0");
        body.push(3);
        body.push(0);
        body.extend_from_slice(jpeg);
        frames.extend_from_slice(&id3_frame(b"APIC", &body));
    }
    let mut out = b"ID3\x04\x00\x00".to_vec();
    out.extend_from_slice(&syncsafe(frames.len()));
    out.extend_from_slice(&frames);
    for _ in 0..38 {
        out.extend_from_slice(&[0xFF, 0xFB, 0x90, 0x00]);
        out.extend_from_slice(&[0; 417 - 4]);
    }
    out
}

fn crc8(data: &[u8]) -> u8 {
    let mut crc = 0u8;
    for byte in data {
        crc ^= byte;
        for _ in 0..8 {
            crc = if crc & 0x80 != 0 {
                (crc << 1) ^ 0x07
            } else {
                crc << 1
            };
        }
    }
    crc
}

fn crc16(data: &[u8]) -> u16 {
    let mut crc = 0u16;
    for byte in data {
        crc ^= u16::from(*byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x8005
            } else {
                crc << 1
            };
        }
    }
    crc
}

fn flac_block(kind: u8, last: bool, body: &[u8]) -> Vec<u8> {
    let len = u32::try_from(body.len())
        .unwrap_or(0x00FF_FFFF)
        .min(0x00FF_FFFF);
    let mut out = vec![kind | if last { 0x80 } else { 0 }];
    out.extend_from_slice(&len.to_be_bytes()[1..]);
    out.extend_from_slice(body);
    out
}

/// Vorbis comments (`KEY=value`), as FLAC and OpusTags hold them.
fn vorbis_comments(tags: &Tags) -> Vec<u8> {
    let comments = [
        format!("TITLE={}", tags.title),
        format!("ARTIST={}", tags.artist),
        format!("ALBUMARTIST={}", tags.album_artist),
        format!("ALBUM={}", tags.album),
        format!("DATE={}", tags.year),
        format!("TRACKNUMBER={}", tags.track),
        format!("TRACKTOTAL={}", tags.track_total),
        format!("DISCNUMBER={}", tags.disc),
        format!("GENRE={}", tags.genre),
    ];
    let vendor = b"revenge-xtask";
    let mut out = (vendor.len() as u32).to_le_bytes().to_vec();
    out.extend_from_slice(vendor);
    out.extend_from_slice(&(comments.len() as u32).to_le_bytes());
    for comment in comments {
        out.extend_from_slice(&(comment.len() as u32).to_le_bytes());
        out.extend_from_slice(comment.as_bytes());
    }
    out
}

const FLAC_FRAMES: u8 = 11;
const FLAC_BLOCK: u64 = 4096;

/// `fLaC`, STREAMINFO, VORBIS_COMMENT, PICTURE and 11 frames of 4096 silent stereo samples.
pub fn flac(tags: &Tags, cover: Option<&[u8]>) -> Vec<u8> {
    let total_samples = u64::from(FLAC_FRAMES) * FLAC_BLOCK;
    let mut info = Vec::new();
    info.extend_from_slice(&(FLAC_BLOCK as u16).to_be_bytes());
    info.extend_from_slice(&(FLAC_BLOCK as u16).to_be_bytes());
    info.extend_from_slice(&[0; 6]);
    let packed: u64 = (44_100u64 << 44) | (1u64 << 41) | (15u64 << 36) | total_samples;
    info.extend_from_slice(&packed.to_be_bytes());
    info.extend_from_slice(&[0; 16]);
    let mut out = b"fLaC".to_vec();
    out.extend_from_slice(&flac_block(0, false, &info));
    out.extend_from_slice(&flac_block(4, cover.is_none(), &vorbis_comments(tags)));
    if let Some(jpeg) = cover {
        let mut picture = Vec::new();
        picture.extend_from_slice(&3u32.to_be_bytes());
        picture.extend_from_slice(&10u32.to_be_bytes());
        picture.extend_from_slice(b"image/jpeg");
        picture.extend_from_slice(&0u32.to_be_bytes());
        for value in [32u32, 32, 24, 0] {
            picture.extend_from_slice(&value.to_be_bytes());
        }
        picture.extend_from_slice(&(jpeg.len() as u32).to_be_bytes());
        picture.extend_from_slice(jpeg);
        out.extend_from_slice(&flac_block(6, true, &picture));
    }
    for number in 0..FLAC_FRAMES {
        // Sync + fixed blocking, 4096 samples, 44.1 kHz, stereo, 16 bits, frame number.
        let mut frame = vec![0xFF, 0xF8, 0xC9, 0x18, number];
        frame.push(crc8(&frame));
        // Two CONSTANT subframes of value 0.
        frame.extend_from_slice(&[0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
        let crc = crc16(&frame);
        frame.extend_from_slice(&crc.to_be_bytes());
        out.extend_from_slice(&frame);
    }
    out
}

fn ogg_crc(data: &[u8]) -> u32 {
    let mut crc = 0u32;
    for byte in data {
        crc ^= u32::from(*byte) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04C1_1DB7
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// One Ogg page holding whole `packets` (each under 255 × 255 bytes).
fn ogg_page(flags: u8, granule: u64, sequence: u32, packets: &[&[u8]]) -> Vec<u8> {
    let mut lacing = Vec::new();
    for packet in packets {
        let mut left = packet.len();
        while left >= 255 {
            lacing.push(255);
            left -= 255;
        }
        lacing.push(left as u8);
    }
    let mut page = b"OggS\x00".to_vec();
    page.push(flags);
    page.extend_from_slice(&granule.to_le_bytes());
    page.extend_from_slice(&0x5245_5645u32.to_le_bytes());
    page.extend_from_slice(&sequence.to_le_bytes());
    page.extend_from_slice(&[0; 4]);
    page.push(lacing.len() as u8);
    page.extend_from_slice(&lacing);
    for packet in packets {
        page.extend_from_slice(packet);
    }
    let crc = ogg_crc(&page);
    page[22..26].copy_from_slice(&crc.to_le_bytes());
    page
}

const OPUS_PRE_SKIP: u64 = 312;

/// OpusHead, OpusTags and one page of 50 empty 20 ms packets (1 s).
pub fn opus(tags: &Tags) -> Vec<u8> {
    let mut head = b"OpusHead\x01\x02".to_vec();
    head.extend_from_slice(&(OPUS_PRE_SKIP as u16).to_le_bytes());
    head.extend_from_slice(&48_000u32.to_le_bytes());
    head.extend_from_slice(&[0, 0, 0]);
    let mut comments = b"OpusTags".to_vec();
    comments.extend_from_slice(&vorbis_comments(tags));
    // CELT fullband 20 ms stereo, one frame of zero bytes (silence).
    let packet: &[u8] = &[0xFC];
    let packets = vec![packet; 50];
    [
        ogg_page(0x02, 0, 0, &[&head]),
        ogg_page(0x00, 0, 1, &[&comments]),
        ogg_page(0x04, OPUS_PRE_SKIP + 48_000, 2, &packets),
    ]
    .concat()
}

fn ilst_item(kind: &[u8; 4], data_type: u32, value: &[u8]) -> Vec<u8> {
    let mut data = data_type.to_be_bytes().to_vec();
    data.extend_from_slice(&[0; 4]);
    data.extend_from_slice(value);
    mp4_box(kind, &mp4_box(b"data", &data))
}

/// An M4A: ftyp `M4A `, moov with one AAC track and `udta/meta/ilst` tags, an empty mdat.
pub fn m4a(tags: &Tags, cover: Option<&[u8]>) -> Vec<u8> {
    let mut trkn = vec![0, 0];
    trkn.extend_from_slice(&tags.track.to_be_bytes());
    trkn.extend_from_slice(&tags.track_total.to_be_bytes());
    trkn.extend_from_slice(&[0, 0]);
    let mut disk = vec![0, 0];
    disk.extend_from_slice(&tags.disc.to_be_bytes());
    disk.extend_from_slice(&[0, 0]);
    let mut items = [
        ilst_item(b"\xA9nam", 1, tags.title.as_bytes()),
        ilst_item(b"\xA9ART", 1, tags.artist.as_bytes()),
        ilst_item(b"aART", 1, tags.album_artist.as_bytes()),
        ilst_item(b"\xA9alb", 1, tags.album.as_bytes()),
        ilst_item(b"\xA9day", 1, tags.year.to_string().as_bytes()),
        ilst_item(b"\xA9gen", 1, tags.genre.as_bytes()),
        ilst_item(b"trkn", 0, &trkn),
        ilst_item(b"disk", 0, &disk),
    ]
    .concat();
    if let Some(jpeg) = cover {
        items.extend_from_slice(&ilst_item(b"covr", 13, jpeg));
    }
    let meta = full_box(
        b"meta",
        0,
        &[hdlr(b"mdir", ""), mp4_box(b"ilst", &items)].concat(),
    );
    let udta = mp4_box(b"udta", &meta);
    [
        ftyp(b"M4A ", &[b"M4A ", b"mp42", b"isom"]),
        moov(1000, &[audio_trak(1, 1000, "und")], &udta),
        mp4_box(b"mdat", &[]),
    ]
    .concat()
}
