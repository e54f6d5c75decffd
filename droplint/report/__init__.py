"""Reporters: turn a lint result into text for people, CI systems and scripts."""
