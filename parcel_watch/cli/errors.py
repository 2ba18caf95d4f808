"""Exit codes and the errors that carry them (a user error never shows a traceback)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INTERNAL = 1  # a bug: short message; traceback with --debug or PARCEL_WATCH_DEBUG=1
    USAGE = 2  # bad command line (argparse)
    NOT_FOUND = 3  # the shipment asked for is not stored
    INVALID = 4  # invalid input: tracking number, carrier, value, input file
    DATABASE = 5  # database or configuration unusable (unreachable, bad URL, not a database)
    PARTIAL = 6  # import: some rows failed, the others were imported
    NOTHING_FOUND = 7  # add --from-text: no tracking number in the text


EXIT_CODES_HELP = """\
exit codes:
  0  success
  1  internal error (details with --debug or PARCEL_WATCH_DEBUG=1)
  2  usage error (bad command line)
  3  not found: no such shipment stored
  4  invalid input: bad tracking number, unknown carrier, bad value, unusable
     input or output file; import: no row was valid; detect: not a tracking
     number (no candidate, or none that validates)
  5  database or configuration error (unreachable database, bad URL,
     config file readable by other users, incomplete carrier credentials)
  6  partial failure: import kept the good rows, some rows failed
  7  nothing found: add --from-text found no tracking number
"""


class CliError(Exception):
    """A failure explained to the user in one message (plus an optional hint)."""

    code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, hint: str | None = None, code: ExitCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code is not None:
            self.code = code


class NotFound(CliError):
    code = ExitCode.NOT_FOUND


class InvalidInput(CliError):
    code = ExitCode.INVALID


class DatabaseError(CliError):
    code = ExitCode.DATABASE
