"""The `webcare` console script: a FlaskGroup over the app, with the subcommands of webcare.commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from webcare.app import create_app


def _create_app() -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True, add_version_option=False)
def main() -> None:
    """Webcare: shared inbox, response protocol, rosters and response-time reports."""


if __name__ == "__main__":
    main()
