//! Codec names as FFmpeg spells them, from Matroska codec ids and MP4 sample entries, and the few
//! facts (bit depth, channels, HDR) read from codec configuration records. FFmpeg's names are
//! used so the in-process and the ffprobe readers agree and clients know them already.

use crate::reader::{Bits, Bytes};

/// FFmpeg's codec name for a Matroska `CodecID`.
pub(crate) fn matroska_codec(id: &str, private: &[u8], bit_depth: Option<u64>) -> String {
    let name = match id {
        "V_MPEG4/ISO/AVC" => "h264",
        "V_MPEGH/ISO/HEVC" => "hevc",
        "V_MPEGI/ISO/VVC" => "vvc",
        "V_AV1" => "av1",
        "V_VP9" => "vp9",
        "V_VP8" => "vp8",
        "V_MPEG2" => "mpeg2video",
        "V_MPEG1" => "mpeg1video",
        "V_MPEG4/ISO/ASP" | "V_MPEG4/ISO/SP" | "V_MPEG4/ISO/AP" => "mpeg4",
        "V_MPEG4/MS/V3" => "msmpeg4v3",
        "V_THEORA" => "theora",
        "V_PRORES" => "prores",
        "V_MJPEG" => "mjpeg",
        "V_FFV1" => "ffv1",
        "V_UNCOMPRESSED" => "rawvideo",
        "V_REAL/RV10" => "rv10",
        "V_REAL/RV20" => "rv20",
        "V_REAL/RV30" => "rv30",
        "V_REAL/RV40" => "rv40",
        "V_MS/VFW/FOURCC" => return vfw_codec(private),
        "A_AAC" => "aac",
        "A_AC3" => "ac3",
        "A_EAC3" => "eac3",
        "A_DTS" | "A_DTS/EXPRESS" | "A_DTS/LOSSLESS" => "dts",
        "A_TRUEHD" => "truehd",
        "A_MLP" => "mlp",
        "A_FLAC" => "flac",
        "A_OPUS" => "opus",
        "A_VORBIS" => "vorbis",
        "A_MPEG/L3" => "mp3",
        "A_MPEG/L2" => "mp2",
        "A_MPEG/L1" => "mp1",
        "A_ALAC" => "alac",
        "A_WAVPACK4" => "wavpack",
        "A_TTA1" => "tta",
        "A_PCM/INT/LIT" => return pcm("s", bit_depth.unwrap_or(16), "le"),
        "A_PCM/INT/BIG" => return pcm("s", bit_depth.unwrap_or(16), "be"),
        "A_PCM/FLOAT/IEEE" => return pcm("f", bit_depth.unwrap_or(32), "le"),
        "A_MS/ACM" => return acm_codec(private),
        "S_TEXT/UTF8" => "subrip",
        "S_TEXT/ASCII" => "text",
        "S_TEXT/SSA" | "S_TEXT/ASS" | "S_SSA" | "S_ASS" => "ass",
        "S_TEXT/WEBVTT" | "D_WEBVTT/SUBTITLES" | "D_WEBVTT/CAPTIONS" | "D_WEBVTT/DESCRIPTIONS" => {
            "webvtt"
        }
        "S_HDMV/PGS" => "hdmv_pgs_subtitle",
        "S_HDMV/TEXTST" => "hdmv_text_subtitle",
        "S_VOBSUB" => "dvd_subtitle",
        "S_DVBSUB" => "dvb_subtitle",
        "S_KATE" => "kate",
        "S_ARIBSUB" => "arib_caption",
        _ if id.starts_with("A_AAC/") => "aac",
        _ if id.starts_with("A_AC3/") => "ac3",
        _ => return fallback_name(id),
    };
    name.to_owned()
}

fn pcm(kind: &str, bits: u64, endian: &str) -> String {
    if bits == 8 && kind == "s" {
        return "pcm_u8".to_owned();
    }
    format!("pcm_{kind}{bits}{endian}")
}

/// Unknown ids are still worth showing, in the lower case FFmpeg names use.
fn fallback_name(id: &str) -> String {
    let name = id
        .split_once('_')
        .map_or(id, |(_, rest)| rest)
        .to_ascii_lowercase()
        .replace('/', "_");
    if name.is_empty() {
        "unknown".to_owned()
    } else {
        name
    }
}

