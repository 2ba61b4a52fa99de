"""Command line ``python -m qr``: decode images, make codes, verify, generate keys and sign."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .decode import decode
from .errors import CodeError, QRError
from .keys import Keyring, SigningKey
from .payload import CodeType, Payload
from .render import to_png, to_svg
from .tokens import code_url, sign, verify

__all__ = ["main"]


def _cmd_decode(args: argparse.Namespace) -> int:
    status = 0
    for path in args.paths:
        start = time.perf_counter()
        try:
            found = decode(path, thorough=True)  # files are one-offs: spend the time
        except QRError as exc:
            status = 1
            if args.json:
                print(json.dumps({"path": path, "error": str(exc)}, ensure_ascii=False))
            else:
                print(f"{path}: error: {exc}")
            continue
        ms = round((time.perf_counter() - start) * 1000, 1)
        if args.json:
            print(
                json.dumps(
                    {"path": path, "texts": [d.text for d in found], "ms": ms}, ensure_ascii=False
                )
            )
        elif not found:
            print(f"{path}: no QR code")
        else:
            for d in found:
                print(f"{path}: {d.text}  [{d.decoder}, {ms} ms]")
    return status


def _cmd_make(args: argparse.Namespace) -> int:
    out = Path(args.output)
    if out.suffix.lower() == ".svg":
        out.write_text(to_svg(args.text), encoding="utf-8")
    elif out.suffix.lower() == ".png":
        out.write_bytes(to_png(args.text))
    else:
        print("error: output must end in .png or .svg", file=sys.stderr)
        return 2
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    try:
        ring = Keyring.from_json(Path(args.keys).read_bytes())
    except OSError as exc:
        print(f"error: cannot read keys: {exc}", file=sys.stderr)
        return 2
    try:
        p = verify(args.code, ring, base_url=args.base_url, expected_type=args.type)
    except CodeError as exc:
        print(f"invalid: {exc.reason} ({exc})")
        return 1
    print(f"valid {p.type} code")
    for field in ("type", "subject", "version", "issued_at", "expires_at", "key_id", "code_id"):
        print(f"  {field}: {getattr(p, field)}")
    return 0


def _cmd_keygen(args: argparse.Namespace) -> int:
    key = SigningKey.generate(args.kid)
    out = Path(args.out)
    out.write_bytes(key.to_pem())
    out.chmod(0o600)  # a private key: owner only
    print(json.dumps(key.public_jwk()))
    return 0


def _cmd_sign(args: argparse.Namespace) -> int:
    key = SigningKey.from_pem(Path(args.key).read_bytes(), args.kid)
    now = int(time.time())
    payload = Payload(
        args.type, args.subject, args.version, now, now + args.ttl if args.ttl else None, key.key_id
    )
    token = sign(payload, key)
    print(code_url(args.base_url, token) if args.base_url else token)
    return 0


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m qr", description="文明服务码 tools")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("decode", help="read QR codes from image files")
    p.add_argument("--json", action="store_true", help="one JSON object per input per line")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=_cmd_decode)
    p = sub.add_parser("make", help="write a QR code as PNG or SVG")
    p.add_argument("text")
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.set_defaults(func=_cmd_make)
    p = sub.add_parser("verify", help="verify a token or code URL offline")
    p.add_argument("code", metavar="TOKEN_OR_URL")
    p.add_argument(
        "--keys", required=True, metavar="FILE", help='keyring JSON {"keys": [jwk, ...]}'
    )
    p.add_argument("--base-url")
    p.add_argument("--type", choices=[t.value for t in CodeType])
    p.set_defaults(func=_cmd_verify)
    p = sub.add_parser("keygen", help="create a signing key; prints its public JWK")
    p.add_argument("--out", required=True, metavar="PRIVATE.pem")
    p.add_argument("--kid")
    p.set_defaults(func=_cmd_keygen)
    p = sub.add_parser("sign", help="issue a code (for tests and demos)")
    p.add_argument("--key", required=True, metavar="PRIVATE.pem")
    p.add_argument("--kid", help="key id, if not the one derived from the key")
    p.add_argument("--type", required=True, choices=[t.value for t in CodeType])
    p.add_argument("--subject", required=True)
    p.add_argument("--version", required=True, type=int)
    p.add_argument("--ttl", type=int, default=0, help="seconds until expiry; 0 = never")
    p.add_argument("--base-url")
    p.set_defaults(func=_cmd_sign)
    return ap


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 1 invalid or unreadable input, 2 usage)."""
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except (QRError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
