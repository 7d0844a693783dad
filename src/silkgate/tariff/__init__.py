"""Tariff, exchange rates, customs valuation and the assessment of duties and taxes."""
