"""The Quark web API: the HTTP client, the classification of answers, share links, one link's check, the drive, sign-in and the account check."""

# The most one request may take, whole, in seconds (--timeout). Here, light, so the command line
# declares its options without loading urllib3.
DEFAULT_TIMEOUT = 15.0
