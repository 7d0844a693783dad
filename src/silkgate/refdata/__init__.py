"""Open reference data shipped with silkgate (HS 2022, ISO codes, UN/ECE, UN/LOCODE)."""
