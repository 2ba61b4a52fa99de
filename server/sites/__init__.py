"""The site tree: district center → institutes (所) → stations (站) → service points (点)."""
