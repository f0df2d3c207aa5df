"""Test and learn measured like a trial (issue 19): trials and their random draw at intake,
the results with Newcombe's interval, the cost catalogue, what the usual system would have
done, and the cost of the journey. The pages are in `pages` (its blueprint `bp`)."""
