"""Forged codes for refusal tests."""


def tampered(text: str, n: int = 4) -> str:
    """`text` with its last n characters replaced, so its signature no longer matches. Never
    the text itself: a fixed replacement ("AAAA") equals the real tail once in a few thousand
    random signing keys, and the test then fails for no reason."""
    tail = "A" * n if text[-n:] != "A" * n else "B" * n
    return text[:-n] + tail


def resigned(text: str) -> str:
    """`text` with one character of its signature changed, away from the last character (whose
    unused bits must be zero): still canonical base32, so it is refused as tampered, never as
    garbage, whatever the key."""
    i = len(text) - 8
    return text[:i] + ("B" if text[i] != "B" else "C") + text[i + 1:]
