"""The `juwe` command line: parses options, calls models/solver/reports, prints."""
