"""Search across a whole run: every text artifact, matched line by line, each match named by its
artifact and its place in it (the targets `Viewer.go_to` understands)."""
