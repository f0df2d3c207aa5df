"""The analysts' export: the records and the measures as a standalone SQLite file, optionally
pseudonymised (ADR 0009). `analysis` builds the file; `cli` is `casework export-analysis`."""