/// `V_MS/VFW/FOURCC` carries a `BITMAPINFOHEADER` whose compression field names the codec.
fn vfw_codec(private: &[u8]) -> String {
    let fourcc = private.get(16..20).unwrap_or_default();
    let upper: Vec<u8> = fourcc.iter().map(u8::to_ascii_uppercase).collect();
    let name = match upper.as_slice() {
        b"XVID" | b"DIVX" | b"DX50" | b"FMP4" | b"MP4V" => "mpeg4",
        b"H264" | b"AVC1" | b"X264" => "h264",
        b"HEVC" | b"H265" | b"HVC1" => "hevc",
        b"DIV3" | b"MP43" => "msmpeg4v3",
        b"MP42" => "msmpeg4v2",
        b"WVC1" => "vc1",
        b"WMV3" => "wmv3",
        b"WMV2" => "wmv2",
        b"WMV1" => "wmv1",
        b"MJPG" => "mjpeg",
        b"MPG2" => "mpeg2video",
        _ => return format!("vfw_{}", String::from_utf8_lossy(fourcc).trim()),
    };
    name.to_owned()
}

/// `A_MS/ACM` carries a `WAVEFORMATEX` whose format tag names the codec.
fn acm_codec(private: &[u8]) -> String {
    let tag = Bytes::new(private).be_u16().map(u16::swap_bytes);
    let name = match tag {
        Some(0x0001) => "pcm_s16le",
        Some(0x0003) => "pcm_f32le",
        Some(0x0050) => "mp2",
        Some(0x0055) => "mp3",
        Some(0x00FF | 0x1600 | 0x1601 | 0x706D) => "aac",
        Some(0x0160) => "wmav1",
        Some(0x0161) => "wmav2",
        Some(0x0162) => "wmapro",
        Some(0x2000) => "ac3",
        Some(0x2001) => "dts",
        Some(0xF1AC) => "flac",
        _ => "unknown",
    };
    name.to_owned()
}

/// FFmpeg's codec name for an MP4 sample entry, given the object type from its `esds` if any.
pub(crate) fn mp4_codec(fourcc: [u8; 4], object_type: Option<u8>) -> String {
    let name = match &fourcc {
        b"avc1" | b"avc2" | b"avc3" | b"avc4" | b"dvav" | b"dva1" | b"ai5p" | b"ai5q" | b"ai52"
        | b"ai53" | b"ai55" | b"ai56" | b"ai1p" | b"ai1q" | b"ai12" | b"ai13" | b"ai15"
        | b"ai16" | b"AVin" => "h264",
        b"hvc1" | b"hev1" | b"dvh1" | b"dvhe" => "hevc",
        b"vvc1" | b"vvi1" => "vvc",
        b"av01" | b"dav1" => "av1",
        b"vp09" => "vp9",
        b"vp08" => "vp8",
        b"mp4v" => match object_type {
            Some(0x60..=0x65) => "mpeg2video",
            Some(0x6A) => "mpeg1video",
            Some(0x6C) => "mjpeg",
            Some(0x21) => "h264",
            _ => "mpeg4",
        },
        b"apch" | b"apcn" | b"apcs" | b"apco" | b"ap4h" | b"ap4x" => "prores",
        b"jpeg" | b"mjpa" | b"mjpb" => "mjpeg",
        b"mjp2" => "jpeg2000",
        b"s263" | b"h263" | b"H263" => "h263",
        b"png " => "png",
        b"raw " => "rawvideo",
        b"dvc " | b"dvcp" | b"dv5n" | b"dv5p" | b"dvpp" => "dvvideo",
        b"xvid" | b"XVID" | b"DIVX" | b"FMP4" => "mpeg4",
        b"mp2v" | b"mpg2" | b"m2v1" => "mpeg2video",
        [b'x', b'd', b'v', _]
        | [b'h', b'd', b'v', _]
        | [b'x', b'd', b'5', _]
        | [b'm', b'x', _, b'p']
        | [b'm', b'x', _, b'n'] => "mpeg2video",
        b"mp4a" => match object_type {
            Some(0x69 | 0x6B) => "mp3",
            Some(0xA5) => "ac3",
            Some(0xA6) => "eac3",
            Some(0xA9..=0xAC) => "dts",
            Some(0xDD) => "vorbis",
            Some(0xE1) => "qcelp",
            _ => "aac",
        },
        b"ac-3" | b"sac3" => "ac3",
        b"ec-3" => "eac3",
        b"ac-4" => "ac4",
        b"dtsc" | b"dtsh" | b"dtsl" | b"dtse" | b"dtsx" | b"dts+" | b"dts-" => "dts",
        b"mlpa" => "truehd",
        b"fLaC" => "flac",
        b"Opus" => "opus",
        b"alac" => "alac",
        b".mp3" => "mp3",
        b".mp2" => "mp2",
        b"samr" => "amr_nb",
        b"sawb" => "amr_wb",
        b"sowt" => "pcm_s16le",
        b"twos" => "pcm_s16be",
        b"in24" => "pcm_s24be",
        b"in32" => "pcm_s32be",
        b"fl32" => "pcm_f32be",
        b"fl64" => "pcm_f64be",
        b"lpcm" | b"ipcm" => "pcm_s16le",
        b"ulaw" => "pcm_mulaw",
        b"alaw" => "pcm_alaw",
        b"ima4" => "adpcm_ima_qt",
        b"tx3g" | b"text" => "mov_text",
        b"wvtt" => "webvtt",
        b"stpp" => "ttml",
        b"c608" => "eia_608",
        b"mp4s" => "dvd_subtitle",
        _ => return String::from_utf8_lossy(&fourcc).trim().to_ascii_lowercase(),
    };
    name.to_owned()
}

