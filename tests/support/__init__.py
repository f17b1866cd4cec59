"""Helpers shared by tests, imported absolutely (`from support.deployment import Deployment`): tests/ is on
pytest's pythonpath. Fixtures stay in conftest.py files; nothing imports a conftest."""
