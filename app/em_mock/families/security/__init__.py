"""Enterprise Manager's own security settings: accounts and roles."""
