"""Web Push for guide updates: subscriptions, VAPID keys and `cartilla notify`.

This package owns the push database (`settings.push_db_path`, the only durable server
state), the `/api/v1/push/*` endpoints, the `cartilla keys` and `cartilla notify` commands and
a local mock push service used by tests and the benchmark. It reads the content index and
never writes it.
"""
