"""The error answers the simulator's drives and shares raise (server.py renders a DriveError as the
error envelope of its code, with model.py's HTTP status and message for it)."""

from __future__ import annotations

# Simulator-invented codes for cases with no public evidence (quark-api.md section 6).
INVALID_PARAMS = 10001
TOO_MANY_PATHS = 10002
TASK_NOT_FOUND = 10003
# Real codes (quark-api.md 7): 21001 `file not found [<fid>]` with HTTP 404 for a fid the drive does not
# hold (quark-replies.json common_errors[2], on file/info: the simulator answers it wherever a request
# names a fid it does not have); 14001 `Bad Parameter: [...]` with HTTP 400 (common_errors[1], save[5]).
FILE_NOT_FOUND = 21001
BAD_PARAMETER = 14001


class DriveError(Exception):
    """A Quark error answer: rendered by the server as the error envelope of `code`."""

    def __init__(self, code: int, status: int | None = None, message: str | None = None) -> None:
        super().__init__(code)
        self.code, self.status, self.message = code, status, message


def file_not_found(fid: object) -> DriveError:
    """21001 naming the fid, as common_errors[2] shows it: `file not found [<fid>]`."""
    return DriveError(FILE_NOT_FOUND, message=f"file not found [{fid if isinstance(fid, str) else ''}]")


def bad_parameter(what: str) -> DriveError:
    """14001 `Bad Parameter: [<what>]`, HTTP 400 (common_errors[1]; save[5] for an empty pwd_id)."""
    return DriveError(BAD_PARAMETER, message=f"Bad Parameter: [{what}]")
