"""``python -m parcel_watch``: the command line (see parcel_watch.cli)."""

from parcel_watch.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
