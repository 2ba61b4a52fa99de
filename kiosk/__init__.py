"""The kiosk app: frame sources, scanner, offline verifier, outbox and sync, touchscreen page."""
