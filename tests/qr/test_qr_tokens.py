"""Signing, verification, every refusal reason, tampering, URLs and key rotation."""

from __future__ import annotations

import pytest

from qr import CodeError, Keyring, Payload, QRError, SigningKey, sign, verify
from qr.errors import REASONS
from qr.payload import FORMAT_VERSION, CodeType, pack
from qr.tokens import code_url, extract_token
from tests.fixtures.qr_keys import BASE, NOW


def test_sign_verify_round_trip_every_type(make_token, keyring):
    for t in CodeType:
        token = make_token(type=t, subject="V000123", version=7, expires_at=NOW + 15)
        p = verify(token, keyring, expected_type=t, now=NOW + 1)
        assert (p.type, p.subject, p.version, p.issued_at, p.expires_at, p.key_id) == (
            t, "V000123", 7, NOW, NOW + 15, "K1"
        )  # fmt: skip
        assert p.code_id == f"{t}:V000123:7"


def test_url_round_trip_and_is_alphanumeric_friendly(make_token, keyring):
    token = make_token()
    url = code_url(BASE, token)
    assert url == f"HTTPS://ZHAOHUA.EXAMPLE.ORG/S/{token}"
    assert url.upper() == url  # whole URL fits QR alphanumeric mode
    assert verify(url, keyring, base_url=BASE, now=NOW).subject == "42"


@pytest.mark.parametrize(
    "variant",
    [
        lambda u: u.lower(),  # a scanner app that lowercases everything
        lambda u: u.replace(
            "HTTPS://ZHAOHUA.EXAMPLE.ORG", "https://zhaohua.example.org"
        ),  # browser normalised
        lambda u: u.replace("/S/", "/s/"),
        lambda u: "  " + u + "\n",
    ],
)
def test_extract_token_accepts_case_folded_urls(make_token, variant):
    token = make_token()
    assert extract_token(variant(code_url(BASE, token)), BASE) == token


def test_bare_token_accepted_and_url_needs_base(make_token):
    token = make_token()
    assert extract_token(token) == token
    with pytest.raises(CodeError) as exc:
        extract_token(code_url(BASE, token))  # no base_url: no URL is ours
    assert exc.value.reason == "foreign"


@pytest.mark.parametrize(
    "text",
    [
        "https://evil.example.com/S/{token}",
        "https://zhaohua.example.org.evil.cn/S/{token}",
        "https://zhaohua.example.org/x/{token}",
        "http://zhaohua.example.org/S/{token}",
        "https://zhaohua.example.org/S/{token}?from=wechat",
        "https://zhaohua.example.org/S/{token}#top",
        "https://user@zhaohua.example.org/S/{token}",
        "https://t.cn/A6x0abc",
        "WIFI:S:library;T:WPA;P:secret;;",
        "昭化区图书馆",
        "",
        "hello world",
        "abcDEF234567abcdef",  # mixed case: not a folded token
    ],
)
def test_foreign_texts_are_refused(make_token, keyring, text):
    with pytest.raises(CodeError) as exc:
        verify(text.format(token=make_token()), keyring, base_url=BASE, now=NOW)
    assert exc.value.reason in {"foreign", "garbage"}


def test_non_string_is_garbage(keyring):
    with pytest.raises(CodeError) as exc:
        verify(b"AAAA", keyring)  # type: ignore[arg-type]
    assert exc.value.reason == "garbage"


@pytest.mark.parametrize(
    "base",
    ["ftp://zhaohua.example.org", "https://zhaohua.example.org/?a=1", "https://zhaohua.example.org/#x",
     "https://t.cn", "https://bit.ly", "https://dwz.cn", "https://www.bit.ly",
     "zhaohua.example.org",
     "https://u:p@zhaohua.example.org", "https://"],
)  # fmt: skip
def test_code_url_refuses_bad_bases(make_token, base):
    with pytest.raises(QRError):
        code_url(base, make_token())


def test_code_url_keeps_base_path_and_refuses_non_tokens(make_token):
    token = make_token()
    assert (
        code_url("https://gov.example.cn/wenming/", token)
        == f"HTTPS://GOV.EXAMPLE.CN/wenming/S/{token}"
    )
    assert (
        extract_token(f"https://gov.example.cn/wenming/S/{token}", "https://gov.example.cn/wenming")
        == token
    )
    with pytest.raises(QRError):
        code_url(BASE, "not a token")


def _reason(text, keyring, **kw):
    with pytest.raises(CodeError) as exc:
        verify(text, keyring, **kw)
    return exc.value.reason


def test_reason_garbage(keyring):
    assert _reason("AAAAAAAAAAAAAAAAAAAAAAAA", keyring) == "garbage"
    assert _reason("A" * 129, keyring) == "garbage"  # not a whole number of bytes


def test_reason_foreign(make_token, keyring):
    assert _reason("https://example.com/S/" + make_token(), keyring, base_url=BASE) == "foreign"


def test_reason_tampered(key, make_token, keyring):
    token = make_token()
    forged = sign(Payload("point", "43", 3, NOW, None, "K1"), SigningKey.generate("K1"))
    assert _reason(forged, keyring, now=NOW) == "tampered"
    assert token != forged


def test_reason_wrong_type(make_token, keyring):
    assert (
        _reason(make_token(type="order"), keyring, expected_type="volunteer", now=NOW)
        == "wrong_type"
    )


