"""Transfers between teams: a case asked to move, accepted or declined by the receiving team
(service.py; the pages in routes.py; the API in casework/api/transfers.py)."""
