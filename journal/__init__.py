"""Műhelynapló: the workshop journal of a Hungarian group-mentoring program."""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Request
from werkzeug.exceptions import BadRequest, SecurityError
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(SystemExit):
    """A refusal to start, printed as one plain message instead of a traceback."""


class IdConverter(IntegerConverter):
    """An `<int:…>` URL part that fits an integer column: a larger number matches no route
    (404), instead of reaching the database and failing there (500)."""

    def __init__(self, map, *args, **kwargs):
        """Bound the number as the id columns are bound."""
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


# The control characters but tab, line feed and carriage return: invisible in a text, refused
# by PostgreSQL (NUL), spreadsheets and calendar files. A vertical tab or a form feed, which a
# text pasted from a word processor or a PDF may carry, reads as the line break it stood for.
_CONTROLS = {code: None for code in [*range(32), 127] if code not in (9, 10, 13)}
_CONTROLS |= {11: "\n", 12: "\n"}
# A lone surrogate ("\ud800" in a JSON body) is half a character: no UTF-8 text, nor any
# database, holds it. Only a broken or forged client sends one.
_CONTROLS |= dict.fromkeys(range(0xD800, 0xE000))


# The same characters, found at C speed: most texts hold none, and translate() looks up every
# character of a text in the table (0.3 ms for an autosave's 5,000 characters).
_ANY_CONTROL = re.compile("[" + "".join(re.escape(chr(code)) for code in _CONTROLS) + "]")


def without_controls(value: str) -> str:
    """Return a text without its control characters (tab and line breaks stay) and lone
    surrogates."""
    return value.translate(_CONTROLS) if _ANY_CONTROL.search(value) else value


def _plain_json(value):
    """Return parsed JSON with every text in it plain (keys too)."""
    if isinstance(value, str):
        return without_controls(value)
    if isinstance(value, list):
        return [_plain_json(item) for item in value]
    if isinstance(value, dict):
        return {without_controls(key): _plain_json(item) for key, item in value.items()}
    return value


class AppRequest(Request):
    """What every view reads of a request:

    - a HEAD reads as GET: a view tells a form's first load from its post by the method, and a
      HEAD (a link preview, a checker) must answer as the GET does, never take the post's
      path (Werkzeug still sends no body, as the server's environ says HEAD);
    - the query string's, the form's and a JSON body's texts without control characters
      (`without_controls`), whichever form, view or operation stores them; JSON nested too
      deeply for the parser is a malformed body.
    """

    def __init__(self, environ, *args, **kwargs):
        """Read the method as GET when it is HEAD."""
        super().__init__(environ, *args, **kwargs)
        if self.method == "HEAD":
            self.method = "GET"

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True):
        """Parse the body as Werkzeug does, its texts plain; nesting too deep for the parser
        is refused like any malformed body (not a RecursionError, which would answer 500)."""
        try:
            return _plain_json(super().get_json(force=force, silent=silent, cache=cache))
        except RecursionError:
            if silent:
                return None
            raise BadRequest("JSON nested too deeply") from None

    @cached_property
    def args(self):
        """The query string's values, plain."""
        return self._plain(super().args)

    def _load_form_data(self) -> None:
        """Parse the form as Werkzeug does, then make its values plain."""
        if "form" in self.__dict__:
            return
        super()._load_form_data()
        self.__dict__["form"] = self._plain(self.__dict__["form"])

    def _plain(self, values):
        """Return a copy of a multi-dict whose keys and values are plain."""
        return self.parameter_storage_class(
            (without_controls(key), without_controls(value))
            for key, value in values.items(multi=True)
        )


class App(Flask):
    """The Flask application, whose unexpected errors go to the security log."""

    request_class = AppRequest

    def create_url_adapter(self, request):
        """Bind URLs to the request's host; a host outside TRUSTED_HOSTS is refused (400), and
        the page saying so is built on PUBLIC_URL's host (Flask would build no URL at all)."""
        try:
            return super().create_url_adapter(request)
        except SecurityError as refused:
            if request is None:
                raise
            request.routing_exception = refused
            host = self.config["SERVER_NAME"] or urlsplit(self.config["PUBLIC_URL"]).netloc
            request.environ["HTTP_HOST"] = host  # the claimed host is refused: never used
            request.host = host
            return super().create_url_adapter(request)

    def log_exception(self, exc_info) -> None:
        """Log an unhandled exception once, with its traceback and the request's id."""
        from journal import errors

        errors.log_server_error(exc_info)


