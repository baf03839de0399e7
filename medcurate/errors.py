"""The two kinds of failure a person can act on, and how each ends a command.

`UsageError` is a mistake in what was asked (a config value of the wrong type, an unknown stage, table,
column or tag, a path that does not exist): exit code 2. Anything that goes wrong while running on good
instructions (an unreadable or full store, a corrupted shard, a model that cannot load, refused input) is
a failed run: exit code 1. Either way the CLI prints one line; `--debug` shows the traceback.
"""


class UsageError(ValueError):
    """What was asked cannot be done as asked; the message names the value and where it came from."""


class RunFailed(RuntimeError):
    """Good instructions, but the run could not go on (store, model, server or refused input)."""
