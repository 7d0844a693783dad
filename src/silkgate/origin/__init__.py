"""Origin: free-trade agreements and their rules, held as data."""
