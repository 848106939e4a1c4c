"""Command-line tasks: create the database, load the demo, add people, list groups, remind,
rebuild the search index, back up and restore."""

from pathlib import Path

import click
from flask import Flask, current_app, url_for
from flask_migrate import upgrade
from sqlalchemy import func, or_, select

from journal.auth.operations import create_invitation
from journal.auth.passwords import hash_password
from journal.backups import BackupError, backup, check_backup, restore
from journal.demo import DemoDataError, seed_demo, seed_program
from journal.extensions import db
from journal.groups.queries import current_members
from journal.i18n import sort_hungarian
from journal.markdown import PIPELINE_VERSION, stored
from journal.models import (
    Group,
    RenderedBody,
    Role,
    User,
    local_today,
)
from journal.people.operations import PeopleError, add_to_group
from journal.reminders import send_reminders
from journal.search import index as search_index


@click.command("init-db")
def init_db_command() -> None:
    """Create or upgrade the database schema to the newest migration, render again the
    stored HTML of texts written by an older Markdown pipeline, and index every text the
    search index lacks (all of them in a database from before search; the methods in one from
    before the methods library was searchable)."""
    upgrade()
    rendered = render_stale_markdown()
    indexed = search_index.fill_missing()
    db.session.commit()
    click.echo(
        f"Database is up to date ({rendered} texts rendered again, {indexed} texts indexed)."
    )


@click.command("reindex")
def reindex_command() -> None:
    """Write the search index again from the stored texts (after a restore, or a bulk change
    made outside the app)."""
    count = search_index.rebuild()
    db.session.commit()
    click.echo(f"Search index rebuilt: {count} texts.")


def render_stale_markdown() -> int:
    """Store the HTML of every body rendered by another pipeline version (or never); return
    how many. Only the HTML columns change: no version, date or revision."""
    count = 0
    for model in RenderedBody.__subclasses__():
        stale = or_(model.body_html_version.is_(None), model.body_html_version != PIPELINE_VERSION)
        for row in db.session.scalars(select(model).where(stale)):
            for column, value in stored(row.body).items():
                setattr(row, column, value)
            count += 1
    db.session.flush()
    return count


@click.command("seed-demo")
@click.option("--password", default="muhelynaplo", show_default=True, help="Demo password.")
def seed_demo_command(password: str) -> None:
    """Load the demo program (journal/demo/program.toml) dated from today; running it twice
    changes nothing."""
    try:
        seed_demo(password)
    except DemoDataError as error:
        raise click.ClickException(f"journal/demo/program.toml: {error}") from error
    db.session.commit()
    groups = db.session.scalar(select(func.count()).select_from(Group))
    people = db.session.scalar(select(func.count()).select_from(User))
    click.echo(f"Demo program loaded: {groups} groups, {people} people.")


@click.command("seed-program")
def seed_program_command() -> None:
    """Create the program and its groups (from journal/demo/program.toml) and nothing else: no
    demo person, workshop or note. A real deployment starts here, then names its coordinator
    (create-user --coordinator), who sets the period, funder and grant on /program/settings."""
    try:
        seed_program()
    except DemoDataError as error:
        raise click.ClickException(f"journal/demo/program.toml: {error}") from error
    db.session.commit()
    slugs = ", ".join(db.session.scalars(select(Group.slug).order_by(Group.slug)))
    click.echo(f"Program created with its groups: {slugs}.")


def _group(slug: str) -> Group:
    """Return the group with this slug or stop with a message."""
    group = db.session.scalar(select(Group).where(Group.slug == slug))
    if group is None:
        raise click.ClickException(f"No group with the slug {slug!r}.")
    return group