/// The HDR format a colour transfer characteristic (ITU-T H.273) implies.
pub(crate) fn hdr_from_transfer(transfer: u64) -> Option<&'static str> {
    match transfer {
        16 => Some("HDR10"),
        18 => Some("HLG"),
        _ => None,
    }
}

/// The Dolby Vision configuration box and block-addition types (`dvcC`, `dvvC`, `dvwC`).
pub(crate) fn is_dolby_vision_config(fourcc: &[u8; 4]) -> bool {
    matches!(fourcc, b"dvcC" | b"dvvC" | b"dvwC")
}

/// Luma bit depth from an `avcC` record: 8 unless a high profile's SPS says otherwise.
pub(crate) fn avc_bit_depth(avcc: &[u8]) -> Option<u8> {
    let mut b = Bytes::new(avcc);
    b.skip(5)?;
    let sps_count = b.u8()? & 0x1F;
    if sps_count == 0 {
        return None;
    }
    let len = usize::from(b.be_u16()?);
    let sps = b.take(len)?;
    sps_bit_depth(sps)
}

fn sps_bit_depth(nal: &[u8]) -> Option<u8> {
    // The fields we need sit in the first bytes; emulation prevention bytes (00 00 03) may
    // still appear there, so they are removed first.
    let mut rbsp = Vec::with_capacity(nal.len().min(64));
    let mut zeros = 0;
    for &byte in nal.iter().skip(1).take(64) {
        if zeros >= 2 && byte == 3 {
            zeros = 0;
            continue;
        }
        zeros = if byte == 0 { zeros + 1 } else { 0 };
        rbsp.push(byte);
    }
    let mut bits = Bits::new(&rbsp);
    let profile = bits.read(8)?;
    // Only the high profiles code a bit depth; all others are 8-bit.
    if !matches!(
        profile,
        100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135
    ) {
        return Some(8);
    }
    bits.read(16)?;
    bits.read_ue()?;
    let chroma_format = bits.read_ue()?;
    if chroma_format == 3 {
        bits.read(1)?;
    }
    let luma = bits.read_ue()?;
    u8::try_from(luma).ok()?.checked_add(8)
}

/// Luma bit depth from an `hvcC` record.
pub(crate) fn hevc_bit_depth(hvcc: &[u8]) -> Option<u8> {
    hvcc.get(17).map(|b| (b & 0x07) + 8)
}

/// Bit depth from an `av1C` record.
pub(crate) fn av1_bit_depth(av1c: &[u8]) -> Option<u8> {
    let flags = *av1c.get(2)?;
    let high = flags & 0x40 != 0;
    let twelve = flags & 0x20 != 0;
    Some(match (high, twelve) {
        (true, true) => 12,
        (true, false) => 10,
        _ => 8,
    })
}

/// Bit depth and transfer characteristic from an MP4 `vpcC` (version 1) record.
pub(crate) fn vpcc_info(vpcc: &[u8]) -> (Option<u8>, Option<u64>) {
    let bit_depth = vpcc.get(6).map(|b| b >> 4).filter(|d| *d > 0);
    let transfer = vpcc.get(8).map(|t| u64::from(*t));
    (bit_depth, transfer)
}

