"""GitHub's corner of platformctl: plan comments (pure rendering) and the client that posts them.

`comment` reads the `terraform show -json` document of a saved plan and its provenance and knows nothing else of
Terraform; `client` talks to GitHub's REST API. Neither imports Click or a command.
"""
