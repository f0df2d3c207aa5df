"""The working day (issue 17): contacts planned on a case, a worker's diary of them and of the
actions they must do, the case a re-contact follows, and the team's "no contact for too long"
setting. The pages are in `pages` (its blueprint `bp`); the model in `models`."""
