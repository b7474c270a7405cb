from tracklingo.cli import run

run()