def test_reason_unknown_key(keyring):
    other = SigningKey.generate("K9")
    assert (
        _reason(sign(Payload("point", "42", 1, NOW, None, "K9"), other), keyring, now=NOW)
        == "unknown_key"
    )


def test_reason_retired_key_and_rotation(key, make_token):
    new = SigningKey.generate("K2")
    ring = Keyring.from_keys([key.public_jwk()])
    old_token = make_token()
    ring.add(new.public_jwk())
    new_token = make_token(signer=new)
    # During rotation both keys verify.
    assert verify(old_token, ring, now=NOW).key_id == "K1"
    assert verify(new_token, ring, now=NOW).key_id == "K2"
    ring.retire("K1")
    assert _reason(old_token, ring, now=NOW) == "retired_key"
    assert verify(new_token, ring, now=NOW).key_id == "K2"
    # Retirement survives the JSON a kiosk downloads.
    assert _reason(old_token, Keyring.from_json(ring.to_json()), now=NOW) == "retired_key"


def test_reason_expired_and_not_yet_valid(make_token, keyring):
    token = make_token(type="presence", expires_at=NOW + 15)
    assert verify(token, keyring, now=NOW + 14).type == "presence"
    assert _reason(token, keyring, now=NOW + 15) == "expired"
    assert _reason(token, keyring, now=NOW - 61) == "not_yet_valid"
    assert verify(token, keyring, now=NOW - 60).subject == "42"  # clock-skew leeway


def test_reason_revoked(make_token, keyring):
    token = make_token(version=3)
    assert _reason(token, keyring, revoked={"point:42:3"}, now=NOW) == "revoked"
    assert verify(make_token(version=4), keyring, revoked={"point:42:3"}, now=NOW).version == 4


def test_reason_unsupported_version(key, keyring):
    import base64

    body = bytes([FORMAT_VERSION + 1]) + pack(Payload("point", "42", 3, NOW, None, "K1"))[1:]
    token = base64.b32encode(body + key.sign(body)).decode().rstrip("=")
    assert _reason(token, keyring, now=NOW) == "unsupported_version"


def test_every_reason_has_a_test():
    tested = {"garbage", "foreign", "tampered", "wrong_type", "unknown_key", "retired_key",
              "expired",
              "not_yet_valid", "revoked", "unsupported_version"}  # fmt: skip
    assert tested == REASONS


def _mutations(text: str):
    for i, original in enumerate(text):
        for b in range(256):
            if chr(b) != original:
                yield i, text[:i] + chr(b) + text[i + 1 :]


def test_every_single_byte_change_of_a_token_is_refused(make_token, keyring):
    token = make_token(type="presence", expires_at=NOW + 30)
    bad = []
    for i, mutated in _mutations(token):
        try:
            verify(mutated, keyring, now=NOW)
        except CodeError:
            continue
        except Exception as exc:  # noqa: BLE001 - the point is that nothing else escapes
            bad.append((i, repr(mutated[i]), type(exc).__name__))
        else:
            bad.append((i, repr(mutated[i]), "verified"))
    assert bad == []


def test_every_single_byte_change_of_a_url_is_refused(make_token, keyring):
    url = code_url(BASE, make_token())
    path_s = url.index("/S/") + 1
    bad = []
    for i, mutated in _mutations(url):
        if i == path_s and mutated[i] == "s":
            continue  # /s/ and /S/ are the same route by design
        try:
            verify(mutated, keyring, base_url=BASE, now=NOW)
        except CodeError:
            continue
        except Exception as exc:  # noqa: BLE001
            bad.append((i, repr(mutated[i]), type(exc).__name__))
        else:
            bad.append((i, repr(mutated[i]), "verified"))
    assert bad == []


def test_payload_validation():
    with pytest.raises(QRError):
        Payload("point", "a:b", 1, NOW, None, "K1")  # ":" would make code_id ambiguous
    with pytest.raises(QRError):
        Payload("point", "42", 1, NOW, NOW, "K1")
    with pytest.raises(ValueError):
        Payload("parking", "42", 1, NOW, None, "K1")


def test_sign_refuses_key_mismatch(key):
    with pytest.raises(QRError):
        sign(Payload("point", "42", 1, NOW, None, "OTHER"), key)


def test_keys_pem_and_jwk_round_trip(key, make_token):
    again = SigningKey.from_pem(key.to_pem(), "K1")
    assert again.public_jwk() == key.public_jwk()
    jwk = key.public_jwk()
    assert (
        set(jwk) == {"kid", "kty", "crv", "x"} and jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"
    )
    assert "PRIVATE" not in repr(key)
    assert (
        SigningKey.from_pem(key.to_pem()).key_id == SigningKey.from_pem(key.to_pem()).key_id
    )  # derived kid
    ring = Keyring.from_json(Keyring.from_keys([jwk]).to_json())
    assert verify(make_token(), ring, now=NOW).key_id == "K1"


def test_keyring_refuses_bad_input(key):
    with pytest.raises(QRError):
        Keyring.from_json("not json")
    with pytest.raises(QRError):
        Keyring.from_keys([{"kid": "K1", "kty": "RSA"}])
    with pytest.raises(QRError):
        Keyring.from_keys(
            [key.public_jwk(), {**SigningKey.generate("K1").public_jwk()}]
        )  # kid reuse
    with pytest.raises(QRError):
        Keyring().retire("nope")
    with pytest.raises(QRError):
        SigningKey.from_pem(b"-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