/// Bit depth from the feature list Matroska stores as VP9's `CodecPrivate`.
pub(crate) fn vp9_private_bit_depth(private: &[u8]) -> Option<u8> {
    let mut b = Bytes::new(private);
    while b.remaining() >= 2 {
        let id = b.u8()?;
        let len = usize::from(b.u8()?);
        let value = b.take(len)?;
        if id == 3 && len == 1 {
            return value.first().copied();
        }
    }
    None
}

/// Bit depth from a codec's private data, whatever the codec.
pub(crate) fn bit_depth(codec: &str, config: &[u8]) -> Option<u8> {
    match codec {
        "h264" => avc_bit_depth(config),
        "hevc" => hevc_bit_depth(config),
        "av1" => av1_bit_depth(config),
        "vp9" => vp9_private_bit_depth(config),
        other => fixed_bit_depth(other),
    }
}

/// Codecs that only ever carry 8-bit video, so no configuration needs reading.
pub(crate) fn fixed_bit_depth(codec: &str) -> Option<u8> {
    matches!(
        codec,
        "mpeg4"
            | "mpeg2video"
            | "mpeg1video"
            | "h263"
            | "msmpeg4v2"
            | "msmpeg4v3"
            | "vp8"
            | "theora"
            | "vc1"
            | "wmv1"
            | "wmv2"
            | "wmv3"
            | "rv10"
            | "rv20"
            | "rv30"
            | "rv40"
    )
    .then_some(8)
}

/// Bit depth from a VP9 frame's uncompressed header (VP9 bitstream spec 6.2): profiles 0 and 1
/// are 8-bit; 2 and 3 say 10 or 12 in a key frame's colour config.
pub(crate) fn vp9_frame_bit_depth(frame: &[u8]) -> Option<u8> {
    let mut bits = Bits::new(frame);
    if bits.read(2)? != 2 {
        return None;
    }
    let low = bits.read(1)?;
    let profile = (bits.read(1)? << 1) | low;
    if profile < 2 {
        return Some(8);
    }
    if profile == 3 {
        bits.read(1)?;
    }
    if bits.read(1)? == 1 {
        return None;
    }
    let frame_type = bits.read(1)?;
    bits.read(2)?;
    if frame_type != 0 || bits.read(24)? != 0x49_8342 {
        return None;
    }
    Some(if bits.read(1)? == 1 { 12 } else { 10 })
}

/// Channels from an `dac3` box body (ETSI TS 102 366 F.4).
pub(crate) fn ac3_channels(dac3: &[u8]) -> Option<u32> {
    let mut bits = Bits::new(dac3);
    bits.read(2 + 5 + 3)?;
    let acmod = bits.read(3)?;
    let lfe = bits.read(1)?;
    Some(acmod_channels(acmod)? + lfe as u32)
}

/// Channels of the first independent substream of a `dec3` box body (ETSI TS 102 366 F.6).
pub(crate) fn eac3_channels(dec3: &[u8]) -> Option<u32> {
    let mut bits = Bits::new(dec3);
    bits.read(13 + 3)?;
    bits.read(2 + 5 + 1 + 1 + 3)?;
    let acmod = bits.read(3)?;
    let lfe = bits.read(1)?;
    bits.read(3)?;
    let dependents = bits.read(4)?;
    let extra = if dependents > 0 {
        let locations = bits.read(9)?;
        // Each chan_loc bit adds a pair of channels except the single centre ones.
        (0..9).fold(0u32, |sum, bit| {
            if locations & (1 << bit) == 0 {
                sum
            } else if matches!(bit, 3 | 4 | 8) {
                sum + 1
            } else {
                sum + 2
            }
        })
    } else {
        0
    };
    Some(acmod_channels(acmod)? + lfe as u32 + extra)
}

fn acmod_channels(acmod: u64) -> Option<u32> {
    [2u32, 1, 2, 3, 3, 4, 4, 5]
        .get(usize::try_from(acmod).ok()?)
        .copied()
}

/// Output channels and input sample rate from a `dOps` box body.
pub(crate) fn opus_channels(dops: &[u8]) -> Option<u32> {
    dops.get(1).map(|c| u32::from(*c)).filter(|c| *c > 0)
}

