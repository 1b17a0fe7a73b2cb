"""Search across a whole run: every text artifact, matched line by line with the smart-case
matcher of `core.search` (find within one artifact), each match named by its artifact and its
place in it (the targets `Viewer.go_to` understands)."""
