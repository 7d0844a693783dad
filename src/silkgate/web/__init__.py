"""The web console: server-rendered pages for officers and declarants (Jinja2 + htmx)."""
