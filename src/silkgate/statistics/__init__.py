"""Statistics: the Time Release Study's stage times and daily sums, and trade statistics
(UN IMTS 2010), kept as the work happens and published as open data."""
