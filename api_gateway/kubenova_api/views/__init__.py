"""Response builders, one module per resource; they pick fields by microversion explicitly
(``response_model`` cannot vary by version), and tests check them against golden samples."""
