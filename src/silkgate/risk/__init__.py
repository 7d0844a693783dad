"""Risk management and selectivity: analysts' profiles, a learned model, channels, feedback."""
