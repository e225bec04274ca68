"""Schemathesis hooks for tests/api.sh: how to send the NDJSON bodies casematch takes."""

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    # A generated string is the NDJSON text itself. Any other value (a negative case of the
    # string schema) has no NDJSON spelling of its own: written out it would be one more valid
    # line, so it goes as no body at all, which the server refuses.
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return None
