"""The wage check: what the law and the promise say a worker should have been paid, from the log.

Owns the Python twin of `pwa/js/wages.js`. Both read the same wage-rules data (the
`WageJurisdiction` Structs from content/data/wage_rules.yaml, or the pack's `wage_rules`) and
must give identical results on the shared vectors in `tests/wage_vectors/`.

- `rules.py`: looking up dated figures and overtime steps; federal H-2A/H-2B program rules
  (citations only, no wage figures); loading rules from YAML or the index.
- `check.py`: the computation, per job, per workweek and per pay period.
- `report.py`: the result Structs (what `cartilla wages LOG.json` prints).
- `messages.py`: every explanation in Spanish and English.
- `cli.py`: `cartilla wages LOG.json`.
"""
