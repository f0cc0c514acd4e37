from maverick_ext.cli import main

main()
