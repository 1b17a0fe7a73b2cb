"""The Textual-free core: catalogue, models, sources and parsers.

Nothing under tui.core may import textual or rich (tests/test_imports.py checks it), so the
non-interactive commands and tests stay fast and the layers stay apart.
"""
