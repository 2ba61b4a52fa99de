"""Shared base: domain errors, transactions, the JSON API edge, auth and audit."""
