"""Forged codes for refusal tests."""


def tampered(text: str, n: int = 4) -> str:
    """`text` with its last n characters replaced, so its signature no longer matches. Never
    the text itself: a fixed replacement ("AAAA") equals the real tail once in a few thousand
    random signing keys, and the test then fails for no reason."""
    tail = "A" * n if text[-n:] != "A" * n else "B" * n
    return text[:-n] + tail
