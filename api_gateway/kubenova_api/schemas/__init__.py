"""Request body models, one module per resource, subclassed per microversion where the body changes.

Bodies are validated with ``validation.parse_body`` after the microversion is known (FastAPI's
static body typing cannot vary by version), and errors read like Nova's JSON-schema messages.
"""
