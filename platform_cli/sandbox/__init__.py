"""The local AWS sandbox: moto's server plus the project's App Runner emulator, on one loopback port.

Stands alone: nothing in here imports the CLI. Start it with platform_cli.sandbox.manager (or
`platformctl sandbox start`); point clients at it with manager.env_vars().
"""
