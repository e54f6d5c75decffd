"""The edits fixes are built from: a keyword added to a call, a rate set, a hand-rolled dropout rewritten."""
