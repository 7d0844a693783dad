"""The declaration: its document, validation, lifecycle and journal (pure core).

Nothing here imports a web or database framework; ``service.py`` is the
boundary that uses the store.
"""
