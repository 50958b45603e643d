"""`python -m procmap`: the same command line as the `procmap` script.

Owns nothing but the entry point; everything happens in `procmap.cli.main`.
"""

from procmap.cli import main

if __name__ == "__main__":
    main()
