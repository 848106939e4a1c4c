"""Default configuration; instance/config.py and the environment override it."""

from datetime import timedelta


class DefaultConfig:
    """Settings every deployment starts from."""

    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None  # filled in by the factory
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # How long a SQLite write waits for another writer's lock before the request fails (with
    # a page that keeps what was typed): well inside gunicorn's 60 s worker timeout, so the
    # worker answers instead of being killed mid-request.
    SQLITE_BUSY_SECONDS = 10

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=14)  # also every session's longest life
    IDLE_TIMEOUT = timedelta(hours=12)  # a session not remembered ends after this long idle
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False

    # CSRF tokens live as long as the session: a form left open for hours must still submit.
    # journal/expiry.py runs the check itself (a page's own scripts prove their origin by
    # their headers, a plain form by its token).
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_CHECK_DEFAULT = False
    # A request body is read only up to this size (413 past it): above the largest form a
    # real text makes (the write mode's seven sections at their limit, percent-encoded).
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    # A multipart form may have at most this many parts, each text field at most this size
    # (413 past either); a urlencoded form is bounded by MAX_CONTENT_LENGTH alone.
    MAX_FORM_PARTS = 1000
    MAX_FORM_MEMORY_SIZE = 1024 * 1024

    # Password hashing (argon2id). Cost documented in README.md.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536  # KiB = 64 MiB
    ARGON2_PARALLELISM = 2

    INVITATION_LIFETIME = timedelta(days=7)

    # Set explicitly: Flask-Limiter's init_app otherwise inherits the flag from the previous
    # app initialised in the same process (one app with limits off would switch them off for all).
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_RATE_LIMIT = "5 per minute;20 per hour"
    # Failed logins of one account from any number of addresses, and wrong current passwords
    # of one logged-in user: each a password check (64 MiB of argon2) an attacker may not spray.
    ACCOUNT_RATE_LIMIT = "10 per 10 minutes;40 per day"
    PASSWORD_CHECK_RATE_LIMIT = "5 per minute;20 per hour"
    # Wrong two-factor codes at login, per account whatever the address: a 6-digit code (three
    # accepted at a time) would take years at this pace.
    TWO_FACTOR_RATE_LIMIT = "5 per 10 minutes;20 per day"
    # How long the code step of a login waits after the right password.
    TWO_FACTOR_LOGIN_SECONDS = 300
    # New notes and replies one user may post in a group (the rest are refused with a message).
    NOTE_RATE_LIMIT = "10 per minute"
    # How often an open notes board asks for new notes.
    NOTES_POLL_SECONDS = 10

    BABEL_DEFAULT_LOCALE = "hu"
    BABEL_DEFAULT_TIMEZONE = "Europe/Budapest"
    LANGUAGES = ("hu", "en")

    # Outgoing mail is optional: without MAIL_SERVER, invitation links are shown on screen.
    MAIL_SERVER = None
    MAIL_PORT = 587
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_USE_TLS = True
    MAIL_SENDER = "muhelynaplo@localhost"

    # The address people use, for links printed by the command line.
    PUBLIC_URL = "http://127.0.0.1:5000"
    # The app answers only requests naming PUBLIC_URL's host or one of these (say, a name the
    # reverse proxy uses inside); any other Host header gets 400 (Flask's TRUSTED_HOSTS).
    EXTRA_HOSTS: tuple[str, ...] = ()

    # Behind a reverse proxy, set to the number of proxies that add X-Forwarded-* headers.
    PROXY_COUNT = 0

    # PDF reports (journal/reports/documents.py) are rendered in the download's request, each
    # in a process forked from the worker (journal/reports/printing.py) that is killed after
    # PDF_RENDER_SECONDS (well inside gunicorn's --timeout), may use PDF_RENDER_CPU_SECONDS of
    # CPU time and add PDF_RENDER_MEMORY_BYTES to the worker's address space; a render stopped
    # there answers a Hungarian page naming the largest parts. The largest real document (the
    # program report) takes about 3 s. One render at a time per document, at most
    # PDF_RENDERS_PER_USER at once per user (shared through RATELIMIT_STORAGE_URI).
    PDF_RENDER_SECONDS = 20
    PDF_RENDER_CPU_SECONDS = 15
    PDF_RENDER_MEMORY_BYTES = 512 * 1024 * 1024
    PDF_RENDERS_PER_USER = 2
    # A break opportunity (zero-width space) after every this many characters of a longer word,
    # in what the renderer gets only: WeasyPrint lays out one long unbroken word super-linearly
    # (10,000 characters: 84 s; with breaks: 0.2 s). No Hungarian word is this long.
    PDF_WORD_BREAK_EVERY = 40
    # Cached PDFs live in REPORT_CACHE_DIR (default: instance/pdf-cache), at most
    # REPORT_CACHE_MAX_BYTES in all.
    REPORT_CACHE_DIR = None
    REPORT_CACHE_MAX_BYTES = 200 * 1024 * 1024
    # The funder line printed on attendance sheets.
    REPORT_FUNDER_LINE = (
        "Egyesületünk mintaprogramja – csoportos mentorálás az ország 5 régiójában, "
        "2025. novembertől"
    )
