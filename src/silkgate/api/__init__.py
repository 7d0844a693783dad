"""The REST API under ``/v1``: thin translation between HTTP and the services."""
