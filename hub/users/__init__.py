"""People who use the console: accounts, roles (mapped to the API's scopes), sign-in with
lock-out, and server-side sessions."""
