"""The dataset report (report.html): gathered from a written dataset, rendered with Jinja2."""
