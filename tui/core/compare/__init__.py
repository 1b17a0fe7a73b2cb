"""Comparing two artifacts of one kind (text, JSON, HTML, element trees, parsed actions) and two
runs step by step. Pure: no textual or rich; the UI draws what these modules compute."""
