"""Whole-project analysis: linking summaries into models, placing dropout by depth."""
