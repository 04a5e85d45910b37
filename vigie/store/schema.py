"""The store's tables. Times are integer milliseconds since the epoch (UTC)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

exercises = Table(
    "exercises",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("plan_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("mode", String(16), nullable=False),  # drill, demo, live, import
    Column("plan_toml", Text, nullable=False),  # the plan as it was when the exercise ran
    Column("t0_ms", BigInteger, nullable=False),  # the exercise clock's T+0
    Column("created_ms", BigInteger, nullable=False),
    Column("ended_ms", BigInteger, nullable=True),
)

series = Table(
    "series",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("exercise_id", ForeignKey("exercises.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("labels", String(1024), nullable=False),  # canonical JSON: sorted pairs
    UniqueConstraint("exercise_id", "name", "labels", name="uq_series_identity"),
)

# Clustered on (series, time): a range or a latest-value read touches only the
# rows it returns, however long the history. SQLite keeps the rows in the key's
# order (no rowid); PostgreSQL keeps them in the order written, so its key also
# carries the value: reads are index-only and never visit the heap (a review's
# sums and crossings of a 4-hour exercise: 1.4 s -> 0.6 s).
samples = Table(
    "samples",
    metadata,
    Column("series_id", ForeignKey("series.id", ondelete="CASCADE"), nullable=False),
    Column("ts_ms", BigInteger, nullable=False),
    Column("value", Float, nullable=False),
    PrimaryKeyConstraint("series_id", "ts_ms", name="pk_samples", postgresql_include=["value"]),
    sqlite_with_rowid=False,
)

# The newest samples, clustered by time within buckets of BUCKET_SERIES series: a
# poll cycle appends to each bucket's last page instead of touching one page per
# series (at 3,000 sites: ~80 MB written per cycle -> a few MB). A bucket is folded
# into `samples` (series-clustered, for the review's reads) a bucket at a time,
# every FOLD_EVERY_MS or so (vigie/store/sample_layout.py), so it holds minutes.
recent_samples = Table(
    "recent_samples",
    metadata,
    Column("bucket", Integer, nullable=False),  # series_id // BUCKET_SERIES
    Column("ts_ms", BigInteger, nullable=False),
    Column("series_id", ForeignKey("series.id", ondelete="CASCADE"), nullable=False),
    Column("value", Float, nullable=False),
    PrimaryKeyConstraint(
        "bucket", "ts_ms", "series_id", name="pk_recent_samples", postgresql_include=["value"]
    ),
    sqlite_with_rowid=False,
)

# Per bucket: every sample of its series at or before `folded_ms` is in `samples`,
# every later one in `recent_samples`. It only grows.
sample_buckets = Table(
    "sample_buckets",
    metadata,
    Column("bucket", Integer, primary_key=True, autoincrement=False),
    Column("folded_ms", BigInteger, nullable=False),
)

source_health = Table(
    "source_health",
    metadata,
    Column("exercise_id", ForeignKey("exercises.id", ondelete="CASCADE"), nullable=False),
    Column("source", String(64), nullable=False),
    Column("up", Boolean, nullable=False),
    Column("last_success_ms", BigInteger, nullable=True),
    Column("last_error_ms", BigInteger, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("last_latency_ms", Float, nullable=True),
    Column("down_since_ms", BigInteger, nullable=True),  # first failure of the current streak
    Column("updated_ms", BigInteger, nullable=False),
    PrimaryKeyConstraint("exercise_id", "source", name="pk_source_health"),
)

exercise_annotations = Table(
    "annotations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("exercise_id", ForeignKey("exercises.id", ondelete="CASCADE"), nullable=False),
    Column("ts_ms", BigInteger, nullable=False),  # the exercise instant it is about
    Column("kind", String(16), nullable=False),  # note, decision
    Column("author", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("wave", Integer, nullable=True),
    Column("created_ms", BigInteger, nullable=False),  # when it was written
    Index("ix_annotations_exercise_ts", "exercise_id", "ts_ms"),
)

alert_transitions = Table(
    "alert_transitions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("exercise_id", ForeignKey("exercises.id", ondelete="CASCADE"), nullable=False),
    Column("ts_ms", BigInteger, nullable=False),
    Column("rule", String(64), nullable=False),
    Column("subject", String(64), nullable=False),  # a server, a faculty, a source
    Column("state", String(16), nullable=False),  # pending, firing, resolved, acknowledged
    Column("severity", String(16), nullable=False),
    Column("message", Text, nullable=False),
    Column("server", String(64), nullable=True),  # the limit it is about, for lead times
    Column("facts", Text, nullable=False, default="{}"),  # JSON: the numbers behind it
    Column("actor", String(64), nullable=True),  # who acknowledged
    # The id of the state transition of the same (rule, subject) this one follows (0
    # for the first; NULL for an acknowledgement, which follows no state). The unique
    # key makes "pending -> firing after transition X" recordable once: a collector
    # taking over, or two briefly active, can never record (and notify) a step twice.
    Column("follows", Integer, nullable=True),
    Index("ix_alert_transitions_exercise_ts", "exercise_id", "ts_ms"),
    Index("ix_alert_transitions_subject", "exercise_id", "rule", "subject", "id"),
    UniqueConstraint("exercise_id", "rule", "subject", "follows", name="uq_alert_transitions_step"),
)

# The outbox: one row per (transition, notifier) to deliver. A failed delivery is
# retried with backoff and its error kept; nothing is dropped silently.
notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("transition_id", ForeignKey("alert_transitions.id", ondelete="CASCADE"), nullable=False),
    Column("notifier", String(32), nullable=False),
    Column("status", String(16), nullable=False),  # pending, sent, failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_ms", BigInteger, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("sent_ms", BigInteger, nullable=True),
    Index("ix_notifications_due", "notifier", "status", "next_attempt_ms"),
)

# Faculty agents' push tokens: only a hash is kept, and a revoked token stays
# listed (with when) so an operator can see what was revoked.
agent_tokens = Table(
    "agent_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("faculty", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("revoked_ms", BigInteger, nullable=True),
)

# The per-tick state every screen reads (vigie.tick): one row per poll instant,
# written once by the collecting process, read by any number of viewers and
# workers with one index seek, whatever the length of history.
tick_states = Table(
    "tick_states",
    metadata,
    Column("exercise_id", ForeignKey("exercises.id", ondelete="CASCADE"), nullable=False),
    Column("ts_ms", BigInteger, nullable=False),
    Column("body", LargeBinary, nullable=False),
    PrimaryKeyConstraint("exercise_id", "ts_ms", name="pk_tick_states"),
    sqlite_with_rowid=False,
)

# Every site's view at each tick (vigie.tick.FacultyRoster), apart from the tick:
# a wall of thousands of sites reads only the tick; a faculty's page, this.
tick_rosters = Table(
    "tick_rosters",
    metadata,
    Column("exercise_id", ForeignKey("exercises.id", ondelete="CASCADE"), nullable=False),
    Column("ts_ms", BigInteger, nullable=False),
    Column("body", LargeBinary, nullable=False),
    PrimaryKeyConstraint("exercise_id", "ts_ms", name="pk_tick_rosters"),
    sqlite_with_rowid=False,
)

# People who log in. Only an argon2 hash of the password is kept; a disabled
# account stays listed, with when, so an operator can see who lost access.
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),  # operator, faculty, reviewer
    Column("faculty", String(64), nullable=True),  # a faculty user's own faculty
    Column("password_hash", String(200), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("disabled_ms", BigInteger, nullable=True),
)

# Read-only links for wall screens: the national wall or one faculty's page.
kiosk_links = Table(
    "kiosk_links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scope", String(64), nullable=False),  # "national" or a faculty id
    Column("label", String(200), nullable=False, default=""),
    Column("created_ms", BigInteger, nullable=False),
    Column("revoked_ms", BigInteger, nullable=True),
)

# One row per failed login, with its time: counted over a sliding window (the last
# 15 minutes) per account, per address and per (account, address) pair, and shared
# by every worker, so a guesser gains nothing by landing on another one. Rows older
# than the window are pruned as new ones arrive.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", String(64), nullable=False),  # the name tried, known or not
    Column("address", String(64), nullable=False),  # the client's (behind trusted proxies)
    Column("at_ms", BigInteger, nullable=False),
    Index("ix_login_failures_account", "account", "at_ms"),
    Index("ix_login_failures_address", "address", "at_ms"),
    Index("ix_login_failures_at", "at_ms"),
)

# Addresses an account has logged in from with its password: the right password
# from one of them passes an account lock or an address limit, so a guesser
# elsewhere cannot lock the control room out.
known_addresses = Table(
    "known_addresses",
    metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("address", String(64), nullable=False),
    Column("last_ms", BigInteger, nullable=False),
    PrimaryKeyConstraint("user_id", "address", name="pk_known_addresses"),
)

# Server-side sessions: the signed cookie holds only a random id, whose hash is the
# key here. Revoked at logout; expired when idle or too old (vigie.accounts.sessions).
login_sessions = Table(
    "login_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("principal", String(32), nullable=False),  # "user:ID" or "kiosk:ID"
    Column("created_ms", BigInteger, nullable=False),
    Column("seen_ms", BigInteger, nullable=False),  # refreshed at most once a minute
    Column("revoked_ms", BigInteger, nullable=True),
)

# Keys the deployment keeps across restarts: the session cookies' signing key, so a
# restarted `vigie serve` does not log out every wall screen mid-exam. The cookie
# holds only a random session id whose hash is in `sessions`, so reading this key
# from the store opens no session.
server_keys = Table(
    "server_keys",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", String(128), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
)

# What the alert engine learned about the platform during an exercise and must
# not forget across a restart: each server's background load (measured while no
# student was connected), its measured connections per student, and each wave's
# actual launch. One row per (exercise, kind, key), replaced when it changes.
learned_facts = Table(
    "learned_facts",
    metadata,
    Column("exercise_id", ForeignKey("exercises.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # baseline, ratio, launch
    Column("key", String(64), nullable=False),  # a server id, or a wave number
    Column("value", Float, nullable=False),
    Column("ts_ms", BigInteger, nullable=False),  # when it was learned
    PrimaryKeyConstraint("exercise_id", "kind", "key", name="pk_learned_facts"),
)

# Who may collect an exercise: one row per exercise. The holder renews `expires_ms`
# every poll; a standby takes the lease over once it has expired, raising `epoch`.
# A collector whose epoch is no longer the row's has been fenced off and writes
# nothing more. A row (not a PostgreSQL advisory lock) so that it works the same on
# SQLite, and so that a holder whose machine vanished loses it by expiry.
collector_leases = Table(
    "collector_leases",
    metadata,
    Column("exercise_id", ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True),
    Column("holder", String(200), nullable=False),  # host:pid of the active collector
    Column("epoch", Integer, nullable=False),  # the fencing number, +1 at each takeover
    Column("expires_ms", BigInteger, nullable=False),
    Column("renewed_ms", BigInteger, nullable=False),
)
