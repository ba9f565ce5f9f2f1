"""The pages: thin views, GET forms, htmx helpers and CSV exports (see the README's code map)."""
