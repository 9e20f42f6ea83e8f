from udiplo.cli import main

main()
