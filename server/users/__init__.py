"""Dashboard accounts: district, institute and station admins, each scoped to a subtree."""