/// Sample rate and channels from a FLAC `STREAMINFO` block, as MP4's `dfLa` and Matroska's
/// `CodecPrivate` (after the `fLaC` marker) carry it.
pub(crate) fn flac_streaminfo(blocks: &[u8]) -> Option<(u32, u32)> {
    let mut b = Bytes::new(blocks);
    if blocks.starts_with(b"fLaC") {
        b.skip(4)?;
    }
    let header = b.u8()?;
    if header & 0x7F != 0 {
        return None;
    }
    b.skip(3)?;
    let info = b.take(18)?;
    let mut bits = Bits::new(info);
    bits.read(16 + 16 + 24 + 24)?;
    let rate = bits.read(20)?;
    let channels = bits.read(3)? + 1;
    Some((u32::try_from(rate).ok()?, u32::try_from(channels).ok()?))
}

/// What an `esds` descriptor tells: the object type and, for AAC, channels and sample rate.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Esds {
    pub(crate) object_type: Option<u8>,
    pub(crate) channels: Option<u32>,
    pub(crate) sample_rate: Option<u32>,
}

/// Parses an `esds` box body (after version and flags): ES_Descriptor → DecoderConfigDescriptor
/// → DecoderSpecificInfo (ISO/IEC 14496-1).
pub(crate) fn parse_esds(body: &[u8]) -> Esds {
    let mut out = Esds::default();
    let mut b = Bytes::new(body);
    let Some((tag, _)) = descriptor(&mut b) else {
        return out;
    };
    if tag == 0x03 {
        let Some(flags) = b.skip(2).and_then(|()| b.u8()) else {
            return out;
        };
        if flags & 0x80 != 0 && b.skip(2).is_none() {
            return out;
        }
        if flags & 0x40 != 0 {
            let Some(len) = b.u8() else { return out };
            if b.skip(usize::from(len)).is_none() {
                return out;
            }
        }
        if flags & 0x20 != 0 && b.skip(2).is_none() {
            return out;
        }
        let Some((tag, _)) = descriptor(&mut b) else {
            return out;
        };
        if tag != 0x04 {
            return out;
        }
    } else if tag != 0x04 {
        return out;
    }
    out.object_type = b.u8();
    if b.skip(12).is_none() {
        return out;
    }
    if let Some((0x05, len)) = descriptor(&mut b)
        && let Some(config) = b.take(len)
        && matches!(out.object_type, Some(0x40 | 0x66 | 0x67 | 0x68))
    {
        let (rate, channels) = audio_specific_config(config);
        out.sample_rate = rate;
        out.channels = channels;
    }
    out
}

fn descriptor(b: &mut Bytes<'_>) -> Option<(u8, usize)> {
    let tag = b.u8()?;
    let mut len = 0usize;
    for _ in 0..4 {
        let byte = b.u8()?;
        len = (len << 7) | usize::from(byte & 0x7F);
        if byte & 0x80 == 0 {
            break;
        }
    }
    Some((tag, len))
}

