"""The Textual interface. It imports tui.core, never the other way round."""
