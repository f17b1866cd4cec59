from platform_cli.cli import main

main()
