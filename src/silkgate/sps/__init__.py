"""Sanitary, veterinary and phytosanitary (SPS) requirements: the quarantine side of clearance."""
