"""Test and learn measured like a trial (issue 19): so far the statistics of the comparison."""
