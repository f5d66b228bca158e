"""One job runner for the whole server: a table of jobs, a ``flask worker`` that claims and
runs them, and a registry of periodic jobs (docs/deployment.md, "The job runner").

Layout: ``models`` (the tables), ``queue`` (enqueue, claim, finish, fail and retry),
``kinds`` (what each job kind runs), ``schedule`` (the periodic jobs), ``worker`` (the
loop behind ``flask worker``), ``reports`` (large PDFs made in the background and cached)
and ``routes`` (the API to ask for one and fetch it).
"""
