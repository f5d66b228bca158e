"""The application gunicorn serves: ``gunicorn server.wsgi:app``.

Each worker builds the app once and then freezes what it built. The app's modules, routes,
schemas and metadata live as long as the worker; frozen, they leave the garbage collector's
generations, so a collection no longer walks them all (a push of 500 makes enough objects
to trigger several): about a seventh of a push's CPU before.
"""

import gc

from server import create_app

app = create_app()
gc.freeze()
