"""Drawing pictures in real pixels: the graphics mode setting, terminal detection, and the
encoders for the kitty graphics protocol and sixel. Pure Python on Pillow (no textual/rich):
the UI decides where and when; this package makes the bytes."""
