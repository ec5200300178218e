"""Serving: the web UI, its rendering, rate limit, feedback and the staff views."""
