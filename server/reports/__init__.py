"""Reports: the monthly governance report (HTML, PDF, CSV) and the helpers every report uses.

``server.reports.render`` turns a Jinja template into HTML or PDF (its filters, CSV cells
that a spreadsheet cannot run and the download response are in ``server.common.rendering``,
shared with the evidence pack); ``server.reports.scope`` works out which services a user
may print reports for.
"""
