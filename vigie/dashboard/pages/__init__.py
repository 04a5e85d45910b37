"""One module per page; each exposes `register(app, context)`."""