const AAC_RATES: [u32; 13] = [
    96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

/// Sample rate and channels from an AAC `AudioSpecificConfig`.
pub(crate) fn audio_specific_config(config: &[u8]) -> (Option<u32>, Option<u32>) {
    let mut bits = Bits::new(config);
    let Some(object) = bits.read(5) else {
        return (None, None);
    };
    if object == 31 && bits.read(6).is_none() {
        return (None, None);
    }
    let rate = match bits.read(4) {
        Some(15) => bits.read(24).and_then(|r| u32::try_from(r).ok()),
        Some(index) => usize::try_from(index)
            .ok()
            .and_then(|i| AAC_RATES.get(i).copied()),
        None => None,
    };
    let channels = match bits.read(4) {
        Some(c @ 1..=6) => Some(c as u32),
        Some(7) => Some(8),
        _ => None,
    };
    (rate, channels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matroska_ids_map_to_ffmpeg_names() {
        assert_eq!(matroska_codec("V_MPEG4/ISO/AVC", &[], None), "h264");
        assert_eq!(matroska_codec("A_AAC/MPEG4/LC", &[], None), "aac");
        assert_eq!(matroska_codec("A_PCM/INT/LIT", &[], Some(24)), "pcm_s24le");
        assert_eq!(matroska_codec("S_HDMV/PGS", &[], None), "hdmv_pgs_subtitle");
        assert_eq!(
            matroska_codec("V_SOMETHING/NEW", &[], None),
            "something_new"
        );
        assert_eq!(matroska_codec("", &[], None), "unknown");
        let mut bih = vec![0u8; 40];
        bih[16..20].copy_from_slice(b"XVID");
        assert_eq!(matroska_codec("V_MS/VFW/FOURCC", &bih, None), "mpeg4");
        assert_eq!(matroska_codec("A_MS/ACM", &[0x00, 0x20], None), "ac3");
    }

    #[test]
    fn sample_entries_map_to_ffmpeg_names() {
        assert_eq!(mp4_codec(*b"hvc1", None), "hevc");
        assert_eq!(mp4_codec(*b"mp4a", Some(0x40)), "aac");
        assert_eq!(mp4_codec(*b"mp4a", Some(0x6B)), "mp3");
        assert_eq!(mp4_codec(*b"xdv7", None), "mpeg2video");
        assert_eq!(mp4_codec(*b"zzzz", None), "zzzz");
    }

    #[test]
    fn vp9_frame_headers() {
        // frame_marker 2, profile 0.
        assert_eq!(vp9_frame_bit_depth(&[0b1000_0010]), Some(8));
        // Profile 2 key frame: marker, profile bits (low 0, high 1), show_existing 0,
        // frame_type 0, show_frame 1, error_resilient 0, sync code, ten_or_twelve 0.
        let mut bits: Vec<bool> = vec![true, false, false, true, false, false, true, false];
        for i in (0..24).rev() {
            bits.push((0x49_8342u32 >> i) & 1 == 1);
        }
        bits.push(true);
        let bytes: Vec<u8> = bits
            .chunks(8)
            .map(|c| {
                c.iter()
                    .enumerate()
                    .fold(0u8, |b, (i, bit)| b | (u8::from(*bit) << (7 - i)))
            })
            .collect();
        assert_eq!(vp9_frame_bit_depth(&bytes), Some(12));
        assert_eq!(vp9_frame_bit_depth(&[0]), None);
    }

    #[test]
    fn aac_config() {
        // AAC LC, 48 kHz, stereo.
        assert_eq!(audio_specific_config(&[0x11, 0x90]), (Some(48000), Some(2)));
        assert_eq!(audio_specific_config(&[]), (None, None));
    }

    #[test]
    fn ac3_config() {
        // fscod 0, bsid 8, bsmod 0, acmod 7 (3/2), lfe 1.
        let dac3 = [0b0001_0000, 0b0011_1100, 0];
        assert_eq!(ac3_channels(&dac3), Some(6));
        assert_eq!(ac3_channels(&[]), None);
    }

    #[test]
    fn avc_high10_is_ten_bits() {
        // SPS: nal header, profile 110, constraints, level, ue(0)=1, ue(1)=010 chroma 4:2:0,
        // ue(2)=011 luma depth - 8.
        let sps = [0x67, 110, 0, 30, 0b1010_0110];
        let mut avcc = vec![1, 110, 0, 30, 0xFF, 0xE1, 0, sps.len() as u8];
        avcc.extend_from_slice(&sps);
        assert_eq!(avc_bit_depth(&avcc), Some(10));
        let baseline = [1, 66, 0, 30, 0xFF, 0xE1, 0, 4, 0x67, 66, 0, 30];
        assert_eq!(avc_bit_depth(&baseline), Some(8));
        assert_eq!(avc_bit_depth(&[1, 2]), None);
    }

    #[test]
    fn esds_descriptor_chain() {
        let asc = [0x11, 0x90];
        let mut dcd = vec![0x40, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        dcd.extend_from_slice(&[0x05, asc.len() as u8]);
        dcd.extend_from_slice(&asc);
        let mut es = vec![
            0x03,
            (3 + 2 + dcd.len()) as u8,
            0,
            1,
            0,
            0x04,
            dcd.len() as u8,
        ];
        es.extend_from_slice(&dcd);
        let esds = parse_esds(&es);
        assert_eq!(esds.object_type, Some(0x40));
        assert_eq!(esds.channels, Some(2));
        assert_eq!(esds.sample_rate, Some(48000));
        let garbage = parse_esds(&[0x03, 0xFF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(garbage.object_type, None);
    }
}
