"""What a rule is, and every rule by code: the book the rules of droplint/rules/ are written in."""
