# The project root on sys.path lets the suite run from a checkout without installing.
