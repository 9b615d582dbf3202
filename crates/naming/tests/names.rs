#![allow(clippy::unwrap_used)]
//! Real-world-style names, one table per family. Each case lists the JSON fields that matter
//! for it; `null` means the field must be absent.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use revenge_naming::{EpisodeNumber, Kind, Parsed, parse_episode, parse_movie, parse_path};
use serde_json::Value;

type Case = (&'static str, &'static str);

/// Runs every case and reports all mismatches at once, so one run shows the whole picture.
fn check(family: &str, cases: &[Case], parse: fn(&Path) -> Parsed) {
    let mut failures = Vec::new();
    for (path, expected) in cases {
        let parsed = parse(Path::new(path));
        let actual = serde_json::to_value(&parsed).unwrap();
        let expected: Value = serde_json::from_str(expected)
            .unwrap_or_else(|e| panic!("bad expectation for {path:?}: {e}"));
        for (key, want) in expected.as_object().unwrap() {
            let got = actual.get(key).unwrap_or(&Value::Null);
            if got != want {
                failures.push(format!(
                    "{path:?}: {key} = {got}, want {want}\n    got {actual}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{family}: {} of {} cases wrong\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[rustfmt::skip] // One case a line, so each table reads as a table.
const MOVIES: &[Case] = &[
    ("Movies/The Matrix (1999)/The Matrix (1999).mkv", r#"{"kind":"movie","title":"The Matrix","year":1999}"#),
    ("The Matrix (1999).mkv", r#"{"kind":"movie","title":"The Matrix","year":1999,"season":null,"episode":null}"#),
    ("Heat (1995)/Heat (1995).mp4", r#"{"kind":"movie","title":"Heat","year":1995}"#),
    ("Inception (2010).mkv", r#"{"kind":"movie","title":"Inception","year":2010}"#),
    ("2001: A Space Odyssey (1968)/2001: A Space Odyssey (1968).mkv", r#"{"kind":"movie","title":"2001: A Space Odyssey","year":1968}"#),
    ("Blade Runner 2049 (2017).mkv", r#"{"kind":"movie","title":"Blade Runner 2049","year":2017}"#),
    ("1917 (2019).mkv", r#"{"kind":"movie","title":"1917","year":2019}"#),
    ("1917.mkv", r#"{"kind":"movie","title":"1917","year":null}"#),
    ("2012 (2009).mkv", r#"{"kind":"movie","title":"2012","year":2009}"#),
    ("Ocean's Eleven (2001).mkv", r#"{"kind":"movie","title":"Ocean's Eleven","year":2001}"#),
    ("Ocean's Eleven.mkv", r#"{"kind":"movie","title":"Ocean's Eleven","year":null}"#),
    ("Ocean's 8 (2018).mkv", r#"{"kind":"movie","title":"Ocean's 8","year":2018}"#),
    ("Se7en (1995).mkv", r#"{"kind":"movie","title":"Se7en","year":1995}"#),
    ("(500) Days of Summer (2009).mkv", r#"{"kind":"movie","title":"(500) Days of Summer","year":2009}"#),
    ("WALL·E (2008).mkv", r#"{"kind":"movie","title":"WALL·E","year":2008}"#),
    ("Amélie (2001).mkv", r#"{"kind":"movie","title":"Amélie","year":2001}"#),
    ("Crouching Tiger, Hidden Dragon (2000).mkv", r#"{"kind":"movie","title":"Crouching Tiger, Hidden Dragon","year":2000}"#),
    ("Mission: Impossible - Fallout (2018).mkv", r#"{"kind":"movie","title":"Mission: Impossible - Fallout","year":2018}"#),
    ("Spider-Man (2002).mkv", r#"{"kind":"movie","title":"Spider-Man","year":2002,"group":null}"#),
    ("Spider-Man: No Way Home (2021).mkv", r#"{"kind":"movie","title":"Spider-Man: No Way Home","year":2021}"#),
    ("S.W.A.T. (2003).mkv", r#"{"kind":"movie","title":"S.W.A.T.","year":2003}"#),
    ("Sammy Davis Jr. (1990).mkv", r#"{"kind":"movie","title":"Sammy Davis Jr.","year":1990}"#),
    ("Dr. Strangelove (1964).mkv", r#"{"kind":"movie","title":"Dr. Strangelove","year":1964}"#),
    ("Mr. & Mrs. Smith (2005).mkv", r#"{"kind":"movie","title":"Mr. & Mrs. Smith","year":2005}"#),
    ("Star Wars Episode IV - A New Hope (1977).mkv", r#"{"kind":"movie","title":"Star Wars Episode IV - A New Hope","year":1977}"#),
    ("The Lord of the Rings - The Return of the King (2003).mkv", r#"{"kind":"movie","title":"The Lord of the Rings - The Return of the King","year":2003}"#),
    ("Alien [1979].mkv", r#"{"kind":"movie","title":"Alien","year":1979}"#),
    ("Alien.1979.mkv", r#"{"kind":"movie","title":"Alien","year":1979}"#),
    ("alien 1979.mkv", r#"{"kind":"movie","title":"alien","year":1979}"#),
    ("Back to the Future Part II (1989).mkv", r#"{"kind":"movie","title":"Back to the Future Part II","year":1989,"part":null}"#),
    ("Harry Potter and the Deathly Hallows Part 1 (2010).mkv", r#"{"kind":"movie","title":"Harry Potter and the Deathly Hallows Part 1","year":2010,"part":null}"#),
    ("Kill Bill Vol. 1 (2003).mkv", r#"{"kind":"movie","title":"Kill Bill Vol. 1","year":2003}"#),
    ("Movies/Heat (1995)/movie.mkv", r#"{"kind":"movie","title":"Heat","year":1995}"#),
    ("Heat (1995)/VIDEO_TS.mkv", r#"{"kind":"movie","title":"Heat","year":1995}"#),
    ("Heat (1995)/Heat.mkv", r#"{"kind":"movie","title":"Heat","year":1995}"#),
    ("Heat (1995)/heat.avi", r#"{"kind":"movie","title":"heat","year":1995}"#),
    ("Heat (1995)/VIDEO_TS/VTS_01_1.vob", r#"{"kind":"movie","title":"Heat","year":1995}"#),
    ("Avatar (2009)/BDMV/STREAM/00000.m2ts", r#"{"kind":"movie","title":"Avatar","year":2009}"#),
    ("Inception (2010)/title_t00.mkv", r#"{"kind":"movie","title":"Inception","year":2010}"#),
    ("The Thing (1982)/The Thing.mkv", r#"{"kind":"movie","title":"The Thing","year":1982}"#),
    ("The Thing (2011)/The Thing (2011).mkv", r#"{"kind":"movie","title":"The Thing","year":2011}"#),
    ("Up (2009).mkv", r#"{"kind":"movie","title":"Up","year":2009}"#),
    ("It (2017).mkv", r#"{"kind":"movie","title":"It","year":2017}"#),
    ("IT (2017).mkv", r#"{"kind":"movie","title":"IT","year":2017}"#),
    ("M (1931).mkv", r#"{"kind":"movie","title":"M","year":1931}"#),
    ("9 (2009).mkv", r#"{"kind":"movie","title":"9","year":2009}"#),
    ("300 (2006).mkv", r#"{"kind":"movie","title":"300","year":2006}"#),
    ("21 Jump Street (2012).mkv", r#"{"kind":"movie","title":"21 Jump Street","year":2012}"#),
    ("10 Things I Hate About You (1999).mkv", r#"{"kind":"movie","title":"10 Things I Hate About You","year":1999}"#),
    ("Airplane! (1980).mkv", r#"{"kind":"movie","title":"Airplane!","year":1980}"#),
    ("Who Framed Roger Rabbit? (1988).mkv", r#"{"kind":"movie","title":"Who Framed Roger Rabbit?","year":1988}"#),
    ("Léon: The Professional (1994).mkv", r#"{"kind":"movie","title":"Léon: The Professional","year":1994}"#),
    ("Das Boot (1981).mkv", r#"{"kind":"movie","title":"Das Boot","year":1981}"#),
    ("Star Trek II The Wrath of Khan (1982).mkv", r#"{"kind":"movie","title":"Star Trek II The Wrath of Khan","year":1982}"#),
    ("The Good, the Bad and the Ugly (1966).mkv", r#"{"kind":"movie","title":"The Good, the Bad and the Ugly","year":1966}"#),
    ("Nineteen Eighty-Four (1984).mkv", r#"{"kind":"movie","title":"Nineteen Eighty-Four","year":1984}"#),
    ("2046 (2004).mkv", r#"{"kind":"movie","title":"2046","year":2004}"#),
    ("Apollo 13 (1995).mkv", r#"{"kind":"movie","title":"Apollo 13","year":1995}"#),
    ("Dune Part Two (2024).mkv", r#"{"kind":"movie","title":"Dune Part Two","year":2024,"part":null}"#),
    ("Dune (2021)/Dune.mkv", r#"{"kind":"movie","title":"Dune","year":2021}"#),
    ("/mnt/media/Movies/Alien (1979)/Alien (1979).mkv", r#"{"kind":"movie","title":"Alien","year":1979}"#),
    ("Wonder Woman 1984 (2020).mkv", r#"{"kind":"movie","title":"Wonder Woman 1984","year":2020}"#),
    ("The Office (US) (2005).mkv", r#"{"kind":"movie","title":"The Office (US)","year":2005}"#),
    ("Heat(1995).mkv", r#"{"kind":"movie","title":"Heat","year":1995}"#),
    ("Heat 1995.mkv", r#"{"kind":"movie","title":"Heat","year":1995}"#),
    ("Heat_1995.mkv", r#"{"kind":"movie","title":"Heat","year":1995}"#),
    ("Heat-1995.mkv", r#"{"kind":"movie","title":"Heat","year":1995}"#),
    ("  Heat (1995)  .mkv", r#"{"kind":"movie","title":"Heat","year":1995}"#),
    ("The Matrix (1999).MKV", r#"{"kind":"movie","title":"The Matrix","year":1999}"#),
    ("The Matrix (1999).en.srt", r#"{"kind":"movie","title":"The Matrix","year":1999}"#),
    ("Movie (2010) (2).mkv", r#"{"kind":"movie","title":"Movie","year":2010}"#),
    ("[1080p] Movie (2010).mkv", r#"{"kind":"movie","title":"Movie","year":2010,"resolution":"1080p"}"#),
    ("Heat", r#"{"kind":"movie","title":"Heat"}"#),
    ("Movie", r#"{"kind":"unknown","title":null}"#),
    ("The Sample (2010).mkv", r#"{"kind":"movie","title":"The Sample","sample":null,"extra_type":null}"#),
    ("The Other (1972).mkv", r#"{"kind":"movie","title":"The Other","extra_type":null}"#),
    ("Short Cuts (1993).mkv", r#"{"kind":"movie","title":"Short Cuts","extra_type":null}"#),
    ("Rocky - 2.mkv", r#"{"kind":"movie","absolute_episode":null}"#),
    ("Movie - 2010 [1080p].mkv", r#"{"kind":"movie","title":"Movie","year":2010,"absolute_episode":null}"#),
    ("Charlotte's Web (2006).mkv", r#"{"kind":"movie","title":"Charlotte's Web","year":2006,"source":null}"#),
    ("Internal Affairs (1990).mkv", r#"{"kind":"movie","title":"Internal Affairs","year":1990}"#),
];

#[rustfmt::skip] // One case a line, so each table reads as a table.
const RELEASES: &[Case] = &[
    ("The.Matrix.1999.1080p.BluRay.x264-GRP.mkv", r#"{"kind":"movie","title":"The Matrix","year":1999,"resolution":"1080p","source":"BluRay","codec":"x264","group":"GRP"}"#),
    ("Blade.Runner.2049.2017.2160p.UHD.BluRay.REMUX.HDR.HEVC.Atmos-EPSiLON.mkv", r#"{"kind":"movie","title":"Blade Runner 2049","year":2017,"resolution":"2160p","source":"BluRay","codec":"HEVC","group":"EPSiLON"}"#),
    ("Inception.2010.720p.BluRay.x264-SPARKS.mkv", r#"{"title":"Inception","year":2010,"resolution":"720p","group":"SPARKS"}"#),
    ("Dune.Part.Two.2024.2160p.WEB-DL.DDP5.1.Atmos.DV.HDR.H.265-FLUX.mkv", r#"{"title":"Dune Part Two","year":2024,"part":null,"source":"WEB-DL","codec":"H.265","group":"FLUX"}"#),
    ("Oppenheimer.2023.1080p.WEBRip.x265.10bit.AAC5.1-[YTS.MX].mp4", r#"{"title":"Oppenheimer","year":2023,"source":"WEBRip","codec":"x265"}"#),
    ("Heat.1995.REMASTERED.1080p.BluRay.x264-GRP.mkv", r#"{"title":"Heat","year":1995,"edition":"Remastered"}"#),
    ("The.Dark.Knight.2008.IMAX.1080p.BluRay.x264-GRP.mkv", r#"{"title":"The Dark Knight","year":2008,"edition":"IMAX"}"#),
    ("Movie.Name.2019.HDTV.x264-GRP.mkv", r#"{"kind":"movie","title":"Movie Name","year":2019,"source":"HDTV"}"#),
    ("Some.Movie.2015.DVDRip.XviD-GRP.avi", r#"{"title":"Some Movie","year":2015,"source":"DVDRip","codec":"XviD","group":"GRP"}"#),
    ("Some.Movie.2015.480p.DVDRip.x264.AAC-GRP.mkv", r#"{"title":"Some Movie","resolution":"480p","source":"DVDRip"}"#),
    ("Film.2020.WEBRip.1080p.H.264.AAC2.0-GRP.mkv", r#"{"title":"Film","year":2020,"source":"WEBRip","codec":"H.264","group":"GRP"}"#),
    ("Film.2020.1080p.WEB.H264-GRP.mkv", r#"{"title":"Film","source":"WEB","codec":"H.264","group":"GRP"}"#),
    ("Film.2020.1080p.AMZN.WEB-DL.DDP5.1.H.264-NTb.mkv", r#"{"title":"Film","source":"WEB-DL","codec":"H.264","group":"NTb"}"#),
    ("The_Matrix_1999_1080p_BluRay_x264-GRP.mkv", r#"{"title":"The Matrix","year":1999,"source":"BluRay","group":"GRP"}"#),
    ("the.matrix.1999.720p.bluray.x264-grp.mkv", r#"{"title":"the matrix","year":1999,"resolution":"720p","source":"BluRay","group":"grp"}"#),
    ("The Matrix 1999 1080p BluRay x264-GRP.mkv", r#"{"title":"The Matrix","year":1999,"group":"GRP"}"#),
    ("The Matrix (1999) [1080p] [BluRay].mkv", r#"{"title":"The Matrix","year":1999,"resolution":"1080p","source":"BluRay"}"#),
    ("Avatar.2009.EXTENDED.1080p.BluRay.x264-GRP.mkv", r#"{"title":"Avatar","year":2009,"edition":"Extended"}"#),
    ("Interstellar.2014.IMAX.2160p.UHD.BluRay.x265.10bit.HDR.TrueHD.7.1.Atmos-GRP.mkv", r#"{"title":"Interstellar","year":2014,"edition":"IMAX","resolution":"2160p","codec":"x265","group":"GRP"}"#),
    ("Joker.2019.1080p.WEBRip.x264.AAC5.1-GRP.mp4", r#"{"title":"Joker","year":2019,"source":"WEBRip","group":"GRP"}"#),
    ("Tenet.2020.2160p.UHD.BluRay.REMUX.HDR.HEVC.DTS-HD.MA.5.1-GRP.mkv", r#"{"title":"Tenet","year":2020,"codec":"HEVC","group":"GRP"}"#),
    ("Parasite.2019.KOREAN.1080p.BluRay.x264.DTS-GRP.mkv", r#"{"title":"Parasite","year":2019,"group":"GRP"}"#),
    ("Amelie.2001.FRENCH.720p.BluRay.x264-GRP.mkv", r#"{"title":"Amelie","year":2001}"#),
    ("Movie.Title.2018.PROPER.1080p.WEB-DL.mkv", r#"{"title":"Movie Title","year":2018}"#),
    ("Movie.Title.PROPER.1080p.WEB-DL.mkv", r#"{"title":"Movie Title","year":null}"#),
    ("Movie.Title.REPACK.720p.HDTV.mkv", r#"{"title":"Movie Title","source":"HDTV"}"#),
    ("Movie.Title.2018.LIMITED.720p.BluRay.x264-GRP.mkv", r#"{"title":"Movie Title","year":2018}"#),
    ("Movie.Title.2018.iNTERNAL.1080p.BluRay.x264-GRP.mkv", r#"{"title":"Movie Title","year":2018}"#),
    ("The.Social.Network.2010.1080p.BluRay.DTS.x264-GRP.mkv", r#"{"title":"The Social Network","year":2010,"codec":"x264"}"#),
    ("No.Country.for.Old.Men.2007.1080p.mkv", r#"{"title":"No Country for Old Men","year":2007}"#),
    ("Ocean's.Eleven.2001.1080p.BluRay.x264-GRP.mkv", r#"{"title":"Ocean's Eleven","year":2001}"#),
    ("2001.A.Space.Odyssey.1968.1080p.BluRay.x264-GRP.mkv", r#"{"title":"2001 A Space Odyssey","year":1968}"#),
    ("1917.2019.1080p.BluRay.x264-GRP.mkv", r#"{"title":"1917","year":2019}"#),
    ("2012.2009.720p.BluRay.x264-GRP.mkv", r#"{"title":"2012","year":2009}"#),
    ("Blade.Runner.1982.Final.Cut.1080p.BluRay.x264-GRP.mkv", r#"{"title":"Blade Runner","year":1982,"edition":"Final Cut"}"#),
    ("Spider-Man.Into.the.Spider-Verse.2018.1080p.WEB-DL.mkv", r#"{"title":"Spider-Man Into the Spider-Verse","year":2018}"#),
    ("Marvel's.The.Avengers.2012.1080p.mkv", r#"{"title":"Marvel's The Avengers","year":2012}"#),
    ("Wonder.Woman.1984.2020.1080p.WEB-DL.mkv", r#"{"title":"Wonder Woman 1984","year":2020}"#),
    ("A.I.Artificial.Intelligence.2001.1080p.mkv", r#"{"title":"A.I. Artificial Intelligence","year":2001}"#),
    ("U.S.Marshals.1998.720p.mkv", r#"{"title":"U.S. Marshals","year":1998}"#),
    ("Movie.2010.480p.mkv", r#"{"title":"Movie","year":2010,"resolution":"480p"}"#),
    ("Movie 2010 4K HDR.mkv", r#"{"title":"Movie","year":2010,"resolution":"2160p"}"#),
    ("Movie.2010.1920x1080.mkv", r#"{"title":"Movie","resolution":"1080p"}"#),
    ("Movie.2010.HDRip.XviD.avi", r#"{"title":"Movie","source":"HDRip","codec":"XviD"}"#),
    ("Movie.2010.CAM.x264.mp4", r#"{"title":"Movie","source":"CAM"}"#),
    ("Movie.2010.BDRip.x264.mkv", r#"{"title":"Movie","source":"BDRip"}"#),
    ("Movie.2010.Blu-ray.1080p.AVC.mkv", r#"{"title":"Movie","source":"BluRay","codec":"AVC"}"#),
    ("Movie.2010.1080i.HDTV.MPEG2.mkv", r#"{"title":"Movie","resolution":"1080i","codec":"MPEG-2"}"#),
    ("Movie.2010.WEB-DL.1080p.x265.HEVC.mkv", r#"{"title":"Movie","codec":"x265"}"#),
    ("Movie (2010) (1080p BluRay x265 10bit HEVC).mkv", r#"{"title":"Movie","year":2010,"resolution":"1080p","source":"BluRay","codec":"x265"}"#),
    ("Movie.2010.MULTi.1080p.BluRay.x264-GRP.mkv", r#"{"title":"Movie","year":2010}"#),
    ("Movie.2010.DUBBED.720p.mkv", r#"{"title":"Movie","year":2010}"#),
    ("movie.2010.dvdscr.xvid.avi", r#"{"title":"movie","source":"Screener","codec":"XviD"}"#),
    ("Movie.2010.720p.HDTV.x264.AC3-GRP.mkv", r#"{"title":"Movie","group":"GRP"}"#),
    ("Movie.2010.2160p.WEB-DL.DV.HDR10+.DDP5.1.Atmos.H.265-GRP.mkv", r#"{"title":"Movie","resolution":"2160p","codec":"H.265"}"#),
    ("Movie.2010.UHD.BluRay.2160p.TrueHD.Atmos.7.1.HEVC.REMUX-GRP.mkv", r#"{"title":"Movie","group":"GRP"}"#),
    ("Movie.2010.HYBRID.1080p.BluRay.x264-GRP.mkv", r#"{"title":"Movie","year":2010}"#),
    ("Movie.2010.1080p.BluRay.x264.DTS-HD.MA.7.1-GRP.mkv", r#"{"title":"Movie","group":"GRP"}"#),
    ("Movie.2010.720p.BluRay.x264-GRP[rarbg].mkv", r#"{"title":"Movie","group":"GRP"}"#),
    ("Movie.Title.720p.x264-GRP.mkv", r#"{"title":"Movie Title","year":null,"group":"GRP"}"#),
    ("[YTS] Movie (2010) [1080p].mp4", r#"{"kind":"movie","title":"Movie","year":2010,"group":"YTS"}"#),
    ("the-matrix-1999-1080p.mkv", r#"{"kind":"movie","title":"the matrix","year":1999}"#),
    ("Movie Name (2012) [Bluray-1080p][DTS 5.1][x264]-GRP.mkv", r#"{"title":"Movie Name","year":2012,"source":"BluRay","codec":"x264","group":"GRP"}"#),
    ("Pulp.Fiction.1994.720p.BrRip.x264.YIFY.mp4", r#"{"title":"Pulp Fiction","year":1994,"source":"BRRip","group":null}"#),
    ("Terminator.2.Judgment.Day.1991.1080p.mkv", r#"{"title":"Terminator 2 Judgment Day","year":1991}"#),
    ("E.T.the.Extra-Terrestrial.1982.1080p.mkv", r#"{"title":"E.T. the Extra-Terrestrial","year":1982}"#),
    ("V.for.Vendetta.2005.1080p.mkv", r#"{"title":"V for Vendetta","year":2005}"#),
    ("Die.Hard.1988.30th.Anniversary.Edition.1080p.mkv", r#"{"title":"Die Hard","edition":"30th Anniversary Edition"}"#),
    ("Charlottes.Web.2006.WEB.1080p.mkv", r#"{"title":"Charlottes Web","year":2006,"source":"WEB"}"#),
    ("Movie.Name.2010.tt0133093.1080p.mkv", r#"{"title":"Movie Name","year":2010,"ids":{"imdb":"tt0133093"}}"#),
];

#[rustfmt::skip] // One case a line, so each table reads as a table.
const EDITIONS: &[Case] = &[
    ("Blade Runner (1982) {edition-Final Cut}.mkv", r#"{"kind":"movie","title":"Blade Runner","year":1982,"edition":"Final Cut"}"#),
    ("Blade Runner (1982) {edition-Final Cut}/Blade Runner (1982) {edition-Final Cut}.mkv", r#"{"title":"Blade Runner","edition":"Final Cut"}"#),
    ("Apocalypse Now (1979) {edition-Redux}.mkv", r#"{"title":"Apocalypse Now","edition":"Redux"}"#),
    ("Movie (2010) {edition-Director's Cut}.mkv", r#"{"title":"Movie","year":2010,"edition":"Director's Cut"}"#),
    ("Movie (2010) - Director's Cut.mkv", r#"{"title":"Movie","year":2010,"edition":"Director's Cut"}"#),
    ("Movie (2010) Director's Cut.mkv", r#"{"title":"Movie","edition":"Director's Cut"}"#),
    ("Movie.2010.Directors.Cut.1080p.BluRay.x264-GRP.mkv", r#"{"title":"Movie","year":2010,"edition":"Director's Cut"}"#),
    ("Movie (2010) [Extended Edition].mkv", r#"{"title":"Movie","edition":"Extended Edition"}"#),
    ("The Lord of the Rings The Fellowship of the Ring (2001) Extended Edition.mkv", r#"{"title":"The Lord of the Rings The Fellowship of the Ring","year":2001,"edition":"Extended Edition"}"#),
    ("Movie.2010.EXTENDED.CUT.1080p.mkv", r#"{"title":"Movie","edition":"Extended Cut"}"#),
    ("Movie (2010) - Unrated.mkv", r#"{"title":"Movie","edition":"Unrated"}"#),
    ("Movie.2010.UNRATED.720p.mkv", r#"{"title":"Movie","edition":"Unrated"}"#),
    ("Movie (2010) Theatrical.mkv", r#"{"title":"Movie","edition":"Theatrical"}"#),
    ("Movie.2010.Theatrical.Cut.1080p.mkv", r#"{"title":"Movie","edition":"Theatrical Cut"}"#),
    ("Movie (2010) Remastered.mkv", r#"{"title":"Movie","edition":"Remastered"}"#),
    ("Movie (1985) 4K Remastered.mkv", r#"{"title":"Movie","year":1985,"edition":"Remastered","resolution":"2160p"}"#),
    ("Movie (2010) IMAX.mkv", r#"{"title":"Movie","edition":"IMAX"}"#),
    ("Movie.2010.IMAX.Edition.2160p.mkv", r#"{"title":"Movie","edition":"IMAX"}"#),
    ("Movie Director's Cut (2010).mkv", r#"{"title":"Movie","year":2010,"edition":"Director's Cut"}"#),
    ("Movie Director's Cut.mkv", r#"{"title":"Movie","year":null,"edition":"Director's Cut"}"#),
    ("The Final Cut (2004).mkv", r#"{"title":"The Final Cut","year":2004,"edition":null}"#),
    ("Blade Runner The Final Cut (1982).mkv", r#"{"title":"Blade Runner","year":1982,"edition":"Final Cut"}"#),
    ("Movie (2010) Uncut.mkv", r#"{"title":"Movie","edition":"Uncut"}"#),
    ("Movie (2010) Special Edition.mkv", r#"{"title":"Movie","edition":"Special Edition"}"#),
    ("Movie (2010) Collector's Edition.mkv", r#"{"title":"Movie","edition":"Collector's Edition"}"#),
    ("Movie (2010) Ultimate Edition.mkv", r#"{"title":"Movie","edition":"Ultimate Edition"}"#),
    ("Movie (2010) 25th Anniversary Edition.mkv", r#"{"title":"Movie","edition":"25th Anniversary Edition"}"#),
    ("Movie (2010) {edition-Extended Director's Cut}.mkv", r#"{"title":"Movie","edition":"Extended Director's Cut"}"#),
    ("Movie.2010.Extended.Directors.Cut.1080p.mkv", r#"{"title":"Movie","edition":"Extended Director's Cut"}"#),
    ("Movie (2010) [Director's Cut]/Movie (2010).mkv", r#"{"title":"Movie","year":2010,"edition":"Director's Cut"}"#),
    ("Movie.2010.Open.Matte.1080p.mkv", r#"{"title":"Movie","edition":"Open Matte"}"#),
    ("Movie (2010) - Extended.mkv", r#"{"title":"Movie","edition":"Extended"}"#),
    ("Movie (2010) Criterion Collection.mkv", r#"{"title":"Movie","edition":"Criterion"}"#),
    ("Aliens.1986.Special.Edition.1080p.BluRay.x264-GRP.mkv", r#"{"title":"Aliens","year":1986,"edition":"Special Edition","group":"GRP"}"#),
    ("Movie (2010).mkv", r#"{"title":"Movie","edition":null}"#),
];

#[rustfmt::skip] // One case a line, so each table reads as a table.
const PARTS: &[Case] = &[
    ("Movie (2010) - cd1.avi", r#"{"kind":"movie","title":"Movie","year":2010,"part":1}"#),
    ("Movie (2010) - cd 2.avi", r#"{"title":"Movie","part":2}"#),
    ("Movie (2010) part2.mkv", r#"{"title":"Movie","part":2}"#),
    ("Movie (2010) pt3.mkv", r#"{"title":"Movie","part":3}"#),
    ("Movie (2010) disc1.mkv", r#"{"title":"Movie","part":1}"#),
    ("Movie (2010) disk2.mkv", r#"{"title":"Movie","part":2}"#),
    ("Movie (2010)-cd1.avi", r#"{"title":"Movie","part":1}"#),
    ("Movie.2010.DVDRip.XviD.CD1-GRP.avi", r#"{"title":"Movie","year":2010,"part":1,"group":"GRP"}"#),
    ("Movie.2010.DVDRip.XviD-GRP.cd2.avi", r#"{"title":"Movie","part":2}"#),
    ("Movie cd1.avi", r#"{"title":"Movie","part":1}"#),
    ("Movie-cd2.avi", r#"{"title":"Movie","part":2}"#),
    ("Movie (2010) Part 1.mkv", r#"{"title":"Movie","part":1}"#),
    ("Movie (2010) Part.2.mkv", r#"{"title":"Movie","part":2}"#),
    ("Movie (2010) pt.3.mkv", r#"{"title":"Movie","part":3}"#),
    ("Movie (2010)/CD1/movie.avi", r#"{"title":"Movie","year":2010,"part":1}"#),
    ("Movie (2010)/Disc 2/movie.mkv", r#"{"title":"Movie","year":2010,"part":2}"#),
    ("Movie (2010)/cd1.avi", r#"{"title":"Movie","year":2010,"part":1}"#),
    ("Harry Potter and the Deathly Hallows Part 2 (2011).mkv", r#"{"title":"Harry Potter and the Deathly Hallows Part 2","part":null}"#),
    ("Movie (2010) - part10.mkv", r#"{"title":"Movie","part":10}"#),
    ("Movie (2010) CD01.avi", r#"{"title":"Movie","part":1}"#),
    ("Movie.Title.2010.DVDRip.XviD-GRP-cd1.avi", r#"{"title":"Movie Title","part":1,"group":"GRP"}"#),
    ("Movie Title (2010) DVDRip XviD-GRP CD2.avi", r#"{"title":"Movie Title","part":2,"group":"GRP"}"#),
    ("Movie.Title.2010.1080p.BluRay.x264-GRP.disc1.mkv", r#"{"title":"Movie Title","part":1}"#),
    ("Movie (2010) - Part 2 - Extended.mkv", r#"{"title":"Movie","part":2,"edition":"Extended"}"#),
    ("Movie (2010).mkv", r#"{"part":null}"#),
];

#[rustfmt::skip] // One case a line, so each table reads as a table.
const IDS: &[Case] = &[
    ("The Matrix (1999) {tmdb-603}.mkv", r#"{"kind":"movie","title":"The Matrix","year":1999,"ids":{"tmdb":"603"}}"#),
    ("The Matrix (1999) [tmdbid-603].mkv", r#"{"title":"The Matrix","ids":{"tmdb":"603"}}"#),
    ("The Matrix (1999) [tmdbid=603].mkv", r#"{"title":"The Matrix","ids":{"tmdb":"603"}}"#),
    ("The Matrix (1999) {imdb-tt0133093}.mkv", r#"{"title":"The Matrix","ids":{"imdb":"tt0133093"}}"#),
    ("The Matrix (1999) [imdbid-tt0133093].mkv", r#"{"title":"The Matrix","ids":{"imdb":"tt0133093"}}"#),
    ("The Matrix (1999) {tmdb-603} {imdb-tt0133093}.mkv", r#"{"title":"The Matrix","year":1999,"ids":{"imdb":"tt0133093","tmdb":"603"}}"#),
    ("The Matrix (1999) {tmdb-603}/The Matrix (1999).mkv", r#"{"title":"The Matrix","ids":{"tmdb":"603"}}"#),
    ("The Matrix (1999) {tmdb-603}/movie.mkv", r#"{"title":"The Matrix","year":1999,"ids":{"tmdb":"603"}}"#),
    ("Breaking Bad (2008) {tvdb-81189}/Season 01/Breaking Bad - S01E01 - Pilot.mkv", r#"{"kind":"episode","title":"Breaking Bad","year":2008,"ids":{"tvdb":"81189"}}"#),
    ("Show [tvdbid-121361]/Season 1/Show S01E01.mkv", r#"{"kind":"episode","title":"Show","ids":{"tvdb":"121361"}}"#),
    ("Show {tvdb-121361}/Season 1/Show S01E01 {tvdb-999}.mkv", r#"{"ids":{"tvdb":"999"}}"#),
    ("Collection {tmdb-1}/The Matrix (1999) {tmdb-603}/The Matrix (1999).mkv", r#"{"ids":{"tmdb":"603"}}"#),
    ("The.Matrix.1999.tt0133093.1080p.mkv", r#"{"title":"The Matrix","ids":{"imdb":"tt0133093"}}"#),
    ("The Matrix (1999) {TMDB-603}.mkv", r#"{"title":"The Matrix","ids":{"tmdb":"603"}}"#),
    ("Movie.{tmdb-603}.2010.mkv", r#"{"title":"Movie","year":2010,"ids":{"tmdb":"603"}}"#),
    ("{tmdb-603}.mkv", r#"{"kind":"unknown","title":null,"ids":{"tmdb":"603"}}"#),
    ("Show (2005) {tvdb-78804}/Season 01/S01E01.mkv", r#"{"title":"Show","year":2005,"season":1,"episode":1,"ids":{"tvdb":"78804"}}"#),
    ("Movie (2010) [tmdbid-abc].mkv", r#"{"title":"Movie","year":2010,"ids":null}"#),
    ("Naruto [anidb-239]/Naruto - 001.mkv", r#"{"title":"Naruto","absolute_episode":1,"ids":{"anidb":"239"}}"#),
    ("Movie (2010) [imdb-tt1375666] [tmdb-27205].mkv", r#"{"title":"Movie","ids":{"imdb":"tt1375666","tmdb":"27205"}}"#),
    ("Show (2010) [tvmaze-82]/Show - S01E01.mkv", r#"{"ids":{"tvmaze":"82"}}"#),
    ("Movie (2010) {imdb-0133093}.mkv", r#"{"title":"Movie","ids":null}"#),
    ("Movie (2010).mkv", r#"{"ids":null}"#),
];

#[rustfmt::skip] // One case a line, so each table reads as a table.
const EXTRAS: &[Case] = &[
    ("Movie (2010)/Trailers/Official Trailer.mkv", r#"{"kind":"extra","extra_type":"trailer","title":"Official Trailer","sample":null}"#),
    ("Movie (2010)/Trailers/trailer.mkv", r#"{"kind":"extra","extra_type":"trailer","title":"Movie","year":2010}"#),
    ("Movie (2010)/Featurettes/Making Of.mkv", r#"{"kind":"extra","extra_type":"featurette","title":"Making Of"}"#),
    ("Movie (2010)/Behind The Scenes/On Set.mkv", r#"{"kind":"extra","extra_type":"behindthescenes"}"#),
    ("Movie (2010)/Deleted Scenes/Alternate Ending.mkv", r#"{"kind":"extra","extra_type":"deletedscene","title":"Alternate Ending"}"#),
    ("Movie (2010)/Interviews/Director.mkv", r#"{"kind":"extra","extra_type":"interview"}"#),
    ("Movie (2010)/Scenes/Opening.mkv", r#"{"kind":"extra","extra_type":"scene"}"#),
    ("Movie (2010)/Shorts/Short Film.mkv", r#"{"kind":"extra","extra_type":"short"}"#),
    ("Movie (2010)/Extras/Bloopers.mkv", r#"{"kind":"extra","extra_type":"extra","title":"Bloopers"}"#),
    ("Movie (2010)/Other/Gallery.mkv", r#"{"kind":"extra","extra_type":"other"}"#),
    ("Movie (2010)/behind the scenes/Visual Effects.mkv", r#"{"kind":"extra","extra_type":"behindthescenes"}"#),
    ("Movie (2010)/deleted_scenes/Cut.mkv", r#"{"kind":"extra","extra_type":"deletedscene"}"#),
    ("Movie (2010)/Movie (2010)-trailer.mkv", r#"{"kind":"extra","extra_type":"trailer","title":"Movie","year":2010}"#),
    ("Movie (2010)-featurette.mkv", r#"{"kind":"extra","extra_type":"featurette","title":"Movie"}"#),
    ("Movie (2010)-behindthescenes.mkv", r#"{"kind":"extra","extra_type":"behindthescenes"}"#),
    ("Movie (2010)-deleted.mkv", r#"{"kind":"extra","extra_type":"deletedscene"}"#),
    ("Movie (2010)-deletedscene.mkv", r#"{"kind":"extra","extra_type":"deletedscene"}"#),
    ("Movie (2010)-interview.mkv", r#"{"kind":"extra","extra_type":"interview"}"#),
    ("Movie (2010)-scene.mkv", r#"{"kind":"extra","extra_type":"scene"}"#),
    ("Movie (2010)-short.mkv", r#"{"kind":"extra","extra_type":"short"}"#),
    ("Movie (2010)-other.mkv", r#"{"kind":"extra","extra_type":"other"}"#),
    ("Movie (2010)-extra.mkv", r#"{"kind":"extra","extra_type":"extra"}"#),
    ("Movie (2010)-clip.mkv", r#"{"kind":"extra","extra_type":"clip"}"#),
    ("Movie (2010).trailer.mkv", r#"{"kind":"extra","extra_type":"trailer","title":"Movie"}"#),
    ("Movie (2010)-trailer2.mkv", r#"{"kind":"extra","extra_type":"trailer","title":"Movie"}"#),
    ("Movie (2010)_trailer.mkv", r#"{"kind":"extra","extra_type":"trailer","title":"Movie"}"#),
    ("Alien (1979)/Alien (1979) - Trailer.mkv", r#"{"kind":"extra","extra_type":"trailer","title":"Alien","year":1979}"#),
    ("Alien (1979)/theme.mp3", r#"{"kind":"extra","extra_type":"theme","title":"Alien","year":1979}"#),
    ("Alien (1979)/Alien.1979.1080p.BluRay.x264-GRP-Trailer.mkv", r#"{"kind":"extra","extra_type":"trailer","title":"Alien","group":"GRP"}"#),
    ("Movie (2010)-teaser.mkv", r#"{"kind":"extra","extra_type":"trailer"}"#),
    ("Movie (2010)/trailer.mp4", r#"{"kind":"extra","extra_type":"trailer","title":"Movie","year":2010}"#),
    ("Movie (2010)/Trailers/Movie Teaser.mkv", r#"{"kind":"extra","extra_type":"trailer"}"#),
    ("Movie.2010.1080p.BluRay.x264-GRP/Sample/movie.2010.1080p.bluray.x264-grp-sample.mkv", r#"{"kind":"extra","extra_type":"sample","sample":true,"title":"movie","year":2010}"#),
    ("Movie.2010.1080p-GRP/sample.mkv", r#"{"kind":"extra","sample":true,"title":"Movie","year":2010}"#),
    ("Movie (2010)/Movie (2010)-sample.mkv", r#"{"kind":"extra","sample":true,"title":"Movie","year":2010}"#),
    ("heat.sample.mkv", r#"{"kind":"extra","sample":true,"title":"heat"}"#),
    ("Movie.2010.sample.1080p.mkv", r#"{"kind":"extra","sample":true,"title":"Movie","year":2010}"#),
    ("sample-movie.2010.mkv", r#"{"kind":"extra","sample":true,"title":"movie","year":2010}"#),
    ("Movie (2010)/Sample/clip.mkv", r#"{"kind":"extra","sample":true,"extra_type":"sample"}"#),
    ("Movie (2010)/Samples/grp-movie.mkv", r#"{"kind":"extra","sample":true}"#),
    ("Sample.mkv", r#"{"kind":"extra","sample":true}"#),
    ("Show.S01E01.720p.HDTV.x264-GRP-sample.mkv", r#"{"kind":"extra","sample":true,"title":"Show","season":1,"episode":1}"#),
    ("Show/Season 01/Extras/Gag Reel.mkv", r#"{"kind":"extra","extra_type":"extra","title":"Show","season":1}"#),
    ("Show/Featurettes/Cast Interview.mkv", r#"{"kind":"extra","extra_type":"featurette"}"#),
    ("Trailer Park Boys/Season 01/Trailer Park Boys - S01E01.mkv", r#"{"kind":"episode","title":"Trailer Park Boys","extra_type":null}"#),
    ("Movie (2010)/Trailers/Trailer 2 [1080p].mkv", r#"{"kind":"extra","extra_type":"trailer","resolution":"1080p"}"#),
    ("Movie (2010)/Extras/Movie.2010.Featurette.mkv", r#"{"kind":"extra","extra_type":"featurette"}"#),
];

#[rustfmt::skip] // One case a line, so each table reads as a table.
const EPISODES: &[Case] = &[
    ("Show/Season 01/Show - S01E02 - Title.mkv", r#"{"kind":"episode","title":"Show","season":1,"episode":2,"episode_title":"Title"}"#),
    ("Show.S01E02.720p.mkv", r#"{"kind":"episode","title":"Show","season":1,"episode":2,"resolution":"720p","episode_title":null}"#),
    ("show.s1e2.mkv", r#"{"kind":"episode","title":"show","season":1,"episode":2}"#),
    ("Show 1x02.mkv", r#"{"kind":"episode","title":"Show","season":1,"episode":2}"#),
    ("Breaking.Bad.S05E14.720p.HDTV.x264-EVOLVE.mkv", r#"{"title":"Breaking Bad","season":5,"episode":14,"source":"HDTV","codec":"x264","group":"EVOLVE"}"#),
    ("Game.of.Thrones.S08E06.The.Iron.Throne.1080p.AMZN.WEB-DL.DDP5.1.H.264-GoT.mkv", r#"{"title":"Game of Thrones","season":8,"episode":6,"episode_title":"The Iron Throne","group":"GoT"}"#),
    ("The Office (US)/Season 02/The Office (US) - S02E01 - The Dundies.mkv", r#"{"title":"The Office (US)","season":2,"episode":1,"episode_title":"The Dundies"}"#),
    ("The Office (US)/Season 02/The.Office.S02E01.mkv", r#"{"title":"The Office (US)","season":2,"episode":1}"#),
    ("Doctor Who (2005)/Season 01/Doctor Who (2005) - S01E01 - Rose.mkv", r#"{"title":"Doctor Who","year":2005,"season":1,"episode":1,"episode_title":"Rose"}"#),
    ("Doctor Who (2005)/Season 01/Doctor.Who.S01E01.Rose.mkv", r#"{"title":"Doctor Who","year":2005,"episode_title":"Rose"}"#),
    ("Doctor Who (1963)/Season 01/Doctor Who - S01E01 - An Unearthly Child.mkv", r#"{"title":"Doctor Who","year":1963,"episode_title":"An Unearthly Child"}"#),
    ("Doctor.Who.2005.S01E01.720p.mkv", r#"{"title":"Doctor Who","year":2005,"season":1,"episode":1}"#),
    ("Doctor Who (2005)/Doctor.Who.S02E03.mkv", r#"{"title":"Doctor Who","year":2005,"season":2,"episode":3}"#),
    ("Show.Name.S10E100.mkv", r#"{"title":"Show Name","season":10,"episode":100}"#),
    ("Show S01 E02.mkv", r#"{"title":"Show","season":1,"episode":2}"#),
    ("Show.S01.E02.mkv", r#"{"title":"Show","season":1,"episode":2}"#),
    ("Show_S01E02_Title.mkv", r#"{"title":"Show","season":1,"episode":2,"episode_title":"Title"}"#),
    ("Show - s01e02.mkv", r#"{"title":"Show","season":1,"episode":2}"#),
    ("Show - 1x02 - Title.mkv", r#"{"title":"Show","season":1,"episode":2,"episode_title":"Title"}"#),
    ("Show.1x02.HDTV.mkv", r#"{"title":"Show","season":1,"episode":2,"source":"HDTV"}"#),
    ("Show 10x05.mkv", r#"{"title":"Show","season":10,"episode":5}"#),
    ("Show.S2024E05.mkv", r#"{"title":"Show","season":2024,"episode":5}"#),
    ("Mr. Robot/Season 1/Mr. Robot - S01E01 - eps1.0_hellofriend.mov.mkv", r#"{"title":"Mr. Robot","season":1,"episode":1}"#),
    ("Marvels.Agents.of.S.H.I.E.L.D.S01E01.720p.mkv", r#"{"title":"Marvels Agents of S.H.I.E.L.D.","season":1,"episode":1}"#),
    ("The.Flash.2014.S01E01.mkv", r#"{"title":"The Flash","year":2014,"season":1,"episode":1}"#),
    ("9-1-1.S01E01.mkv", r#"{"title":"9-1-1","season":1,"episode":1}"#),
    ("Grey's Anatomy/Season 01/Greys.Anatomy.S01E01.mkv", r#"{"title":"Grey's Anatomy","season":1,"episode":1}"#),
    ("Show/Season 2/S02E03.mkv", r#"{"kind":"episode","title":"Show","season":2,"episode":3}"#),
    ("Show/S02E03.mkv", r#"{"kind":"episode","title":"Show","season":2,"episode":3}"#),
    ("Show (2019)/Season 1/S01E01.mkv", r#"{"title":"Show","year":2019,"season":1,"episode":1}"#),
    ("The Expanse/Season 3/The.Expanse.S03E07.1080p.WEB-DL.mkv", r#"{"title":"The Expanse","season":3,"episode":7,"source":"WEB-DL"}"#),
    ("Show S01E02 Title.mkv", r#"{"title":"Show","episode_title":"Title"}"#),
    ("Show - S01E02.mkv", r#"{"title":"Show","season":1,"episode":2}"#),
    ("S01E02.mkv", r#"{"kind":"episode","title":null,"season":1,"episode":2}"#),
    ("Show.S01E02.PROPER.720p.mkv", r#"{"title":"Show","episode_title":null}"#),
    ("Show.S01E02.REPACK.1080p.WEB.h264-GRP.mkv", r#"{"title":"Show","source":"WEB","codec":"H.264","group":"GRP"}"#),
    ("Show.Name.S03E04.Some.Episode.Name.720p.WEB-DL.mkv", r#"{"title":"Show Name","episode_title":"Some Episode Name"}"#),
    ("Show - S01E02 - Title (1080p).mkv", r#"{"title":"Show","episode_title":"Title","resolution":"1080p"}"#),
    ("Show - S01E02 - Title [1080p BluRay x264].mkv", r#"{"episode_title":"Title","resolution":"1080p","source":"BluRay","codec":"x264"}"#),
    ("The 100/Season 1/The 100 - S01E01 - Pilot.mkv", r#"{"title":"The 100","season":1,"episode":1}"#),
    ("24/Season 1/24 - S01E01.mkv", r#"{"title":"24","season":1,"episode":1}"#),
    ("1923/Season 1/1923 - S01E01.mkv", r#"{"title":"1923","year":null,"season":1}"#),
    ("1923.S01E01.mkv", r#"{"title":"1923","year":null}"#),
    ("SHOW.S01E01.MKV", r#"{"title":"SHOW","season":1,"episode":1}"#),
    ("Show Season 1 Episode 2.mkv", r#"{"kind":"episode","title":"Show","season":1,"episode":2}"#),
    ("Show.Name.2x05.mkv", r#"{"title":"Show Name","season":2,"episode":5}"#),
    ("Show/Season 1/Show 1x05 Title.mkv", r#"{"season":1,"episode":5,"episode_title":"Title"}"#),
    ("Media/TV/The Wire/Season 4/The Wire - S04E13 - Final Grades.mkv", r#"{"title":"The Wire","season":4,"episode":13,"episode_title":"Final Grades"}"#),
    ("Show - S01E02 - Title, Part 1.mkv", r#"{"episode_title":"Title, Part 1","part":null}"#),
    ("Show - S01E02 - Title - Subtitle.mkv", r#"{"episode_title":"Title - Subtitle"}"#),
    ("Friends.S01E01.The.One.Where.Monica.Gets.a.Roommate.DVDRip.XviD-GRP.avi", r#"{"title":"Friends","episode_title":"The One Where Monica Gets a Roommate","source":"DVDRip"}"#),
    ("The.Mandalorian.S02E08.Chapter.16.The.Rescue.2160p.DSNP.WEB-DL.mkv", r#"{"title":"The Mandalorian","season":2,"episode":8,"episode_title":"Chapter 16 The Rescue"}"#),
    ("Stranger Things - S04E09 - Chapter Nine: The Piggyback.mkv", r#"{"title":"Stranger Things","episode_title":"Chapter Nine: The Piggyback"}"#),
    ("House.of.the.Dragon.S01E01.1080p.HMAX.WEB-DL.DDP5.1.Atmos.H.264-GRP.mkv", r#"{"title":"House of the Dragon","season":1,"episode":1,"source":"WEB-DL"}"#),
    ("S.W.A.T.2017.S01E01.720p.mkv", r#"{"title":"S.W.A.T.","year":2017,"season":1,"episode":1}"#),
    ("Show.Name.E01.mkv", r#"{"kind":"episode","title":"Show Name","season":null,"episode":1}"#),
    ("Blue.Planet.II.E01.One.Ocean.mkv", r#"{"kind":"episode","title":"Blue Planet II","episode":1,"episode_title":"One Ocean"}"#),
    ("Show.Name.Ep.05.720p.mkv", r#"{"kind":"episode","title":"Show Name","episode":5}"#),
    ("Show.S01E02v2.mkv", r#"{"title":"Show","season":1,"episode":2}"#),
    ("Show/Season 1/Show - S02E01.mkv", r#"{"season":2,"episode":1}"#),
];

#[rustfmt::skip] // One case a line, so each table reads as a table.
const MULTI_EPISODES: &[Case] = &[
    ("Show - S01E01-E02 - Title.mkv", r#"{"kind":"episode","season":1,"episode":[1,2],"episode_title":"Title"}"#),
    ("Show.S01E01E02.mkv", r#"{"season":1,"episode":[1,2]}"#),
    ("Show.S01E01-02.mkv", r#"{"season":1,"episode":[1,2]}"#),
    ("Show.S01E01-E03.mkv", r#"{"season":1,"episode":[1,3]}"#),
    ("Show.S01E01E02E03.mkv", r#"{"season":1,"episode":[1,3]}"#),
    ("Show S01E01 - E02.mkv", r#"{"season":1,"episode":[1,2]}"#),
    ("Show.S01E01-S01E02.mkv", r#"{"season":1,"episode":[1,2]}"#),
    ("Show 1x01-1x02.mkv", r#"{"season":1,"episode":[1,2]}"#),
    ("Show 1x01-02.mkv", r#"{"season":1,"episode":[1,2]}"#),
    ("Show.S01E01-720p.mkv", r#"{"season":1,"episode":1,"resolution":"720p"}"#),
    ("Show.S01E01-1080p.mkv", r#"{"season":1,"episode":1,"resolution":"1080p"}"#),
    ("Show.S02E10-E11.1080p.mkv", r#"{"season":2,"episode":[10,11]}"#),
    ("Show.S01E02-E01.mkv", r#"{"season":1,"episode":2}"#),
    ("Show.S01E01+E02.mkv", r#"{"season":1,"episode":[1,2]}"#),
    ("Show - S01E01E02 - Double Title.mkv", r#"{"title":"Show","episode":[1,2],"episode_title":"Double Title"}"#),
    ("Show/Season 01/Show - S01E23-E24 - Finale.mkv", r#"{"title":"Show","season":1,"episode":[23,24],"episode_title":"Finale"}"#),
    ("Show.S01E01-02.720p.HDTV.x264-GRP.mkv", r#"{"episode":[1,2],"resolution":"720p","group":"GRP"}"#),
    ("Show - S03E01-03.mkv", r#"{"season":3,"episode":[1,3]}"#),
    ("Show.s01e01-e02.mkv", r#"{"season":1,"episode":[1,2]}"#),
    ("Show - S01E01 & E02.mkv", r#"{"season":1,"episode":[1,2]}"#),
];

#[rustfmt::skip] // One case a line, so each table reads as a table.
const DAILY: &[Case] = &[
    ("Show 2024-01-31.mkv", r#"{"kind":"episode","title":"Show","date":"2024-01-31","season":null,"episode":null,"year":null}"#),
    ("Show.2024.01.31.mkv", r#"{"kind":"episode","title":"Show","date":"2024-01-31"}"#),
    ("The.Daily.Show.2024.01.31.Guest.Name.720p.WEB.h264-GRP.mkv", r#"{"title":"The Daily Show","date":"2024-01-31","episode_title":"Guest Name","resolution":"720p"}"#),
    ("The Tonight Show Starring Jimmy Fallon - 2023-12-05 - Guest.mkv", r#"{"title":"The Tonight Show Starring Jimmy Fallon","date":"2023-12-05","episode_title":"Guest"}"#),
    ("Show 2024 01 31.mkv", r#"{"title":"Show","date":"2024-01-31"}"#),
    ("Show.2024-13-01.mkv", r#"{"date":null}"#),
    ("Late Night/Season 2024/Late Night - 2024-03-15.mkv", r#"{"title":"Late Night","season":2024,"date":"2024-03-15"}"#),
    ("Jeopardy.2023.11.01.720p.HDTV.mkv", r#"{"title":"Jeopardy","date":"2023-11-01","source":"HDTV"}"#),
    ("Conan 2010-11-08 - Guest.mkv", r#"{"title":"Conan","date":"2010-11-08","episode_title":"Guest"}"#),
    ("Show (2010) 2024-01-31.mkv", r#"{"title":"Show","year":2010,"date":"2024-01-31"}"#),
    ("Last.Week.Tonight.with.John.Oliver.2024.02.18.1080p.WEB.h264-GRP.mkv", r#"{"title":"Last Week Tonight with John Oliver","date":"2024-02-18"}"#),
    ("The Late Show/The Late Show 2019-05-20.mkv", r#"{"title":"The Late Show","date":"2019-05-20"}"#),
    ("WWE.Raw.1999.12.06.mkv", r#"{"title":"WWE Raw","date":"1999-12-06"}"#),
    ("Show_2022_07_04.mkv", r#"{"title":"Show","date":"2022-07-04"}"#),
    ("Show 2024-00-10.mkv", r#"{"date":null}"#),
    ("Show 2024-02-32.mkv", r#"{"date":null}"#),
];

#[rustfmt::skip] // One case a line, so each table reads as a table.
const ANIME: &[Case] = &[
    ("[Group] Show - 125 [1080p].mkv", r#"{"kind":"episode","title":"Show","absolute_episode":125,"season":null,"episode":null,"group":"Group","resolution":"1080p"}"#),
    ("Show - 125 [group].mkv", r#"{"kind":"episode","title":"Show","absolute_episode":125,"season":null,"group":"group"}"#),
    ("[SubsPlease] Jujutsu Kaisen - 24 (1080p) [ABCD1234].mkv", r#"{"title":"Jujutsu Kaisen","absolute_episode":24,"group":"SubsPlease","resolution":"1080p"}"#),
    ("[HorribleSubs] One Piece - 1071 [720p].mkv", r#"{"title":"One Piece","absolute_episode":1071}"#),
    ("[Erai-raws] Show - 01 [1080p][Multiple Subtitle].mkv", r#"{"title":"Show","absolute_episode":1,"group":"Erai-raws"}"#),
    ("[Group]_Show_-_05_[720p].mkv", r#"{"title":"Show","absolute_episode":5,"group":"Group"}"#),
    ("[Group] Show - 05v2 [720p].mkv", r#"{"title":"Show","absolute_episode":5}"#),
    ("Naruto Shippuden - 500.mkv", r#"{"kind":"episode","title":"Naruto Shippuden","absolute_episode":500}"#),
    ("Show - 12 - Episode Title.mkv", r#"{"title":"Show","absolute_episode":12,"episode_title":"Episode Title"}"#),
    ("[Group] Show S2 - 05 [1080p].mkv", r#"{"title":"Show","season":2,"episode":5,"absolute_episode":null}"#),
    ("[Group] Show 125 [1080p].mkv", r#"{"title":"Show","absolute_episode":125}"#),
    ("[Group] Show - 7 [480p].mkv", r#"{"title":"Show","absolute_episode":7}"#),
    ("Show/Season 1/Show - 03.mkv", r#"{"title":"Show","season":1,"episode":3,"absolute_episode":null}"#),
    ("One Piece/One Piece - 1000 [1080p].mkv", r#"{"title":"One Piece","absolute_episode":1000}"#),
    ("[Group] Show - 125 (BD 1080p) [ABCDEF01].mkv", r#"{"title":"Show","absolute_episode":125}"#),
    ("[Group] Show (2019) - 03 [1080p].mkv", r#"{"title":"Show","year":2019,"absolute_episode":3}"#),
    ("Attack on Titan - 087 [1080p].mkv", r#"{"title":"Attack on Titan","absolute_episode":87}"#),
    ("[Group] Show - 03 - Title [720p].mkv", r#"{"title":"Show","absolute_episode":3,"episode_title":"Title"}"#),
    ("[Judas] Show Name - 10 [1080p][HEVC x265 10bit][Multi-Subs].mkv", r#"{"title":"Show Name","absolute_episode":10,"group":"Judas","codec":"HEVC"}"#),
    ("[Group] Kaguya-sama wa Kokurasetai - 12 [720p].mkv", r#"{"title":"Kaguya-sama wa Kokurasetai","absolute_episode":12}"#),
    ("[Group] Show - 01 [BD][1080p][FLAC].mkv", r#"{"absolute_episode":1,"resolution":"1080p"}"#),
    ("[Group] Re:Zero - 25 [1080p].mkv", r#"{"title":"Re:Zero","absolute_episode":25}"#),
    ("[Group] Show - 01-02 [720p].mkv", r#"{"title":"Show","absolute_episode":1}"#),
    ("Bleach - 366 (1080p) [Group].mkv", r#"{"title":"Bleach","absolute_episode":366,"group":"Group"}"#),
];

#[rustfmt::skip] // One case a line, so each table reads as a table.
const SPECIALS: &[Case] = &[
    ("Show/Season 00/Show - S00E01 - Special.mkv", r#"{"kind":"episode","title":"Show","season":0,"episode":1,"episode_title":"Special"}"#),
    ("Show/Specials/Show - S00E02.mkv", r#"{"title":"Show","season":0,"episode":2}"#),
    ("Show/Specials/Behind the Show.mkv", r#"{"kind":"episode","title":"Show","season":0,"episode":null,"episode_title":"Behind the Show"}"#),
    ("Show.S00E05.mkv", r#"{"title":"Show","season":0,"episode":5}"#),
    ("Show/Season 0/Pilot.mkv", r#"{"kind":"episode","title":"Show","season":0}"#),
    ("Show/Specials/01 - Christmas Special.mkv", r#"{"title":"Show","season":0,"episode":1,"episode_title":"Christmas Special"}"#),
    ("Doctor Who (2005)/Specials/Doctor Who - S00E01 - The Christmas Invasion.mkv", r#"{"title":"Doctor Who","year":2005,"season":0,"episode":1,"episode_title":"The Christmas Invasion"}"#),
    ("Show/Season Specials/S00E03.mkv", r#"{"title":"Show","season":0,"episode":3}"#),
    ("Show/Special/Show - S00E04.mkv", r#"{"title":"Show","season":0,"episode":4}"#),
    ("Show/Specials/Show.S00E10.1080p.mkv", r#"{"season":0,"episode":10,"resolution":"1080p"}"#),
    ("Show/Season 00/00x01.mkv", r#"{"title":"Show","season":0,"episode":1}"#),
];

#[rustfmt::skip] // One case a line, so each table reads as a table.
const FOLDERS: &[Case] = &[
    ("Show/Season 2/03 - Title.mkv", r#"{"kind":"episode","title":"Show","season":2,"episode":3,"episode_title":"Title"}"#),
    ("Show/Season 2/E03.mkv", r#"{"title":"Show","season":2,"episode":3}"#),
    ("Show/Season 2/Episode 3.mkv", r#"{"title":"Show","season":2,"episode":3}"#),
    ("Show/Season 2/Episode 3 - Title.mkv", r#"{"season":2,"episode":3,"episode_title":"Title"}"#),
    ("Show/Season 2/03.mkv", r#"{"title":"Show","season":2,"episode":3}"#),
    ("Show/Season 2/Show 03.mkv", r#"{"title":"Show","season":2,"episode":3}"#),
    ("Show/Season 2/Show E03.mkv", r#"{"title":"Show","season":2,"episode":3}"#),
    ("Show/Season 2/Pilot.mkv", r#"{"kind":"episode","title":"Show","season":2,"episode":null,"episode_title":"Pilot"}"#),
    ("Show/Series 3/Show - S03E01.mkv", r#"{"title":"Show","season":3,"episode":1}"#),
    ("Show/S03/Show.S03E01.mkv", r#"{"title":"Show","season":3,"episode":1}"#),
    ("Show/season.4/04x02.mkv", r#"{"title":"Show","season":4,"episode":2}"#),
    ("Show/Staffel 1/Show - S01E01.mkv", r#"{"title":"Show","season":1}"#),
    ("Show/Saison 2/Show - 03.mkv", r#"{"title":"Show","season":2,"episode":3}"#),
    ("Show (2010)/Season 01/Show - S01E01.mkv", r#"{"title":"Show","year":2010}"#),
    ("TV/Show/Season 1/01 Title.mkv", r#"{"title":"Show","season":1,"episode":1,"episode_title":"Title"}"#),
    ("Show.S01.1080p.BluRay.x264-GRP/Show.S01E03.1080p.BluRay.x264-GRP.mkv", r#"{"title":"Show","season":1,"episode":3,"group":"GRP"}"#),
    ("Show.S01E02.720p.HDTV.x264-GRP/video.mkv", r#"{"kind":"episode","title":"Show","season":1,"episode":2,"group":"GRP"}"#),
    ("Show.S01.1080p.WEB-DL/S01E02.mkv", r#"{"kind":"episode","title":"Show","season":1,"episode":2}"#),
    ("Show/Season 03/Show - 3x04 - Title.mkv", r#"{"title":"Show","season":3,"episode":4,"episode_title":"Title"}"#),
    ("Show/Season 1 (2010)/S01E01.mkv", r#"{"title":"Show","season":1}"#),
    ("Show/Season 1/Show - S01E01 - Pilot/Show - S01E01 - Pilot.mkv", r#"{"kind":"episode","season":1,"episode":1}"#),
    ("Show/Season 10/Show - S10E01.mkv", r#"{"season":10}"#),
    ("Show/Season 1/Show.E05.mkv", r#"{"season":1,"episode":5}"#),
    ("Show/Season 1/Ep05 - Title.mkv", r#"{"season":1,"episode":5,"episode_title":"Title"}"#),
    ("Show/Season 1/005.mkv", r#"{"season":1,"episode":5}"#),
    ("Show/Season 1/Show - Episode 5.mkv", r#"{"title":"Show","season":1,"episode":5}"#),
    ("Show/Season 2/Show - 2x03 - Title [720p].mkv", r#"{"season":2,"episode":3,"resolution":"720p"}"#),
    ("Show/Season Two/Pilot.mkv", r#"{"kind":"movie","title":"Pilot"}"#),
    ("Movies/Heat (1995)/Heat.1995.1080p.BluRay.x264-GRP.mkv", r#"{"kind":"movie","title":"Heat","year":1995,"group":"GRP"}"#),
    ("The.Matrix.1999.1080p.BluRay.x264-GRP/movie.mkv", r#"{"kind":"movie","title":"The Matrix","year":1999,"group":"GRP","resolution":"1080p"}"#),
    ("The.Matrix.1999.1080p.BluRay.x264-GRP/x264-grp.mkv", r#"{"kind":"movie","title":"The Matrix","year":1999}"#),
];

#[rustfmt::skip] // One case a line, so each table reads as a table.
const EDGES: &[Case] = &[
    ("", r#"{"kind":"unknown","title":null}"#),
    ("/", r#"{"kind":"unknown","title":null}"#),
    (".mkv", r#"{"kind":"unknown","title":null}"#),
    ("1080p.mkv", r#"{"kind":"unknown","title":null,"resolution":"1080p"}"#),
    ("x264-GRP.mkv", r#"{"kind":"unknown","title":null}"#),
    ("movie.mkv", r#"{"kind":"unknown","title":null}"#),
    ("VIDEO_TS.mkv", r#"{"kind":"unknown"}"#),
    ("   .mkv", r#"{"kind":"unknown"}"#),
    ("---.mkv", r#"{"kind":"unknown"}"#),
    ("....mkv", r#"{"kind":"unknown"}"#),
    ("[].mkv", r#"{"kind":"unknown"}"#),
    ("()", r#"{"kind":"unknown"}"#),
    ("The.Matrix.1999", r#"{"kind":"movie","title":"The Matrix","year":1999}"#),
    ("Show.S01E02", r#"{"kind":"episode","title":"Show","season":1,"episode":2}"#),
    ("Show.Name", r#"{"kind":"movie","title":"Show Name"}"#),
    ("a.mkv", r#"{"kind":"movie","title":"a"}"#),
    ("Movies/", r#"{"kind":"movie","title":"Movies"}"#),
    ("./Heat (1995).mkv", r#"{"kind":"movie","title":"Heat","year":1995}"#),
    ("../Movies/Heat (1995)/../Heat (1995).mkv", r#"{"kind":"movie","title":"Heat","year":1995}"#),
    ("Movie (2010).mkv.mkv", r#"{"title":"Movie","year":2010}"#),
    ("S99E999.mkv", r#"{"kind":"episode","season":99,"episode":999}"#),
    ("S9999E9999.mkv", r#"{"kind":"episode","season":9999,"episode":9999}"#),
    ("Show.S00E00.mkv", r#"{"season":0,"episode":0}"#),
    ("Movie (1899).mkv", r#"{"title":"Movie (1899)","year":null}"#),
    ("Movie (2100).mkv", r#"{"title":"Movie (2100)","year":null}"#),
    ("Movie (1900).mkv", r#"{"title":"Movie","year":1900}"#),
    ("Movie (2099).mkv", r#"{"title":"Movie","year":2099}"#),
    ("Movie.99999.mkv", r#"{"title":"Movie 99999","year":null}"#),
    ("Movie [tmdbid-].mkv", r#"{"title":"Movie","ids":null}"#),
    ("Movie {edition-}.mkv", r#"{"title":"Movie","edition":null}"#),
    ("日本語のタイトル (2010).mkv", r#"{"kind":"movie","title":"日本語のタイトル","year":2010}"#),
    ("Фильм (2010).mkv", r#"{"kind":"movie","title":"Фильм","year":2010}"#),
    ("[Group] 進撃の巨人 - 01 [1080p].mkv", r#"{"title":"進撃の巨人","absolute_episode":1}"#),
    ("Movie\t(2010).mkv", r#"{"title":"Movie","year":2010}"#),
    ("Movie (2010)\n.mkv", r#"{"title":"Movie","year":2010}"#),
    ("....Movie....2010....mkv", r#"{"title":"Movie","year":2010}"#),
    ("Movie_-_2010.mkv", r#"{"title":"Movie","year":2010}"#),
    ("((((Movie)))) (2010).mkv", r#"{"year":2010}"#),
    ("]]]][[[[.mkv", r#"{"kind":"unknown"}"#),
    ("{{{{}}}}.mkv", r#"{"kind":"unknown"}"#),
    ("S01E.mkv", r#"{"episode":null}"#),
    ("-S01E01-.mkv", r#"{"kind":"episode","season":1,"episode":1}"#),
];

#[test]
fn movies() {
    check("movies", MOVIES, parse_path);
}

#[test]
fn release_names() {
    check("release names", RELEASES, parse_path);
}

#[test]
fn editions() {
    check("editions", EDITIONS, parse_path);
}

#[test]
fn parts() {
    check("parts", PARTS, parse_path);
}

#[test]
fn ids() {
    check("ids", IDS, parse_path);
}

#[test]
fn extras_and_samples() {
    check("extras", EXTRAS, parse_path);
}

#[test]
fn episodes() {
    check("episodes", EPISODES, parse_path);
}

#[test]
fn multi_episodes() {
    check("multi-episodes", MULTI_EPISODES, parse_path);
}

#[test]
fn daily() {
    check("daily", DAILY, parse_path);
}

#[test]
fn anime() {
    check("anime", ANIME, parse_path);
}

#[test]
fn specials() {
    check("specials", SPECIALS, parse_path);
}

#[test]
fn folders() {
    check("folders", FOLDERS, parse_path);
}

#[test]
fn edge_cases() {
    check("edge cases", EDGES, parse_path);
}

/// What a movie library's module asks for: numbering is not read, extras stay extras.
#[rustfmt::skip] // One case a line, so each table reads as a table.
const FORCED_MOVIES: &[Case] = &[
    ("Show.S01E02.mkv", r#"{"kind":"movie","title":"Show S01E02","season":null}"#),
    ("Movie (2010)/Trailers/Official Trailer.mkv", r#"{"kind":"extra","extra_type":"trailer"}"#),
    ("1080p.mkv", r#"{"kind":"unknown"}"#),
    ("2012 (2009).mkv", r#"{"kind":"movie","title":"2012","year":2009}"#),
    ("Naruto - 500.mkv", r#"{"kind":"movie","absolute_episode":null}"#),
    ("Show/Season 1/Movie (2010).mkv", r#"{"kind":"movie","title":"Movie","year":2010}"#),
    ("Show 2024-01-31.mkv", r#"{"kind":"movie","date":null}"#),
    ("Heat (1995)/movie.mkv", r#"{"kind":"movie","title":"Heat","year":1995}"#),
];

/// What a TV library's module asks for: always an episode, with looser numbering.
#[rustfmt::skip] // One case a line, so each table reads as a table.
const FORCED_EPISODES: &[Case] = &[
    ("Show/Show 05.mkv", r#"{"kind":"episode","title":"Show","absolute_episode":5}"#),
    ("Show/Episode 5.mkv", r#"{"kind":"episode","title":"Show","episode":5,"season":null,"absolute_episode":null}"#),
    ("Show/Pilot.mkv", r#"{"kind":"episode","title":"Show","episode_title":"Pilot"}"#),
    ("Show - 05.mkv", r#"{"kind":"episode","title":"Show","absolute_episode":5}"#),
    ("Show/Season 1/05.mkv", r#"{"kind":"episode","title":"Show","season":1,"episode":5}"#),
    ("The Matrix (1999).mkv", r#"{"kind":"episode","title":"The Matrix","year":1999}"#),
    ("Show.S01E02.mkv", r#"{"kind":"episode","title":"Show","season":1,"episode":2}"#),
    ("Show/Extras/Bloopers.mkv", r#"{"kind":"extra","extra_type":"extra"}"#),
    ("Show/Show - Episode 12 - Title.mkv", r#"{"title":"Show","episode":12,"episode_title":"Title"}"#),
    ("Rocky - 2.mkv", r#"{"kind":"episode","title":"Rocky","absolute_episode":2}"#),
];

#[test]
fn forced_movie() {
    check("forced movie", FORCED_MOVIES, parse_movie);
}

#[test]
fn forced_episode() {
    check("forced episode", FORCED_EPISODES, parse_episode);
}

fn bytes(path: &[u8]) -> Parsed {
    parse_path(Path::new(OsStr::from_bytes(path)))
}

#[test]
fn non_utf8_names_parse_lossily() {
    let p = bytes(b"Caf\xe9 (2010).mkv");
    assert_eq!(p.kind, Kind::Movie);
    assert_eq!(p.title.as_deref(), Some("Caf\u{FFFD}"));
    assert_eq!(p.year, Some(2010));

    let p = bytes(b"Film\xff (1999)/movie.mkv");
    assert_eq!(p.title.as_deref(), Some("Film\u{FFFD}"));
    assert_eq!(p.year, Some(1999));

    let p = bytes(b"Sh\xf6w/Season 1/S01E02.mkv");
    assert_eq!(p.kind, Kind::Episode);
    assert_eq!(p.title.as_deref(), Some("Sh\u{FFFD}w"));
    assert_eq!(
        (p.season, p.episode),
        (Some(1), Some(EpisodeNumber::Single(2)))
    );

    let p = bytes(b"\xff\xfe.mkv");
    assert_eq!(p.kind, Kind::Unknown);

    let p = bytes(b"Show.S01E0\xff2.mkv");
    assert_eq!(p.kind, Kind::Episode);

    let p = bytes(b"[Gr\x80up] Sh\xc3w - 12 [1080p].mkv");
    assert_eq!(p.absolute_episode, Some(12));

    let p = bytes(b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xe2\x82\x28\xf0\x28\x8c\xbc.mkv");
    assert!(serde_json::to_string(&p).is_ok());

    let p = bytes(b"Movie (2010) {tmdb-6\xff03}.mkv");
    assert_eq!(p.title.as_deref(), Some("Movie"));
}

#[test]
fn very_long_names_do_not_panic() {
    let long_title = "A".repeat(1000);
    let p = parse_path(Path::new(&format!("{long_title}.mkv")));
    assert_eq!(p.kind, Kind::Movie);
    assert_eq!(p.title.as_deref().map(str::len), Some(1000));

    let dotted = "The.Matrix.".repeat(90);
    let p = parse_path(Path::new(&format!("{dotted}1999.1080p.mkv")));
    assert_eq!(p.year, Some(1999));

    let markers = "S01E01".repeat(170);
    let p = parse_path(Path::new(&format!("{markers}.mkv")));
    assert_eq!(p.kind, Kind::Episode);

    let chained = format!("Show.S01E01{}", "-E02".repeat(240));
    let p = parse_path(Path::new(&format!("{chained}.mkv")));
    assert_eq!(p.episode, Some(EpisodeNumber::Range(1, 2)));

    for filler in [
        ".", "-", " ", "_", "[", "]", "(", "{", "9", "é", "\u{FFFD}", "2010.",
    ] {
        let name = filler.repeat(1000 / filler.len());
        let p = parse_path(Path::new(&name));
        assert!(serde_json::to_string(&p).is_ok(), "{filler:?}");
    }

    let years = "2010 ".repeat(200);
    let p = parse_path(Path::new(&format!("Movie {years}.mkv")));
    assert_eq!(
        p.title.as_deref().map(|t| t.starts_with("Movie")),
        Some(true)
    );

    let deep = "Folder/".repeat(150) + "Heat (1995)/movie.mkv";
    let p = parse_path(Path::new(&deep));
    assert_eq!(p.title.as_deref(), Some("Heat"));

    let mut raw = b"Movie ".to_vec();
    raw.extend(std::iter::repeat_n(0xffu8, 1000));
    raw.extend(b" (2010).mkv");
    let p = bytes(&raw);
    assert_eq!(p.year, Some(2010));
}

#[test]
fn empty_paths() {
    for path in ["", "/", ".", "..", "//", "./"] {
        let p = parse_path(Path::new(path));
        assert_eq!(p.kind, Kind::Unknown, "{path:?}");
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"kind":"unknown"}"#);
        assert_eq!(parse_movie(Path::new(path)).kind, Kind::Unknown);
        assert_eq!(parse_episode(Path::new(path)).kind, Kind::Episode);
    }
}

fn json(path: &str) -> String {
    serde_json::to_string(&parse_path(Path::new(path))).unwrap()
}

#[test]
fn json_shape_of_a_movie() {
    assert_eq!(
        json("The.Matrix.1999.1080p.BluRay.x264-GRP.mkv"),
        r#"{"kind":"movie","title":"The Matrix","year":1999,"resolution":"1080p","source":"BluRay","codec":"x264","group":"GRP"}"#
    );
}

#[test]
fn json_shape_of_episodes() {
    assert_eq!(
        json("Show/Season 01/Show - S01E01-E02 - Title.mkv"),
        r#"{"kind":"episode","title":"Show","season":1,"episode":[1,2],"episode_title":"Title"}"#
    );
    assert!(json("Show.S01E02.mkv").contains(r#""episode":2"#));
    assert_eq!(
        json("[Group] Show - 125 [1080p].mkv"),
        r#"{"kind":"episode","title":"Show","absolute_episode":125,"resolution":"1080p","group":"Group"}"#
    );
    assert_eq!(
        json("Show 2024-01-31.mkv"),
        r#"{"kind":"episode","title":"Show","date":"2024-01-31"}"#
    );
}

#[test]
fn json_leaves_out_what_is_absent() {
    assert_eq!(json(""), r#"{"kind":"unknown"}"#);
    assert_eq!(json("Heat.mkv"), r#"{"kind":"movie","title":"Heat"}"#);
    let movie = json("Heat (1995).mkv");
    for absent in [
        "ids", "sample", "season", "episode", "part", "edition", "null",
    ] {
        assert!(!movie.contains(absent), "{absent} in {movie}");
    }
}

#[test]
fn json_shape_of_ids_samples_and_extras() {
    assert_eq!(
        json("The Matrix (1999) {tmdb-603} [imdbid-tt0133093].mkv"),
        r#"{"kind":"movie","title":"The Matrix","year":1999,"ids":{"imdb":"tt0133093","tmdb":"603"}}"#
    );
    assert_eq!(
        json("Heat (1995)/Heat (1995)-sample.mkv"),
        r#"{"kind":"extra","title":"Heat","year":1995,"extra_type":"sample","sample":true}"#
    );
    assert_eq!(
        json("Heat (1995)/Trailers/trailer.mkv"),
        r#"{"kind":"extra","title":"Heat","year":1995,"extra_type":"trailer"}"#
    );
}

#[test]
fn episode_number_helpers() {
    assert_eq!(EpisodeNumber::Single(4).first(), 4);
    assert_eq!(EpisodeNumber::Single(4).last(), 4);
    assert_eq!(EpisodeNumber::Range(1, 3).first(), 1);
    assert_eq!(EpisodeNumber::Range(1, 3).last(), 3);
    assert_eq!(
        serde_json::to_string(&EpisodeNumber::Range(1, 2)).unwrap(),
        "[1,2]"
    );
    assert_eq!(serde_json::to_string(&Kind::Extra).unwrap(), r#""extra""#);
    assert_eq!(Parsed::default().kind, Kind::Unknown);
}
