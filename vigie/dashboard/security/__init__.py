"""What every request and response of the dashboard goes through, besides logging in:
security headers, the same-origin check, page paths, and session cookies."""
