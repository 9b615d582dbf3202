//! Cached answers of the Subsonic read methods. Music apps ask the same lists again and again
//! (every screen of Symfonium or DSub is a `getAlbumList2` or `getArtists`), and each answer
//! costs several queries; a kept answer costs a lookup.
//!
//! An answer is filed under the music module's generation, the caller's account and everything
//! of their viewer (libraries, parental limit, adult capability), and the method with its
//! parameters less the credentials (clients salt every request anew). Every Subsonic write
//! replaces the generation, as writes through `/api/v1/music` do, and so do item events and
//! scans: stars, ratings, play counts and playlists (shared between users) are never served
//! stale, on this instance or another sharing the cache.

use std::sync::Arc;

use axum::body::Bytes;
use revenge_core::AnswerCache;
use sha2::{Digest, Sha256};

use super::auth::Caller;
use super::params::Params;

/// The module whose generation the answers follow.
const MODULE: &str = "music";

/// Read methods whose answer is a function of the library, the caller and the parameters.
/// Left out: random picks, what changes without a write (now playing, scan status), and what
/// is cheap or rare (ping, the play queue, the user).
const CACHED: &[&str] = &[
    "getMusicFolders",
    "getIndexes",
    "getMusicDirectory",
    "getArtists",
    "getArtist",
    "getAlbum",
    "getSong",
    "getAlbumList",
    "getAlbumList2",
    "getSongsByGenre",
    "getGenres",
    "search2",
    "search3",
    "getStarred",
    "getStarred2",
    "getPlaylists",
    "getPlaylist",
    "getLyrics",
    "getLyricsBySongId",
];

/// Parameters that say who asks and with what client, not what is asked.
const CREDENTIALS: &[&str] = &["u", "t", "s", "p", "apiKey", "c", "v", "_"];

/// Where one answer is kept.
pub(crate) struct AnswerKey {
    cache: Arc<dyn AnswerCache>,
    key: String,
}

impl AnswerKey {
    /// The key of this call's answer, or `None` when it is not kept (a method left out, no
    /// cache, or a cache that cannot be trusted now).
    pub async fn of(
        cache: Option<&Arc<dyn AnswerCache>>,
        method: &str,
        caller: &Caller,
        params: &Params,
    ) -> Option<Self> {
        let cache = cache?;
        if !CACHED.contains(&method) || is_random(method, params) {
            return None;
        }
        let generation = cache.generation(MODULE).await?;
        let mut hasher = Sha256::new();
        // The viewer's every field: a changed grant or limit asks anew.
        hasher.update(format!("{:?}", caller.viewer).as_bytes());
        hasher.update([0]);
        hasher.update(method.as_bytes());
        for (name, value) in params.pairs() {
            if CREDENTIALS.contains(&name) {
                continue;
            }
            hasher.update([0]);
            hasher.update(name.as_bytes());
            hasher.update([b'=']);
            hasher.update(value.as_bytes());
        }
        let digest = hex::encode(&hasher.finalize()[..16]);
        Some(Self {
            cache: Arc::clone(cache),
            key: format!("{MODULE}:{generation}:{}:{digest}", caller.user.id),
        })
    }

    /// The kept answer.
    pub async fn get(&self) -> Option<Bytes> {
        self.cache.get(&self.key).await
    }

    /// Keeps an answer.
    pub async fn put(&self, answer: Bytes) {
        self.cache.put(&self.key, answer).await;
    }
}

/// After a write method (whatever its outcome: a failed one may have written part): every
/// kept answer is dead.
pub(crate) async fn written(cache: Option<&Arc<dyn AnswerCache>>) {
    if let Some(cache) = cache {
        cache.invalidate(MODULE).await;
    }
}

fn is_random(method: &str, params: &Params) -> bool {
    matches!(method, "getAlbumList" | "getAlbumList2") && params.get("type") == Some("random")
}
