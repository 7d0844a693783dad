"""``python -m silkgate.cli``: how the demo pair starts its nodes with this interpreter."""

from silkgate.cli import main

main()
