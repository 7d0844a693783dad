"""Cross-border e-commerce retail imports: parcels cleared in bulk by the three-list check.

Modelled on China's 9610 (direct shipment) procedure: the platform, the payment
company and the logistics company each send their list; the platform's customs
agent sends one declaration list entry per parcel. The node compares them,
applies the consumer's limits and the reduced tax (terms as data,
``files/ecommerce-terms.toml``), secures the tax against the agent's guarantee,
runs the risk profiles over the parcel, and releases it or holds it with the
reason (``docs/ecommerce.md``). This package is the pure core; ``services/``
holds the use cases.
"""
