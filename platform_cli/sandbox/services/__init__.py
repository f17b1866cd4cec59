"""One module per AWS service the sandbox patches, shaped alike: everything the sandbox changes about that service
(model patches on moto's classes, wire fixes registered with ..wire) and one public `install()`, made idempotent by
..patching.install_once. The server composes them (server.SERVICES); a service module never imports the server
(an import-linter contract in pyproject.toml checks it). How to add one: ../README.md, "Adding a service".
"""
