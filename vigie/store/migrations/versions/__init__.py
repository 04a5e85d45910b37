"""One module per store version, numbered: 0001, 0002, ... (see vigie.store.migrations)."""
