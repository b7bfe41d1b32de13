"""Evidence bundles: reading, verifying and reporting on a worker's BagIt-in-ZIP bundle.

Owns the bundle format (docs/evidence-bundle.md): safe ZIP reading with limits enforced
while reading, BagIt manifest checks, the signature over the manifest, the journal's hash
chain, time receipts signed by the server's own key, the `cartilla verify` command, the
receipts API and the stateless PDF report endpoint. Nothing here stores a worker's data.
"""