def create_app(test_config: dict | None = None) -> Flask:
    """Build and configure the application."""
    from journal import static_files

    app = App(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(static_files.STATIC),
        static_url_path=static_files.url_path(),
        instance_path=os.environ.get("MUHELYNAPLO_INSTANCE") or str(ROOT / "instance"),
        instance_relative_config=True,
    )
    app.url_map.converters["int"] = IdConverter
    _configure(app, test_config)

    from journal import database, security, security_log
    from journal.extensions import babel, csrf, db, limiter, login_manager, migrate
    from journal.i18n import register_i18n, select_locale

    security_log.init_app(app)
    db.init_app(app)
    database.configure_engine(app)
    from journal.search.index import is_model_object

    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        include_object=is_model_object,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    register_i18n(app)
    login_manager.init_app(app)
    security.init_app(app)
    static_files.init_app(app)

    from journal import cli, errors, expiry, layout, once
    from journal.auth import two_factor
    from journal.auth.views import bp as auth_bp
    from journal.drafts.views import bp as drafts_bp
    from journal.exports.views import bp as exports_bp
    from journal.groups.views import bp as groups_bp
    from journal.journals.views import bp as journals_bp
    from journal.methods.views import bp as methods_bp
    from journal.narratives.views import bp as narratives_bp
    from journal.notes.views import bp as notes_bp
    from journal.people.views import bp as people_bp
    from journal.personal_data.views import bp as personal_data_bp
    from journal.privacy.views import bp as privacy_bp
    from journal.profile.views import bp as profile_bp
    from journal.program.views import bp as program_bp
    from journal.reports.views import bp as reports_bp
    from journal.search.views import bp as search_bp
    from journal.workshops.views import bp as workshops_bp

    for blueprint in (
        auth_bp,
        groups_bp,
        workshops_bp,
        journals_bp,
        drafts_bp,
        notes_bp,
        reports_bp,
        narratives_bp,
        people_bp,
        profile_bp,
        program_bp,
        search_bp,
        methods_bp,
        exports_bp,
        personal_data_bp,
        privacy_bp,
    ):
        app.register_blueprint(blueprint)
    errors.init_app(app)
    expiry.init_app(app)
    once.init_app(app)
    two_factor.init_app(app)
    layout.init_app(app)
    cli.init_app(app)
    return app


def _configure(app: Flask, test_config: dict | None) -> None:
    """Load defaults, then instance/config.py, then the environment (or the test config)."""
    from journal.config import DefaultConfig

    app.config.from_object(DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("MUHELYNAPLO")
        for name in ("SECRET_KEY", "DATABASE_URL"):
            if os.environ.get(name):
                app.config[name] = os.environ[name]
    else:
        app.config.from_mapping(test_config)

    url = app.config.get("DATABASE_URL") or app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        url = "sqlite:///" + os.path.join(app.instance_path, "muhelynaplo.sqlite")
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("postgresql"):
        # A connection the server ended (a restart, a failover) is noticed and replaced
        # before use, instead of failing the first request of each worker with a 500.
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True} | options

    # Only the hosts the app is served on: a request naming another answers 400, so no page,
    # redirect or link is ever built on a host a client made up.
    public_host = urlsplit(app.config["PUBLIC_URL"]).hostname
    app.config["TRUSTED_HOSTS"] = [public_host, *app.config["EXTRA_HOSTS"]]

    # Over HTTPS (secure cookies) the cookies are named __Host-: a browser then keeps them only
    # as sent by this very host over HTTPS for path /, never set by a sibling domain or http.
    if app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_NAME"] == "session":
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
    if app.config["REMEMBER_COOKIE_SECURE"] and "REMEMBER_COOKIE_NAME" not in app.config:
        app.config["REMEMBER_COOKIE_NAME"] = "__Host-remember_token"

    if not app.config.get("SECRET_KEY"):
        if not (app.debug or app.testing or os.environ.get("FLASK_DEBUG") == "1"):
            raise ConfigurationError(
                "Műhelynapló will not start: SECRET_KEY is not set. Set the SECRET_KEY "
                "environment variable or put SECRET_KEY = '…' in instance/config.py "
                "(for example: python3 -c 'import secrets; print(secrets.token_hex(32))')."
            )
        # Development only: a throw-away key, so sessions end when the server restarts.
        app.config["SECRET_KEY"] = os.urandom(32).hex()
