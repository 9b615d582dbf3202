#!/usr/bin/env python3
"""Drives a running Revenge server with py-sonic, a third-party Subsonic client from PyPI.

Usage: subsonic_client.py BASE_URL PORT USER PASSWORD
Browses artists -> album -> song, searches, fetches cover art, streams bytes, stars, and makes
a playlist and a play queue round trip. Exits non-zero on any failure.
"""

import sys

import libsonic


def check(condition, message):
    if not condition:
        print(f"FAIL: {message}", file=sys.stderr)
        sys.exit(1)


def as_list(value):
    """Subsonic JSON gives a lone element as an object rather than a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def main():
    base, port, user, password = sys.argv[1:5]
    conn = libsonic.Connection(base, user, password, port=int(port))
    check(conn.ping(), "ping")

    artists = conn.getArtists()["artists"]
    names = [a["name"] for index in as_list(artists.get("index")) for a in as_list(index["artist"])]
    check("Artist One" in names, f"Artist One among {names}")
    artist = next(
        a for index in as_list(artists["index"]) for a in as_list(index["artist"])
        if a["name"] == "Artist One"
    )
    albums = as_list(conn.getArtist(artist["id"])["artist"]["album"])
    check(albums and albums[0]["name"] == "First Album", f"albums {albums}")
    album = conn.getAlbum(albums[0]["id"])["album"]
    songs = as_list(album["song"])
    check([s["title"] for s in songs] == ["Alpha", "Beta", "Café"], f"songs {songs}")
    song = conn.getSong(songs[1]["id"])["song"]
    check(song["title"] == "Beta", f"song {song}")

    found = conn.search3("alp")["searchResult3"]
    check([s["title"] for s in as_list(found.get("song"))] == ["Alpha"], f"search {found}")

    cover = conn.getCoverArt(album["coverArt"], size=32).read()
    check(cover[:2] == b"\xff\xd8", "cover art is a JPEG")

    streamed = conn.stream(song["id"]).read()
    check(streamed[:4] == b"fLaC", f"stream starts with {streamed[:4]!r}")
    check(len(streamed) == song["size"], f"{len(streamed)} bytes of {song['size']}")

    conn.star(sids=[songs[0]["id"]], albumIds=[album["id"]])
    starred = conn.getStarred2()["starred2"]
    check([s["title"] for s in as_list(starred.get("song"))] == ["Alpha"], f"starred {starred}")
    conn.unstar(sids=[songs[0]["id"]])

    created = conn.createPlaylist(name="py-sonic", songIds=[songs[0]["id"], songs[2]["id"]])
    playlist_id = created["playlist"]["id"]
    listed = [p["name"] for p in as_list(conn.getPlaylists()["playlists"].get("playlist"))]
    check("py-sonic" in listed, f"playlists {listed}")
    entries = as_list(conn.getPlaylist(playlist_id)["playlist"].get("entry"))
    check([e["title"] for e in entries] == ["Alpha", "Café"], f"entries {entries}")
    conn.deletePlaylist(playlist_id)
    listed = [p["name"] for p in as_list(conn.getPlaylists()["playlists"].get("playlist"))]
    check("py-sonic" not in listed, f"deleted playlist still listed: {listed}")

    conn.savePlayQueue([songs[1]["id"], songs[0]["id"]], current=songs[0]["id"], position=4200)
    queue = conn.getPlayQueue()["playQueue"]
    check([e["title"] for e in as_list(queue["entry"])] == ["Beta", "Alpha"], f"queue {queue}")
    check(queue["current"] == songs[0]["id"] and queue["position"] == 4200, f"queue {queue}")
    print("py-sonic: all checks passed")


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as error:  # noqa: BLE001 - any failure of the client fails the test
        print(f"FAIL: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
