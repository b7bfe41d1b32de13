"""Entrega: the relay that hands an encrypted evidence bundle from a phone to a consular office.

The contract is docs/entrega.md. One module per capability: `codes` (pickup and window codes,
fingerprints, two words), `envelope` (the padded plaintext inside the age file), `store` (the
relay's storage behind one interface), `api` (the HTTP routes), `sweep` (expiry), `cli`
(`cartilla desk-key`, `cartilla entrega`), `offices` (which offices have valid keys) and
`vectors` (the test vectors Python and JavaScript share).
"""
