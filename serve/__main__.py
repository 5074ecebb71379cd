"""`python -m serve` runs the hotline command line."""

from serve.cli import app

app(prog_name="hotline")
