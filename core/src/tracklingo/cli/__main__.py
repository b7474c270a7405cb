from tracklingo.cli import main

main()
