"""Django's SQLite engine, except that a connection whose set-up fails is closed at once.

Django runs the init command on the new connection and, when it fails, lets the connection go without closing
it; it lingers until the garbage collector finds it. SQLite shares one lock and shared-memory state per
database file within a process, so every connection left open that way keeps the read-only state of a
database that was not writable when it was opened: a worker stayed at 503 after the files became writable
again, until it was restarted. Our init command ends with a write (see settings), so a connection to a file it
cannot write fails here, is closed, and the next request connects afresh.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        commands: list[str] = self.init_commands  # type: ignore[has-type]  # set by get_connection_params
        self.init_commands = []
        try:
            connection = super().get_new_connection(conn_params)  # Django's set-up, which writes nothing
        finally:
            self.init_commands = commands
        try:
            for command in commands:
                if command.strip():
                    connection.execute(command)
        except sqlite3.Error:
            connection.close()
            raise
        return connection
