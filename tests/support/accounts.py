"""The accounts the kit's own envs/*/env.yaml name, as the enforcing sandbox's two-account layout uses them."""

from __future__ import annotations

STAGING_ACCOUNT, PROD_ACCOUNT = "111111111111", "222222222222"
# Each account's environments, with the GitHub environment whose jobs apply them (bootstrap's `environments`).
TWO_ACCOUNTS = {
    STAGING_ACCOUNT: {"staging": "staging", "fargate": "fargate"},
    PROD_ACCOUNT: {"prod": "production"},
}
