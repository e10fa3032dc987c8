"""``make bench``: load N synthetic customers fast, then time the search and list queries.

``bench.data`` makes the rows (seeded, so two runs load the same customers), ``bench.load``
writes them in bulk into the configured database, ``bench.measure`` times each query through the
HTTP API and as raw SQL, and ``bench.report`` prints the machine and the table.
"""
