"""`python -m builder`: the command line (`builder.cli.main`)."""

from builder.cli import main

raise SystemExit(main())
