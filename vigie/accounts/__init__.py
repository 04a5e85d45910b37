"""Who may see and do what: accounts, roles, passwords, kiosk links, and the access policy."""
