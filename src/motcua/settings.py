"""The one settings file of motcua, driven by the environment.

Environment variables:
- CONN_MAX_AGE (default 60 s) and CONN_HEALTH_CHECKS ("0" to turn off; on by default): how
  long database connections are kept between requests, and whether a kept one is checked
  with a query at the start of each request. The check costs a round trip per request (on
  PostgreSQL about 1 ms of CPU per public lookup on 2 CPUs, bench/lookup_load.py); without
  it, a database restart costs one failed request per server thread. The connection that
  draws dossier numbers is never checked: it reconnects by itself.
- DATABASE_URL: e.g. ``postgres://user:pass@127.0.0.1:5432/motcua``; default SQLite file
  ``motcua.sqlite3`` in MOTCUA_DATA_DIR.
- SECRET_KEY: required when DEBUG is off outside tests and the demo.
- DATABASE_REPLICA_URLS: comma-separated URLs of streaming replicas of DATABASE_URL, read
  by the marked lag-tolerant reads (core.dbrouter; MOTCUA_READ_YOUR_WRITES_SECONDS,
  MOTCUA_REPLICA_RETRY_SECONDS). MOTCUA_PGBOUNCER: "1" when the URLs name PgBouncer in
  transaction mode. MOTCUA_CACHE: "local" (default) or "database" (several processes).
- DEBUG: "1" to turn debug on (off by default).
- ALLOWED_HOSTS: comma-separated host names (default ``127.0.0.1,localhost``).
- MOTCUA_DATA_DIR: where the SQLite file, uploaded documents and the mail/SMS outbox files
  go (default ``./var``); uploads are kept outside the web root.
- MOTCUA_DOCUMENTS_BUCKET: keep stored documents (archive.Document) in this S3-compatible
  bucket instead of MOTCUA_DATA_DIR/media; with MOTCUA_DOCUMENTS_S3_ENDPOINT (e.g.
  ``https://s3.example.vn``; empty for AWS), MOTCUA_DOCUMENTS_S3_REGION,
  MOTCUA_DOCUMENTS_S3_PREFIX (a folder in the bucket), MOTCUA_DOCUMENTS_S3_ADDRESSING
  ("path" for most self-hosted stores), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
  (README, "Documents").
- EMAIL_URL-style settings: EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
  EMAIL_USE_TLS; without EMAIL_HOST mail is written to files under MOTCUA_DATA_DIR/mail.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, cast

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _retention_years(value: str) -> dict[str, int]:
    """MOTCUA_RETENTION_YEARS, "part=20,form=20": years by kind of stored document."""
    years: dict[str, int] = {}
    for item in value.split(","):
        if not item.strip():
            continue
        kind, _sep, number = item.partition("=")
        if not number.strip().isdigit():
            raise ValueError(
                f"MOTCUA_RETENTION_YEARS: {item.strip()!r} is not KIND=YEARS (e.g. part=20)"
            )
        years[kind.strip()] = int(number)
    return years


def _oidc(prefix: str, *, scopes: str) -> dict[str, str]:
    """An OpenID Connect provider (core.oidc) from MOTCUA_<prefix>_…; off while the issuer
    (or discovery URL) or the client id is unset. The secret stays in the environment."""
    issuer = os.environ.get(f"MOTCUA_{prefix}_ISSUER", "").strip().rstrip("/")
    discovery = os.environ.get(f"MOTCUA_{prefix}_DISCOVERY_URL", "").strip()
    if issuer and not discovery:
        discovery = f"{issuer}/.well-known/openid-configuration"
    return {
        "DISCOVERY_URL": discovery,
        "CLIENT_ID": os.environ.get(f"MOTCUA_{prefix}_CLIENT_ID", ""),
        "CLIENT_SECRET": os.environ.get(f"MOTCUA_{prefix}_CLIENT_SECRET", ""),
        "SCOPES": os.environ.get(f"MOTCUA_{prefix}_SCOPES", scopes),
        # "1": ask the userinfo endpoint for the claims the ID token leaves out.
        "USERINFO": "1" if _env_bool(f"MOTCUA_{prefix}_USERINFO") else "",
        "CLAIM_ID_NUMBER": os.environ.get(f"MOTCUA_{prefix}_CLAIM_ID_NUMBER", "id_number"),
        "CLAIM_NAME": os.environ.get(f"MOTCUA_{prefix}_CLAIM_NAME", "name"),
        "CLAIM_PHONE": os.environ.get(f"MOTCUA_{prefix}_CLAIM_PHONE", "phone_number"),
        "CLAIM_EMAIL": os.environ.get(f"MOTCUA_{prefix}_CLAIM_EMAIL", "email"),
        "CLAIM_USERNAME": os.environ.get(f"MOTCUA_{prefix}_CLAIM_USERNAME", "preferred_username"),
        # Staff only: match the account by "username" (the username claim) or "email".
        "MATCH": os.environ.get(f"MOTCUA_{prefix}_MATCH", "username"),
    }


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("MOTCUA_DATA_DIR", Path.cwd() / "var")).resolve()
# The SQLite file lives here and WhiteNoise expects STATIC_ROOT to exist even when it serves
# from the finders, so the folders are made on start rather than by a separate step.
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)

DEBUG = _env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    # Only tolerated for local use: `motcua serve` refuses to start without one unless
    # MOTCUA_INSECURE_DEV_KEY is set (the demo sets it).
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    # The admin, with a site that has no login of its own and needs a second factor.
    "motcua.core.apps.MotcuaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    # django-ninja: its templates and static files serve /api/docs without a CDN.
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "motcua.core",
    "motcua.agencies",
    "motcua.catalog",
    "motcua.workdays",
    "motcua.archive",
    "motcua.dossiers",
    "motcua.notify",
    "motcua.api",
    "motcua.integrations",
    "motcua.reports",
    "motcua.rollup",
    "motcua.office",
    "motcua.portal",
    "motcua.feedback",
    "motcua.webhooks",
    "motcua.fees",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Security headers on every page (static files need none): README "Security headers".
    "motcua.core.middleware.ContentSecurityPolicyMiddleware",
    "motcua.core.middleware.PermissionsPolicyMiddleware",
    # Early: every answer under /api/ in the API's JSON error shape, bodies capped (413).
    "motcua.api.middleware.ApiErrorMiddleware",
    "motcua.core.middleware.SecretURLMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "motcua.core.middleware.RequestMemoMiddleware",
    "motcua.dossiers.scope.ScopeMiddleware",
    "motcua.core.middleware.StaffSessionMiddleware",
    "motcua.core.middleware.NoStoreForSignedInMiddleware",
    "motcua.core.middleware.AuditContextMiddleware",
    # Reads of a request that writes, or of a person who wrote a moment ago, stay on the
    # primary (core.dbrouter; nothing happens without DATABASE_REPLICA_URLS).
    "motcua.core.dbrouter.ReadYourWritesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that its process_exception sees a view's database error first.
    "motcua.core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'motcua.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=_env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and the worker share the file; IMMEDIATE
    # transactions make concurrent writers queue instead of failing half-way. Connections
    # are kept between requests (CONN_MAX_AGE above) as on PostgreSQL: opening one (Django
    # registers its SQL functions each time) cost more than a whole lookup's queries.
    #
    # The busy timeout is how long a statement waits for another writer's lock. A web request
    # waits MOTCUA_SQLITE_BUSY_TIMEOUT (default 5 s) and then answers 503 with Retry-After
    # (core.middleware.DatabaseUnavailableMiddleware): a person is better told to try again
    # than left 20 s in front of a spinner. `motcua worker` waits longer
    # (MOTCUA_WORKER_SQLITE_BUSY_TIMEOUT, default 30 s), nobody waits on it, and it retries
    # anyway after a longer lock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": float(os.environ.get("MOTCUA_SQLITE_BUSY_TIMEOUT", "5")),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# Streaming replicas of the primary for reads that tolerate a little lag (core.dbrouter):
# DATABASE_REPLICA_URLS, comma-separated, become the aliases replica_0, replica_1 … Unset:
# one database, every read and write on it. In tests a replica mirrors the test database.
for _index, _url in enumerate(
    u.strip() for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if u.strip()
):
    DATABASES[f"replica_{_index}"] = dj_database_url.parse(
        _url,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=_env_bool("CONN_HEALTH_CHECKS", True),
    )
    DATABASES[f"replica_{_index}"]["TEST"] = {"MIRROR": "default"}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # A second connection to the primary on which a dossier's number is drawn in a
    # transaction of its own (dossiers.services.base._next_sequence): the day's counter row
    # is locked for one statement, not until the receipt commits. Same database, no
    # migrations (core.dbrouter); in tests it mirrors the test database.
    # DATABASE_NUMBERS_URL: the same database by another way, e.g. a PgBouncer database entry
    # with its own pool: on the default pool, receipts that each hold a server connection
    # for their transaction and wait for a second one to draw their number can exhaust it.
    _numbers_url = os.environ.get("DATABASE_NUMBERS_URL", "")
    DATABASES["numbers"] = {
        **(
            dj_database_url.parse(
                _numbers_url,
                conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
                conn_health_checks=_env_bool("CONN_HEALTH_CHECKS", True),
            )
            if _numbers_url
            else DATABASES["default"]
        ),
        # No query to check a kept connection at each request: the one statement run on it
        # (``_side_execute``) opens a new connection and runs again when the kept one was
        # closed, and the check was a round trip of every receipt (issue 15 item 9).
        "CONN_HEALTH_CHECKS": False,
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["motcua.core.dbrouter.ReplicaRouter"]


def pgbouncer_options(database: dict[str, Any]) -> None:
    """What MOTCUA_PGBOUNCER=1 changes in a database's settings: PgBouncer in transaction
    mode lends a server connection for one transaction, so a server-side cursor
    (QuerySet.iterator()) would outlive it, and the lookup's prepared statements
    (portal.queries) would be looked for on another server (docs/operations.md). The
    PgBouncer test applies the same function."""
    database["DISABLE_SERVER_SIDE_CURSORS"] = True


if _env_bool("MOTCUA_PGBOUNCER"):
    for _database in DATABASES.values():
        pgbouncer_options(cast(dict[str, Any], _database))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Django's, with a message translated into Vietnamese (core/passwords.py says why).
    {"NAME": "motcua.core.passwords.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "media")},
    },
    # Stored documents (archive.Document): the same folder by default, outside the web root;
    # an S3-compatible bucket when MOTCUA_DOCUMENTS_BUCKET is set (README "Documents").
    "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "media")},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if os.environ.get("MOTCUA_DOCUMENTS_BUCKET"):
    # An S3-compatible bucket (AWS, MinIO, Ceph, a provider's object storage). The bucket
    # stays private: no ACL is set on objects (the bucket's own policy applies), and the
    # files are only ever served through the application, after its access check, so the
    # signed URLs that django-storages can make are never handed out.
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["MOTCUA_DOCUMENTS_BUCKET"],
            "endpoint_url": os.environ.get("MOTCUA_DOCUMENTS_S3_ENDPOINT") or None,
            "region_name": os.environ.get("MOTCUA_DOCUMENTS_S3_REGION") or None,
            # Unset: boto3's own chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the
            # environment, a credentials file, an instance role).
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("MOTCUA_DOCUMENTS_S3_PREFIX", ""),
            "default_acl": None,
            "querystring_auth": True,
            # Two documents never share a name (archive.services: random names), and an
            # existing object is never overwritten silently.
            "file_overwrite": False,
            "addressing_style": os.environ.get("MOTCUA_DOCUMENTS_S3_ADDRESSING") or None,
        },
    }
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

LOGIN_URL = "/dang-nhap/"
# The label of the second factor in the authenticator app (core.twofactor).
OTP_TOTP_ISSUER = "motcua"
# A form sent with an outdated token gets a page that says to reload, in the site's layout.
CSRF_FAILURE_VIEW = "motcua.core.errors.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
# Staff sessions slide (core.middleware.StaffSessionMiddleware): they end after this many
# minutes without a request, and in any case this many hours after signing in (a working day
# and its overtime; a counter computer left signed in overnight is signed out). README.
STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("MOTCUA_STAFF_SESSION_IDLE_MINUTES", "30"))
STAFF_SESSION_MAX_HOURS = int(os.environ.get("MOTCUA_STAFF_SESSION_MAX_HOURS", "10"))
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Site-wide a link to another site does not tell it the page it came from; an address with a
# secret in it sends only the site's origin (strict-origin: core.middleware.SecretURLMiddleware).
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts, styles, fonts and images from the site's own
# static files only — no inline script, no inline style, no eval (HTMX is configured for that
# in base.html's htmx-config). Images also from data: URIs (the empty favicon, Swagger UI's
# icons). /api/docs keeps this policy too: django-ninja serves Swagger UI from its static files.
# Not sent with a PDF (core.middleware.ContentSecurityPolicyMiddleware: Chrome's PDF viewer).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if _env_bool("HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000

if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "motcua@localhost")

# The cache holds the rate limits' counters (core.ratelimit, the API's 429). "local": in
# each process (one process per server and limits per process); "database": the table
# motcua_cache (core migration 0005) shared by every process and app server, at the cost of
# a write per counted request (docs/operations.md, "Several app servers").
CACHE_KIND = os.environ.get("MOTCUA_CACHE", "local").strip().lower()
if CACHE_KIND not in {"local", "database"}:
    raise ValueError(f"MOTCUA_CACHE: {CACHE_KIND!r} is neither 'local' nor 'database'")
CACHES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if CACHE_KIND == "local"
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "motcua_cache"}
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # pyHanko logs a traceback for each signature it cannot chain to a trust root; the
    # document records that verdict ("untrusted"), the log need not repeat it.
    "loggers": {"pyhanko": {"level": "ERROR"}, "pyhanko_certvalidator": {"level": "ERROR"}},
}

# --- motcua's own settings (configurable per installation) ----------------------------
MOTCUA: dict[str, Any] = {
    # Public base URL used in QR codes and notification links.
    "PUBLIC_URL": os.environ.get("MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000"),
    # Read replicas (core.dbrouter): for how many seconds after a write a person's reads stay
    # on the primary, and how long a replica that did not answer is left alone.
    "READ_YOUR_WRITES_SECONDS": os.environ.get("MOTCUA_READ_YOUR_WRITES_SECONDS", "10"),
    "REPLICA_RETRY_SECONDS": os.environ.get("MOTCUA_REPLICA_RETRY_SECONDS", "30"),
    # The executive view's alert: dossiers in progress past their due date by more than N days.
    "EXEC_OVERDUE_DAYS": os.environ.get("MOTCUA_EXEC_OVERDUE_DAYS", "10"),
    # The legal clock (domain.md §5); each value may be overridden in the environment.
    "OFFICE_HOURS": os.environ.get("MOTCUA_OFFICE_HOURS", "07:00-11:30,13:30-17:00"),
    "CUTOFF": os.environ.get("MOTCUA_CUTOFF", "15:00"),
    # PAKN deadlines in working days, overriding the regulation's (feedback.deadlines):
    # "refuse=2,more_info=5,forward=5,answer=15,publish=2"; empty: the regulation's own.
    "PAKN_DEADLINES": os.environ.get("MOTCUA_PAKN_DEADLINES", ""),
    "SMS_BACKEND": os.environ.get("MOTCUA_SMS_BACKEND", "motcua.notify.transports.FileSMS"),
    # Public dossier lookup: at most N lookups per client address per window of S seconds
    # ("N/S"); "0" turns the limit off (load tests only).
    "LOOKUP_RATE": os.environ.get("MOTCUA_LOOKUP_RATE", "60/300"),
    "LOOKUP_CODE_RATE": os.environ.get("MOTCUA_LOOKUP_CODE_RATE", "10/300"),
    # Citizen registration, password-recovery requests and recovery-code tries per client
    # address ("N/S" as above; portal.views).
    "REGISTER_RATE": os.environ.get("MOTCUA_REGISTER_RATE", "10/3600"),
    "RESET_RATE": os.environ.get("MOTCUA_RESET_RATE", "5/900"),
    "RESET_CODE_RATE": os.environ.get("MOTCUA_RESET_CODE_RATE", "10/900"),
    # How many reverse proxies of this deployment stand in front of the application: the
    # client's address (audit trail, login limits) is then read from X-Forwarded-For, that
    # many entries from the right. 0: REMOTE_ADDR, X-Forwarded-For ignored.
    "TRUSTED_PROXIES": os.environ.get("MOTCUA_TRUSTED_PROXIES", "0"),
    # Largest file a citizen may upload with an online dossier, in bytes.
    "UPLOAD_MAX_BYTES": os.environ.get("MOTCUA_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)),
    # SQLite busy timeout of `motcua worker`, in seconds (the web's is above, in DATABASES).
    "WORKER_SQLITE_BUSY_TIMEOUT": os.environ.get("MOTCUA_WORKER_SQLITE_BUSY_TIMEOUT", "30"),
    # How long a new API token lives, in days (docs/api.md).
    "API_TOKEN_DAYS": os.environ.get("MOTCUA_API_TOKEN_DAYS", "90"),
    # API calls per minute (docs/api.md, 429 beyond): per token or staff account, and per
    # client address for calls without credentials (the public catalogue). 0: no limit.
    "API_RATE_PER_MINUTE": os.environ.get("MOTCUA_API_RATE_PER_MINUTE", "600"),
    "API_ANON_RATE_PER_MINUTE": os.environ.get("MOTCUA_API_ANON_RATE_PER_MINUTE", "60"),
    # Largest request body the JSON API reads, in bytes (docs/api.md, 413 beyond): a JSON
    # body, and a multipart one (a result file, scans) separately, as uploads are larger.
    "API_MAX_JSON_BYTES": os.environ.get("MOTCUA_API_MAX_JSON_BYTES", str(1024 * 1024)),
    "API_MAX_UPLOAD_BYTES": os.environ.get(
        "MOTCUA_API_MAX_UPLOAD_BYTES", str(DATA_UPLOAD_MAX_MEMORY_SIZE + 50 * 1024 * 1024)
    ),
    # Incremental sync (api.sync): a change is listed once it is this many seconds old, so
    # that a transaction still committing can never be skipped by a client's cursor.
    # Webhooks (docs/api.md): seconds a receiver has to answer a delivery before it is
    # retried later.
    "WEBHOOK_TIMEOUT": os.environ.get("MOTCUA_WEBHOOK_TIMEOUT", "10"),
    # Whether webhooks may go to loopback, private or link-local addresses (webhooks.addresses:
    # refused by default, against SSRF; set for receivers inside the province's own network).
    "WEBHOOK_ALLOW_PRIVATE": _env_bool("MOTCUA_WEBHOOK_ALLOW_PRIVATE", False),
    "API_SYNC_SETTLE_SECONDS": os.environ.get("MOTCUA_API_SYNC_SETTLE_SECONDS", "30"),
    # Digital signatures (README, "Digital signatures"): the folder of the deciding agencies'
    # PKCS#12 files, one `<agency code>.p12` each, their passwords in the environment
    # (MOTCUA_SIGNING_PASSWORD_<CODE>) or a 0600 `<code>.pass` beside; and the PEM bundle of
    # trusted root certificates that uploaded and issued signatures are checked against.
    "SIGNING_DIR": os.environ.get("MOTCUA_SIGNING_DIR", ""),
    "TRUST_ROOTS": os.environ.get("MOTCUA_TRUST_ROOTS", ""),
    # Years stored documents are kept, by kind ("part=20,form=20"; 0: for good), over
    # archive.models.RETENTION_YEARS.
    "RETENTION_YEARS": _retention_years(os.environ.get("MOTCUA_RETENTION_YEARS", "")),
    # Citizen sign-in with OpenID Connect (VNeID) and optional staff single sign-on
    # (core.oidc; README, "Sign-in with OpenID Connect").
    "OIDC": _oidc("OIDC", scopes="openid profile email phone"),
    "STAFF_OIDC": _oidc("STAFF_OIDC", scopes="openid profile email"),
    # The national public service portal (Cổng DVCQG, integrations.dvcqg): the adapter class
    # ("motcua.integrations.dvcqg.HttpAdapter"; empty: no link, nothing pulled or queued),
    # its address and bearer token, the request timeout in seconds, whether every dossier's
    # statuses are pushed (QĐ 766 "dossiers synchronised") or only those that came from the
    # portal, and how often the worker pulls submissions and pushes statuses, in seconds.
    "NATIONAL_PORTAL": os.environ.get("MOTCUA_NATIONAL_PORTAL", ""),
    "NATIONAL_PORTAL_URL": os.environ.get("MOTCUA_NATIONAL_PORTAL_URL", ""),
    "NATIONAL_PORTAL_TOKEN": os.environ.get("MOTCUA_NATIONAL_PORTAL_TOKEN", ""),
    "NATIONAL_PORTAL_TIMEOUT": os.environ.get("MOTCUA_NATIONAL_PORTAL_TIMEOUT", "10"),
    "NATIONAL_PORTAL_SYNC_ALL": _env_bool("MOTCUA_NATIONAL_PORTAL_SYNC_ALL", False),
    "NATIONAL_PORTAL_PULL_SECONDS": os.environ.get("MOTCUA_NATIONAL_PORTAL_PULL_SECONDS", "300"),
    "NATIONAL_PORTAL_PULL_ATTEMPTS": os.environ.get("MOTCUA_NATIONAL_PORTAL_PULL_ATTEMPTS", "5"),
    "NATIONAL_PORTAL_PUSH_SECONDS": os.environ.get("MOTCUA_NATIONAL_PORTAL_PUSH_SECONDS", "60"),
    # The Government reporting information system (Hệ thống thông tin báo cáo Chính phủ,
    # reports.govlink): the adapter class ("motcua.reports.govlink.HttpAdapter"; empty: no
    # link, nothing sent), its address, bearer token and timeout in seconds; the province's
    # unit code in that system; the agencies (codes, comma-separated) reported on their own
    # beside the whole province; the day of the month after a quarter when its reports go.
    "GOVREPORT": os.environ.get("MOTCUA_GOVREPORT", ""),
    "GOVREPORT_URL": os.environ.get("MOTCUA_GOVREPORT_URL", ""),
    "GOVREPORT_TOKEN": os.environ.get("MOTCUA_GOVREPORT_TOKEN", ""),
    "GOVREPORT_TIMEOUT": os.environ.get("MOTCUA_GOVREPORT_TIMEOUT", "30"),
    "GOVREPORT_UNIT": os.environ.get("MOTCUA_GOVREPORT_UNIT", ""),
    "GOVREPORT_AGENCIES": os.environ.get("MOTCUA_GOVREPORT_AGENCIES", ""),
    "GOVREPORT_SEND_DAY": os.environ.get("MOTCUA_GOVREPORT_SEND_DAY", "5"),
    # Results by post (dossiers.postal_adapter): the adapter ("" = off: the counter hands results
    # to the post office by hand; "http" = the JSON adapter; or a dotted path to a class),
    # the postal service's address, its API key (a secret: environment only) and the seconds
    # one call may take.
    "POSTAL_ADAPTER": os.environ.get("MOTCUA_POSTAL_ADAPTER", ""),
    "POSTAL_URL": os.environ.get("MOTCUA_POSTAL_URL", ""),
    "POSTAL_TOKEN": os.environ.get("MOTCUA_POSTAL_TOKEN", ""),
    "POSTAL_TIMEOUT": os.environ.get("MOTCUA_POSTAL_TIMEOUT", "10"),
    # Online payment (issue 17, docs/operations.md): the platform adapter ("" = none, "fake" =
    # the local fake platform), its address, our merchant code and the shared HMAC secret;
    # PUBLIC_URL is this site's address the platform calls back and returns the citizen to.
    "PAYMENT_PLATFORM": os.environ.get("MOTCUA_PAYMENT_PLATFORM", ""),
    "PAYMENT_PLATFORM_URL": os.environ.get("MOTCUA_PAYMENT_PLATFORM_URL", ""),
    "PAYMENT_MERCHANT": os.environ.get("MOTCUA_PAYMENT_MERCHANT", "motcua"),
    "PAYMENT_SECRET": os.environ.get("MOTCUA_PAYMENT_SECRET", ""),
    "PAYMENT_PUBLIC_URL": os.environ.get("MOTCUA_PAYMENT_PUBLIC_URL", "http://127.0.0.1:8000"),
    "PAYMENT_TIMEOUT": os.environ.get("MOTCUA_PAYMENT_TIMEOUT", "10"),
    # Days an applicant has to pay a fee due before processing (issue 17).
    "PAYMENT_WAIT_DAYS": int(os.environ.get("MOTCUA_PAYMENT_WAIT_DAYS", "15")),
}
