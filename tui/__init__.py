"""skyvern-tui: browse the artifacts of Skyvern runs in the terminal."""

__version__ = "0.1.0"
