from droplint.cli import main

main()
