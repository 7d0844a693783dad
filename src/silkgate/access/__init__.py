"""Who may do what: principals, roles and bearer tokens."""
