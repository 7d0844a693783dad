"""Customs-to-customs exchange: signed messages between partner administrations' nodes.

``identity`` (keys, cards), ``envelope`` (JWS over canonical JSON), ``messages``
(the payloads), ``advance`` (advance export data and its comparison with the
import declaration) and ``aeo`` (the AEO programme's lifecycle) are pure;
``service`` and ``dispatcher`` are the edges that store, send and receive.
"""
