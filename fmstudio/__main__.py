from fmstudio.cli import main

raise SystemExit(main())
