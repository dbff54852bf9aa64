"""`python -m builder`: the command line (`builder.cli.entry`)."""

from builder.cli import entry

raise SystemExit(entry())
