//! Test media made with ffmpeg at test time, once per test binary, in parallel: real files from
//! the real muxers, small enough (two seconds, 320×240) to make in a few seconds.

#![allow(dead_code, reason = "each test binary uses part of it")]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Where the fixtures are and which tools made them.
pub struct Fixtures {
    pub root: PathBuf,
    pub ffprobe: PathBuf,
    /// A stand-in ffprobe that runs the real one after leaving a mark beside the probed file
    /// (see [`ffprobe_ran`]).
    pub spy: PathBuf,
    pub has_x265: bool,
}

impl Fixtures {
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
}

/// The mark the spy ffprobe leaves when it probes `media`.
pub fn ffprobe_ran(media: &Path) -> bool {
    let mut marker = media.as_os_str().to_owned();
    marker.push(".ffprobe-ran");
    Path::new(&marker).exists()
}

/// A tool on `PATH`. ffmpeg and ffprobe are required: CI installs them, and a run without them
/// must fail rather than pass having tested nothing.
pub fn tool(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true");
            panic!(
                "{name} is not on PATH; these tests need ffmpeg and ffprobe (apt-get install \
                 ffmpeg){}",
                if ci { " and CI must install them" } else { "" }
            )
        })
}

const SRT: &str =
    "1\n00:00:00,500 --> 00:00:01,200\nHello\n\n2\n00:00:01,300 --> 00:00:01,900\nWorld\n";

const CHAPTERS: &str = ";FFMETADATA1\n\
[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=800\ntitle=Opening\n\
[CHAPTER]\nTIMEBASE=1/1000\nSTART=800\nEND=2000\ntitle=Main Part\n";

const VIDEO: &str = "testsrc2=size=320x240:rate=25:duration=2";
const TONE: &str = "sine=frequency=440:sample_rate=48000:duration=2";
const TONE2: &str = "sine=frequency=660:sample_rate=44100:duration=2";

/// Every fixture: file name and ffmpeg arguments (inputs are relative to the fixture folder).
fn recipes(has_x265: bool) -> Vec<(&'static str, Vec<String>)> {
    let lavfi = |source: &str| {
        vec![
            "-f".to_owned(),
            "lavfi".to_owned(),
            "-i".to_owned(),
            source.to_owned(),
        ]
    };
    let args = |parts: &[&str]| parts.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let x264 = args(&[
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
    ]);

    let mut list = Vec::new();

    // Matroska: H.264 + AAC + SRT with languages, titles, SDH flag and chapters.
    let mut a = lavfi(VIDEO);
    a.extend(lavfi(TONE));
    a.extend(args(&["-i", "subs.srt", "-i", "chapters.txt"]));
    a.extend(args(&[
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-map",
        "2:s",
        "-map_chapters",
        "3",
    ]));
    a.extend(x264.clone());
    a.extend(args(&["-c:a", "aac", "-c:s", "srt"]));
    a.extend(args(&[
        "-metadata:s:a:0",
        "language=eng",
        "-metadata:s:a:0",
        "title=Main Audio",
        "-metadata:s:s:0",
        "language=eng",
        "-metadata:s:s:0",
        "title=English",
        "-disposition:v:0",
        "default",
        "-disposition:a:0",
        "default",
        "-disposition:s:0",
        "hearing_impaired",
    ]));
    list.push(("h264_aac_srt.mkv", a));

    // Matroska: MPEG-4 video, AC-3 (English, default) and FLAC (German), a forced German SRT
    // and an English ASS.
    let mut b = lavfi(VIDEO);
    b.extend(lavfi(TONE));
    b.extend(lavfi(TONE2));
    b.extend(args(&["-i", "subs.srt", "-i", "subs.srt"]));
    b.extend(args(&[
        "-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3:s", "-map", "4:s",
    ]));
    b.extend(args(&[
        "-c:v", "mpeg4", "-q:v", "10", "-c:a:0", "ac3", "-ac:a:0", "2", "-c:a:1", "flac",
    ]));
    b.extend(args(&["-c:s:0", "srt", "-c:s:1", "ass"]));
    b.extend(args(&[
        "-metadata:s:a:0",
        "language=eng",
        "-metadata:s:a:1",
        "language=ger",
        "-metadata:s:a:1",
        "title=Deutsch",
        "-metadata:s:s:0",
        "language=ger",
        "-metadata:s:s:0",
        "title=Forced",
        "-metadata:s:s:1",
        "language=eng",
        "-disposition:a:0",
        "default",
        "-disposition:a:1",
        "0",
        "-disposition:s:0",
        "forced",
        "-disposition:s:1",
        "0",
    ]));
    list.push(("two_audio_forced.mkv", b));

    // MP4 with the index first and with it last; two audio tracks and a forced mov_text.
    for (name, faststart) in [("faststart.mp4", true), ("moov_last.mp4", false)] {
        let mut m = lavfi(VIDEO);
        m.extend(lavfi(TONE));
        m.extend(lavfi(TONE2));
        m.extend(args(&["-i", "subs.srt", "-i", "chapters.txt"]));
        m.extend(args(&[
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-map",
            "2:a",
            "-map",
            "3:s",
            "-map_chapters",
            "4",
        ]));
        m.extend(x264.clone());
        m.extend(args(&["-c:a", "aac", "-ac:a:0", "2", "-c:s", "mov_text"]));
        m.extend(args(&[
            "-metadata:s:a:0",
            "language=eng",
            "-metadata:s:a:1",
            "language=ger",
            "-metadata:s:a:0",
            "title=Stereo",
            "-metadata:s:s:0",
            "language=fre",
            "-disposition:a:0",
            "default",
            "-disposition:a:1",
            "0",
            "-disposition:s:0",
            "forced",
        ]));
        if faststart {
            m.extend(args(&["-movflags", "+faststart"]));
        }
        list.push((name, m));
    }

    // QuickTime: H.264 + AAC with a Macintosh language code.
    let mut q = lavfi(VIDEO);
    q.extend(lavfi(TONE));
    q.extend(x264.clone());
    q.extend(args(&[
        "-c:a",
        "aac",
        "-metadata:s:a:0",
        "language=eng",
        "-f",
        "mov",
    ]));
    list.push(("quicktime.mov", q));

    // An M4A: audio only.
    let mut m4a = lavfi(TONE);
    m4a.extend(args(&["-c:a", "aac", "-metadata:s:a:0", "language=spa"]));
    list.push(("audio.m4a", m4a));

    // WebM: VP9 + Opus.
    let mut w = lavfi(VIDEO);
    w.extend(lavfi(TONE));
    w.extend(args(&[
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-b:v",
        "200k",
        "-c:a",
        "libopus",
        "-metadata:s:a:0",
        "language=jpn",
    ]));
    list.push(("vp9_opus.webm", w));

    // AVI, which only ffprobe reads.
    let mut v = lavfi(VIDEO);
    v.extend(lavfi(TONE));
    v.extend(args(&[
        "-c:v", "mpeg4", "-q:v", "10", "-c:a", "ac3", "-f", "avi",
    ]));
    list.push(("legacy.avi", v));

    // HEVC 10-bit flagged PQ (HDR10), in Matroska; its MP4 copy is made afterwards.
    if has_x265 {
        let mut h = lavfi(VIDEO);
        h.extend(args(&[
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-x265-params",
            "log-level=none",
            "-pix_fmt",
            "yuv420p10le",
            "-color_trc",
            "smpte2084",
            "-color_primaries",
            "bt2020",
            "-colorspace",
            "bt2020nc",
        ]));
        list.push(("hevc10_hdr.mkv", h));
    }
    list
}

