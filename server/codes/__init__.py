"""Service codes on the server: signing keys, issuing, rotating, revoking, resolving, printing."""
