"""The Quark web API: the HTTP client, the classification of answers, share links, one link's check, the drive, sign-in and the account check."""