fn ffmpeg(ffmpeg: &Path, dir: &Path, args: &[String], output: &str) {
    let status = Command::new(ffmpeg)
        .current_dir(dir)
        .args(["-nostdin", "-v", "error", "-y"])
        .args(args)
        .arg(output)
        .status()
        .unwrap_or_else(|e| panic!("running ffmpeg for {output}: {e}"));
    assert!(status.success(), "ffmpeg failed making {output}: {args:?}");
}

/// A folder of this process's own under the target directory. A static is never dropped, so a
/// `TempDir` would be left in /tmp by every run; instead each run removes the folders of runs
/// that have ended, and runs at the same time (two `cargo test`s) keep apart.
fn fixture_dir() -> PathBuf {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let prefix = "mediainfo-fixtures-";
    for entry in std::fs::read_dir(base).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let root = base.join(format!("{prefix}{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    root
}

fn make() -> Fixtures {
    let ffmpeg_bin = tool("ffmpeg");
    let ffprobe = tool("ffprobe");
    let encoders = Command::new(&ffmpeg_bin)
        .args(["-hide_banner", "-encoders"])
        .output()
        .expect("ffmpeg -encoders");
    let has_x265 = String::from_utf8_lossy(&encoders.stdout).contains("libx265");

    let root = fixture_dir();
    std::fs::write(root.join("subs.srt"), SRT).unwrap();
    std::fs::write(root.join("chapters.txt"), CHAPTERS).unwrap();
    // Written before any process starts: an executable written while another thread forks can
    // fail to start with "text file busy".
    let spy = root.join("spy-ffprobe");
    let script = format!(
        "#!/bin/sh\nfor last; do :; done\ntouch \"${{last#file:}}.ffprobe-ran\"\nexec '{}' \"$@\"\n",
        ffprobe.display()
    );
    std::fs::write(&spy, script).unwrap();
    std::fs::set_permissions(&spy, std::fs::Permissions::from_mode(0o755)).unwrap();
    let recipes = recipes(has_x265);
    std::thread::scope(|scope| {
        for (name, args) in &recipes {
            let (ffmpeg_bin, root) = (&ffmpeg_bin, &root);
            scope.spawn(move || ffmpeg(ffmpeg_bin, root, args, name));
        }
    });
    if has_x265 {
        let copy: Vec<String> = ["-i", "hevc10_hdr.mkv", "-c", "copy", "-tag:v", "hvc1"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        ffmpeg(&ffmpeg_bin, &root, &copy, "hevc10_hdr.mp4");
    }
    Fixtures {
        root,
        ffprobe,
        spy,
        has_x265,
    }
}

/// The fixtures, made on first use.
pub fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(make)
}

/// A small deterministic generator, so "random" inputs are the same on every run.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}
