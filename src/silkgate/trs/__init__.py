"""The WCO Time Release Study, measured from the node's own journal."""
