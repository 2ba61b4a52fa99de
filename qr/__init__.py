"""文明服务码: signed, typed, versioned QR codes; sign, verify offline, render and decode them.

The top level names what most callers need, in the manner of segno: make a `Payload`, `sign`
it with a `SigningKey`, render the token (`to_png`, `to_svg`), `decode` a camera frame, `verify`
what was read against a `Keyring`; every error is a `QRError`, a refused code a `CodeError` with
a stable `reason`. The rest is public in its module, each with its own ``__all__``:
`qr.payload` (`CodeType`, the byte layout), `qr.keys` (`PublicKey`), `qr.tokens` (`code_url`,
`extract_token`), `qr.presence` (the rotating presence code), `qr.decode` (`Decoded`, the
decoders), `qr.render` (`matrix`, `runs`), `qr.errors` (`ImageError`, `REASONS`),
`qr.contract` (the debounce window, phone pattern and text limits the kiosk and the server
share), `qr.cli`.

Importing this package is cheap: OpenCV, ZBar, zxing-cpp and qrcode load on first use.
"""

from .decode import decode
from .errors import CodeError, QRError
from .keys import Keyring, SigningKey
from .payload import Payload
from .render import to_png, to_svg
from .tokens import sign, verify

__all__ = [
    "Payload",
    "SigningKey",
    "Keyring",
    "sign",
    "verify",
    "to_png",
    "to_svg",
    "decode",
    "QRError",
    "CodeError",
]
