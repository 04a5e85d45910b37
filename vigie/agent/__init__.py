"""The faculty agent: host and probe collectors, a disk spool, and a pusher."""
