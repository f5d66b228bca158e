"""Reports: the monthly governance report (HTML, PDF, CSV) and the helpers every report uses.

``server.reports.render`` turns a Jinja template into HTML or PDF and writes CSV cells
that a spreadsheet cannot run; ``server.reports.scope`` works out which services a user
may print reports for.
"""
