"""Set-up work done once per test process instead of once per test: the URL rules' builders,
the templates' compiled code and the SQLite schema. A module of its own, like tests/apps.py,
so that it is imported once."""

import inspect
import shutil
import tempfile
import weakref
from pathlib import Path

from jinja2 import Environment
from jinja2.bccache import Bucket, BytecodeCache
from werkzeug.routing.rules import Rule

from journal import create_app
from journal.extensions import db


def _cached_builders(compile_builder):
    """Wrap Werkzeug's `Rule._compile_builder` so that each URL rule's builder is compiled once
    per process, not once per app.

    Every test builds its own app, and compiling the ~100 rules' URL builders (Python code
    generated and compiled per rule) was most of `create_app`'s time. The generated function
    depends only on the rule's parsed parts, the names of its defaults and `append_unknown`;
    it reaches the rule's converters through the rule it is bound to (`.self`), so one
    function serves every app's copy of the same rule. A rule with a default for one of its
    own URL parts (whose converted value is written into the code) is compiled as before.
    """
    compiled = {}

    def cached(self, append_unknown=True):
        """Return the builder compiled for an identical rule before, or compile it now."""
        defaults = self.defaults or {}
        if any(dynamic and part in defaults for dynamic, part in self._trace):
            return compile_builder(self, append_unknown)
        key = (self.rule, tuple(self._trace), tuple(defaults), append_unknown)
        if key not in compiled:
            compiled[key] = compile_builder(self, append_unknown)
        return compiled[key]

    return cached


Rule._compile_builder = _cached_builders(Rule._compile_builder)

# What else decides the code Jinja compiles a template to (lexer, parser, code generator).
_JINJA_SETTINGS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "finalize",
    "undefined",
    "is_async",
    "code_generator_class",
)


def _policy(value):
    """Return a policy's value as part of a key. A method bound to a per-app object (Flask's
    JSON provider) stands as its function, its object's class and the object's own settings
    (its weak reference to the app left out), which decide what it returns."""
    if not inspect.ismethod(value):
        return value
    owner = value.__self__
    own = {k: v for k, v in vars(owner).items() if not isinstance(v, weakref.ProxyTypes)}
    return (value.__func__, type(owner), repr(sorted(own.items())))


def _compile_settings(environment: Environment, name: str | None) -> tuple:
    """Return everything of an environment that the code of template `name` depends on: its
    settings, its extensions and i18n policies, whether the template is autoescaped, and the
    very filter and test functions (the optimizer calls a filter on constant arguments)."""
    autoescape = environment.autoescape
    if callable(autoescape):
        autoescape = autoescape(name)
    return (
        type(environment),
        autoescape,
        tuple(getattr(environment, setting) for setting in _JINJA_SETTINGS),
        tuple(sorted((key, type(extension)) for key, extension in environment.extensions.items())),
        repr(sorted((key, _policy(value)) for key, value in environment.policies.items())),
        getattr(environment, "newstyle_gettext", None),
        tuple(sorted(environment.filters.items())),
        tuple(sorted(environment.tests.items())),
    )


class SharedTemplateCode(BytecodeCache):
    """Jinja's compiled templates, shared by every app of this process.

    Each test's app has its own Jinja environment, which compiled the same templates again
    (parse, generate Python, compile): about a third of a typical test's time. A template's
    code is reused only for the same name, file and source (its checksum), in an environment
    that compiles alike (_compile_settings); each environment still builds its own Template
    from the code, bound to its own globals and filters.
    """

    def __init__(self) -> None:
        """Start empty: (settings, name, file) → (source checksum, code)."""
        self.compiled: dict = {}

    def get_bucket(self, environment, name, filename, source) -> Bucket:
        """Return a bucket holding the code compiled before from this very source, if any."""
        key = (_compile_settings(environment, name), name, filename)
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        checksum, code = self.compiled.get(key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code
        return bucket

    def set_bucket(self, bucket: Bucket) -> None:
        """Keep the code just compiled."""
        self.compiled[bucket.key] = (bucket.checksum, bucket.code)


TEMPLATE_CODE = SharedTemplateCode()

_template_dir: str | None = None


def sqlite_template(config: dict) -> Path:
    """Return an empty SQLite database with the whole schema, built once per process by an app
    of this config; each test copies it instead of running the DDL again. The engine is
    disposed before the file is used, so the WAL is checkpointed into the file and gone."""
    global _template_dir
    if _template_dir is None:
        folder = tempfile.mkdtemp(prefix="muhelynaplo-schema-")
        app = create_app(config | {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/schema.sqlite"})
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        _template_dir = folder
    return Path(_template_dir) / "schema.sqlite"


def remove_sqlite_template() -> None:
    """Delete the template, if this process built one."""
    global _template_dir
    if _template_dir is not None:
        shutil.rmtree(_template_dir, ignore_errors=True)
        _template_dir = None
