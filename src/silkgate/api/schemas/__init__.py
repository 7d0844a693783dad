"""The API's typed edges: command models for what it accepts, response models for what it answers.

Response models document the JSON the services build; the routes keep
serialising those dicts themselves (the lodging path is measured), so a model
never filters or reshapes an answer. Models of open-ended payloads (documents,
reports) allow extra keys.
"""