def _password_problems(password: str) -> list[str]:
    """Return what the set-password page would say of a password (in English): the command
    line keeps the same rules (at least 10 characters, not guessable)."""
    from flask_babel import force_locale
    from werkzeug.datastructures import MultiDict

    from journal.auth.forms import SetPasswordForm

    typed = MultiDict({"password": password, "confirm": password})
    with current_app.test_request_context(), force_locale("en"):
        form = SetPasswordForm(formdata=typed, meta={"csrf": False})
        form.validate()
        return [str(error) for error in form.password.errors]


@click.command("create-user")
@click.argument("email")
@click.option("--family", required=True, help="Family name (vezetéknév).")
@click.option("--given", required=True, help="Given name (keresztnév).")
@click.option("--password", help="Password; without it, an invitation link is printed.")
@click.option("--coordinator", is_flag=True, help="Make the person the program coordinator.")
@click.option("--mentor-of", "mentor_of", multiple=True, metavar="SLUG")
@click.option("--member-of", "member_of", multiple=True, metavar="SLUG")
def create_user_command(email, family, given, password, coordinator, mentor_of, member_of):
    """Add a person, optionally as coordinator, mentor or participant of groups."""
    email = email.strip().lower()
    if "@" not in email:
        raise click.ClickException("That is not an email address.")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise click.ClickException(f"A user with the email {email} already exists.")
    if password and (problems := _password_problems(password)):
        raise click.ClickException(" ".join(problems))
    user = User(email=email, family_name=family, given_name=given, is_coordinator=coordinator)
    if password:
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    try:
        for slug in mentor_of:
            add_to_group(None, user, _group(slug), Role.MENTOR)
        for slug in member_of:
            add_to_group(None, user, _group(slug), Role.PARTICIPANT)
    except PeopleError as error:
        raise click.ClickException(str(error)) from error
    token = None if password else create_invitation(user, None)
    db.session.commit()
    click.echo(f"Created {user.full_name} <{user.email}>.")
    if token:
        with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
            link = url_for("auth.open_invitation", token=token, _external=True)
        click.echo(f"Single-use link to set the password: {link}")


@click.command("groups")
def groups_command() -> None:
    """List the groups with their slugs and current members."""
    groups = sort_hungarian(db.session.scalars(select(Group)), key=lambda g: g.slug)
    for group in groups:
        click.echo(f"{group.slug}: {group.name} ({group.region})")
        mentors, participants = current_members(group)
        for membership in [*mentors, *participants]:
            role = "mentor" if membership.role == Role.MENTOR else "participant"
            click.echo(f"  {role:<12} {membership.user.full_name} <{membership.user.email}>")


@click.command("remind")
def remind_command() -> None:
    """Mail each mentor a digest of their open tasks and the coordinator the program's (at most
    once a day each, only when something is open); without MAIL_SERVER print them instead.
    Run daily by cron. A refused mail is logged and sent again at the next run."""
    outcome = send_reminders(local_today(), click.echo, db.session.commit)
    db.session.commit()
    if outcome.printed:
        click.echo(f"MAIL_SERVER is not set: {outcome.printed} reminders printed, none sent.")
    else:
        click.echo(f"Reminders sent: {outcome.sent}, failed: {outcome.failed}.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write a consistent copy of the database to PATH while the app runs (SQLite: the
    online backup API; PostgreSQL: pg_dump -Fc). The cached PDFs are not part of it."""
    try:
        message = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path, click.echo)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(message)


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database with the backup at PATH, after checking its integrity and its
    schema version (a mismatch is refused before anything changes). Stop the app first."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    db.engine.dispose()  # this process's own connections must not hold the database
    try:
        what = check_backup(url, path)
        if not yes:
            click.confirm(
                f"{path}: {what}. Replace everything in the database with it?", abort=True
            )
        message = restore(url, path, click.echo)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(message)


def init_app(app: Flask) -> None:
    """Register the commands."""
    for command in (
        init_db_command,
        seed_demo_command,
        seed_program_command,
        create_user_command,
        groups_command,
        remind_command,
        reindex_command,
        backup_command,
        restore_command,
    ):
        app.cli.add_command(command)
