"""`quarkctl db init`: create the missing tables."""

from __future__ import annotations

import typer

from quarkctl.config import settings
from quarkctl.commands.options import DatabaseUrl, EnvFile, environment
from quarkctl.i18n import _
from quarkctl.redact import redact

db_app = typer.Typer(no_args_is_help=True, help=_("Manage quarkctl's database tables."))


@db_app.command(
    "init",
    help=_("Create the missing tables (cloud_resource and quarkctl's own); never drops or alters one.\n\n"
           "Example: DB_HOST=127.0.0.1 DB_USERNAME=pan DB_PASSWORD=... quarkctl db init"),
)
def db_init(env_file: EnvFile = None, database_url: DatabaseUrl = None) -> None:
    from quarkctl.db.database import Database  # SQLAlchemy only when a command opens the database

    config = settings.load(environment(env_file, DATABASE_URL=database_url), need_cookie=False)
    db = Database(config.database_url, default_sqlite=True, timeout=config.db_timeout)
    try:
        created, present = db.init_schema()
    finally:
        db.close()
    typer.echo(redact(_("database: {url}").format(url=db.label)))
    for name in created:
        typer.echo(_("created  {table}").format(table=name))
    for name in present:
        typer.echo(_("present  {table} (left as it is)").format(table=name))


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
