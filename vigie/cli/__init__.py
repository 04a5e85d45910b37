"""The `vigie` command: one module per command group, and the text each prints.

`main` parses the command line and dispatches; `support` holds the exit codes and
the one way a command fails.
"""
