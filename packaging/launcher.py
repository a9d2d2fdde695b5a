"""Entry script for the PyInstaller bundle: the same `main()` as the `fmstudio` command."""

from fmstudio.cli import main

raise SystemExit(main())
