"""The schema, as SQLAlchemy Core tables. Alembic migrations must match it (CI checks).

Money and quantities are ``Numeric`` (``Decimal`` in Python), times are
timezone-aware UTC. The declaration document itself is kept verbatim (as
normalised JSON text) per version, so an amendment never overwrites what was
lodged; the few columns the node filters on are copied out beside it.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

# Ids and versions are INTEGER columns: 32 bits on PostgreSQL. No row has a larger
# one on any engine, and the drivers refuse to send one (PostgreSQL's and SQLite's alike).
MAX_ID = 2**31 - 1

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(sa.TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every engine.

    SQLite keeps no time zone, so values are stored as UTC and read back with
    UTC attached; a naive datetime is refused rather than guessed at.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: dt.datetime | None, dialect: sa.Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: silkgate stores timezone-aware UTC times only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: dt.datetime | None, dialect: sa.Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# --- reference data -------------------------------------------------------

hs_sections = sa.Table(
    "hs_sections",
    metadata,
    sa.Column("section", sa.String(5), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
)

hs_codes = sa.Table(
    "hs_codes",
    metadata,
    sa.Column("code", sa.String(6), primary_key=True),
    sa.Column("level", sa.SmallInteger, nullable=False),
    sa.Column("parent", sa.String(6), nullable=True),
    sa.Column("section", sa.String(5), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
)

countries = sa.Table(
    "countries",
    metadata,
    sa.Column("alpha2", sa.String(2), primary_key=True),
    sa.Column("alpha3", sa.String(3), nullable=True),
    sa.Column("numeric", sa.String(3), nullable=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("name_zh", sa.Text, nullable=True),
    sa.Column("name_ru", sa.Text, nullable=True),
    sa.Column("currency", sa.String(3), nullable=True),
)

currencies = sa.Table(
    "currencies",
    metadata,
    sa.Column("code", sa.String(3), primary_key=True),
    sa.Column("numeric", sa.String(3), nullable=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("minor_unit", sa.SmallInteger, nullable=True),
)

units = sa.Table(
    "units",
    metadata,
    sa.Column("code", sa.String(3), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("symbol", sa.Text, nullable=True),
    sa.Column("pint_symbol", sa.Text, nullable=True),
    sa.Column("si_factor", sa.Text, nullable=True),
    sa.Column("si_pint_symbol", sa.Text, nullable=True),
    sa.Column("level", sa.Text, nullable=True),
)

package_types = sa.Table(
    "package_types",
    metadata,
    sa.Column("code", sa.String(2), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=True),
)

locations = sa.Table(
    "locations",
    metadata,
    sa.Column("code", sa.String(5), primary_key=True),
    sa.Column("country", sa.String(2), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("subdivision", sa.String(3), nullable=True),
    sa.Column("function", sa.String(8), nullable=True),
    sa.Column("status", sa.String(2), nullable=True),
    sa.Column("iata", sa.String(3), nullable=True),
)

refdata_versions = sa.Table(
    "refdata_versions",
    metadata,
    sa.Column("dataset", sa.String(40), primary_key=True),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("loaded_at", UtcDateTime(), nullable=False),
)

# --- the administration running this node ---------------------------------

offices = sa.Table(
    "offices",
    metadata,
    sa.Column("code", sa.String(5), primary_key=True),  # a UN/LOCODE, checked on creation
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # seaport, airport, road, rail, inland
)

principals = sa.Table(
    "principals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    # The trader identifier (TIN / USCC) a declarant lodges under; null for staff.
    sa.Column("party_id", sa.String(35), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("principal_id", sa.ForeignKey("principals.id"), nullable=False, index=True),
    # HMAC-SHA256 of the token under the node's secret key; the token itself is never stored.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("label", sa.Text, nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),
)

# Console logins: the browser holds a random session id, the node only its HMAC.
console_sessions = sa.Table(
    "console_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("session_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("principal_id", sa.ForeignKey("principals.id"), nullable=False, index=True),
    # The token logged in with: revoking it ends the session too.
    sa.Column("token_id", sa.ForeignKey("api_tokens.id"), nullable=False, index=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("last_seen_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False, index=True),
)

# Failed authentications per source and fixed window: the throttle's counters, in the
# database so that every worker process of a node counts the same failures.
auth_failures = sa.Table(
    "auth_failures",
    metadata,
    sa.Column("source", sa.String(80), primary_key=True),
    sa.Column("window_start", UtcDateTime(), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
)

# --- declarations ---------------------------------------------------------

declarations = sa.Table(
    "declarations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("mrn", sa.String(18), nullable=False, unique=True),
    sa.Column("type", sa.String(2), nullable=False),
    sa.Column("status", sa.String(24), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("office", sa.String(5), nullable=False, index=True),
    sa.Column("declarant_id", sa.String(35), nullable=False, index=True),
    sa.Column("lrn", sa.String(35), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("invoice_amount", sa.Numeric(18, 3), nullable=False),
    sa.Column("item_count", sa.Integer, nullable=False),
    sa.Column("arrival_date", sa.Date, nullable=True),
    sa.Column("lodged_at", UtcDateTime(), nullable=False, index=True),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    # Selectivity's channel for the current version: green, yellow, red or blue.
    sa.Column("channel", sa.String(6), nullable=True, index=True),
    # A declarant's local reference number identifies one declaration, as in the EU and
    # China: lodging it twice is refused, so a resent file cannot become a second entry.
    sa.UniqueConstraint("declarant_id", "lrn", name="uq_declarations_declarant_lrn"),
)

declaration_versions = sa.Table(
    "declaration_versions",
    metadata,
    sa.Column("declaration_id", sa.ForeignKey("declarations.id"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
)

declaration_items = sa.Table(
    "declaration_items",
    metadata,
    sa.Column("declaration_id", sa.ForeignKey("declarations.id"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("hs_code", sa.String(10), nullable=False, index=True),
    sa.Column("origin", sa.String(2), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("value", sa.Numeric(18, 3), nullable=False),
    sa.Column("net_mass_kg", sa.Numeric(18, 3), nullable=False),
    sa.Column("preference", sa.String(10), nullable=True),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("principal_id", sa.ForeignKey("principals.id"), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("declaration_id", sa.ForeignKey("declarations.id"), nullable=False),
    sa.Column("response", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

# --- the journal: append-only, keyed and hash-chained ------------------------

journal = sa.Table(
    "journal",
    metadata,
    sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("at", UtcDateTime(), nullable=False, index=True),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("declaration_id", sa.ForeignKey("declarations.id"), nullable=True, index=True),
    sa.Column("mrn", sa.String(18), nullable=True),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("from_status", sa.String(24), nullable=True),
    sa.Column("to_status", sa.String(24), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    # The journal key the entry is sealed with (HMAC-SHA256; the key is never stored here).
    sa.Column("key_id", sa.String(16), nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# One row: the sequence number and hash of the newest entry. Appenders lock it,
# which serialises the chain, and it lets `journal verify` notice a removed tail.
journal_head = sa.Table(
    "journal_head",
    metadata,
    sa.Column("id", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# --- tariff, exchange rates, assessments and payments ------------------------

# Each `silkgate tariff load` adds a version; the active one is used, earlier ones are
# kept so that an assessment can always be traced to the schedule it used.
tariff_versions = sa.Table(
    "tariff_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("illustrative", sa.Boolean, nullable=False),
    sa.Column("source", sa.Text, nullable=False),  # the file name it was loaded from
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("lines", sa.Integer, nullable=False),
    sa.Column("measures", sa.Integer, nullable=False),
    sa.Column("loaded_at", UtcDateTime(), nullable=False),
    sa.Column("loaded_by", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
)

tariff_lines = sa.Table(
    "tariff_lines",
    metadata,
    sa.Column("version_id", sa.ForeignKey("tariff_versions.id"), primary_key=True),
    sa.Column("code", sa.String(10), primary_key=True),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("unit", sa.String(3), nullable=True),
)

tariff_measures = sa.Table(
    "tariff_measures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.ForeignKey("tariff_versions.id"), nullable=False, index=True),
    sa.Column("code", sa.String(10), nullable=False),
    sa.Column("kind", sa.String(12), nullable=False),
    sa.Column("agreement", sa.String(10), nullable=True),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_to", sa.Date, nullable=True),
    sa.Column("ad_valorem", sa.Numeric(9, 4), nullable=True),
    sa.Column("specific", sa.Numeric(18, 6), nullable=True),
    sa.Column("unit", sa.String(3), nullable=True),
    sa.Column("minimum", sa.Numeric(18, 6), nullable=True),
    sa.Column("maximum", sa.Numeric(18, 6), nullable=True),
)

exchange_rates = sa.Table(
    "exchange_rates",
    metadata,
    sa.Column("currency", sa.String(3), primary_key=True),
    sa.Column("valid_from", sa.Date, primary_key=True),
    sa.Column("valid_to", sa.Date, nullable=True),
    sa.Column("rate", sa.Numeric(20, 10), nullable=False),  # national currency per unit
    sa.Column("load_id", sa.ForeignKey("exchange_rate_loads.id"), nullable=False),
)

exchange_rate_loads = sa.Table(
    "exchange_rate_loads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("loaded_at", UtcDateTime(), nullable=False),
    sa.Column("loaded_by", sa.Text, nullable=False),
)

# The assessment of each version of a declaration: the totals as columns, the
# item detail (measures, rates, bases) as JSON.
declaration_assessments = sa.Table(
    "declaration_assessments",
    metadata,
    sa.Column("declaration_id", sa.ForeignKey("declarations.id"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("assessed_at", UtcDateTime(), nullable=False),
    sa.Column("on_date", sa.Date, nullable=False),  # the date whose tariff and rate applied
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("tariff_version", sa.ForeignKey("tariff_versions.id"), nullable=False),
    sa.Column("customs_value", sa.Numeric(18, 3), nullable=False),
    sa.Column("duty", sa.Numeric(18, 3), nullable=False),
    sa.Column("excise", sa.Numeric(18, 3), nullable=False),
    sa.Column("vat", sa.Numeric(18, 3), nullable=False),
    sa.Column("total", sa.Numeric(18, 3), nullable=False),
    sa.Column("duty_forgone", sa.Numeric(18, 3), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    # What a preference claimed would save (duty, and excise and VAT on it), assessed all the
    # same because its e-CO did not match or has not arrived (secured until decided).
    sa.Column("preference_withheld", sa.Numeric(18, 3), nullable=False, server_default="0"),
)

payments = sa.Table(
    "payments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("declaration_id", sa.ForeignKey("declarations.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(10), nullable=False),  # payment | guarantee
    sa.Column("amount", sa.Numeric(18, 3), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("reference", sa.Text, nullable=False),  # bank transfer or guarantee number
    sa.Column("recorded_at", UtcDateTime(), nullable=False),
    sa.Column("recorded_by", sa.Text, nullable=False),
)


# --- risk management and selectivity --------------------------------------------

# Analysts' profiles; a change is a new version (name, version), earlier ones are kept.
risk_profiles = sa.Table(
    "risk_profiles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("condition", sa.Text, nullable=False),
    sa.Column("effect", sa.String(8), nullable=False),
    sa.Column("points", sa.Numeric(7, 3), nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_to", sa.Date, nullable=True),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("retired_at", UtcDateTime(), nullable=True),
    sa.UniqueConstraint("name", "version", name="uq_risk_profiles_name_version"),
)

# Trained models: the booster as LightGBM's text, the feature state as JSON, the model card.
risk_models = sa.Table(
    "risk_models",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("card", sa.Text, nullable=False),  # JSON: data window, features, metrics
    sa.Column("features", sa.Text, nullable=False),  # JSON state of the feature builder
    sa.Column("booster", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
)

# Controlled declarations and their outcomes: the model's training data. Rows come
# from imported history (the KCS format) or from this node's own controls.
risk_history = sa.Table(
    "risk_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(10), nullable=False),  # kcs | node
    sa.Column("reference", sa.String(40), nullable=False),  # KCS Declaration ID or MRN/item
    sa.Column("date", sa.Date, nullable=False, index=True),
    sa.Column("row", sa.Text, nullable=False),  # JSON: the KCS-format fields
    # NULL: not controlled, so the outcome is unknown (never read as "compliant").
    sa.Column("fraud", sa.Boolean, nullable=True),
    sa.Column("critical", sa.Boolean, nullable=True),
    sa.Column("revenue", sa.Numeric(18, 3), nullable=True),
    sa.Column("declaration_id", sa.ForeignKey("declarations.id"), nullable=True),
    sa.Column("loaded_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("source", "reference", name="uq_risk_history_source_reference"),
)

declaration_risk = sa.Table(
    "declaration_risk",
    metadata,
    sa.Column("declaration_id", sa.ForeignKey("declarations.id"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("decided_at", UtcDateTime(), nullable=False),
    sa.Column("channel", sa.String(6), nullable=False),
    sa.Column("score", sa.Numeric(7, 3), nullable=False),  # 0-100
    sa.Column("model_score", sa.Numeric(7, 6), nullable=True),  # probability
    sa.Column("model_id", sa.ForeignKey("risk_models.id"), nullable=True),
    sa.Column("exploration", sa.Boolean, nullable=False),
    sa.Column("sps", sa.Boolean, nullable=False),
    sa.Column("reasons", sa.Text, nullable=False),  # JSON
)

control_outcomes = sa.Table(
    "control_outcomes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("declaration_id", sa.ForeignKey("declarations.id"), nullable=False, index=True),
    sa.Column("recorded_at", UtcDateTime(), nullable=False),
    sa.Column("recorded_by", sa.Text, nullable=False),
    sa.Column("fraud", sa.Boolean, nullable=False),
    sa.Column("critical", sa.Boolean, nullable=False),
    sa.Column("revenue_recovered", sa.Numeric(18, 3), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    # A correction names the outcome it replaces (an id of this table: no foreign key, which
    # SQLite's table copies in migrations could not carry) and why; the first has neither.
    sa.Column("replaces", sa.Integer, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    # An outcome is replaced at most once, so the corrections form one chain...
    sa.Index("ux_control_outcomes_replaces", "replaces", unique=True),
    # ...after the one first outcome of a control.
    sa.Index(
        "ux_control_outcomes_first",
        "declaration_id",
        unique=True,
        sqlite_where=sa.text("replaces IS NULL"),
        postgresql_where=sa.text("replaces IS NULL"),
    ),
)

# The administration's selectivity budget (one row).
risk_settings = sa.Table(
    "risk_settings",
    metadata,
    sa.Column("id", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("red_share", sa.Numeric(5, 4), nullable=False),
    sa.Column("yellow_share", sa.Numeric(5, 4), nullable=False),
    sa.Column("exploration_share", sa.Numeric(5, 4), nullable=False),
    sa.Column("window_size", sa.Integer, nullable=False),
    sa.Column("aeo_factor", sa.Numeric(5, 4), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
)

# Authorised Economic Operators known to this node (its own, and partners' under mutual
# recognition), with the status that selectivity honours.
aeo_operators = sa.Table(
    "aeo_operators",
    metadata,
    sa.Column("party_id", sa.String(35), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("administration", sa.String(2), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),  # granted | suspended | revoked
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_to", sa.Date, nullable=True),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

# --- SPS (quarantine) requirements --------------------------------------------------

sps_requirement_sets = sa.Table(
    "sps_requirement_sets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("loaded_at", UtcDateTime(), nullable=False),
    sa.Column("loaded_by", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
)

sps_requirements = sa.Table(
    "sps_requirements",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("set_id", sa.ForeignKey("sps_requirement_sets.id"), nullable=False, index=True),
    sa.Column("hs_prefix", sa.String(10), nullable=False),
    sa.Column("origin", sa.String(2), nullable=False),  # "" for every origin
    sa.Column("control", sa.String(20), nullable=False),
    sa.Column("document", sa.String(4), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_to", sa.Date, nullable=True),
)

# --- rules of origin ----------------------------------------------------------------

# Each `silkgate origin rules load` adds a version; the active one is used (its
# rules carry their own validity dates), earlier ones are kept.
origin_rule_versions = sa.Table(
    "origin_rule_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("agreements", sa.Integer, nullable=False),
    sa.Column("rules", sa.Integer, nullable=False),
    sa.Column("loaded_at", UtcDateTime(), nullable=False),
    sa.Column("loaded_by", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
)

# An agreement's terms (parties, de minimis, cumulation, minimal operations...) as JSON.
origin_agreements = sa.Table(
    "origin_agreements",
    metadata,
    sa.Column("version_id", sa.ForeignKey("origin_rule_versions.id"), primary_key=True),
    sa.Column("code", sa.String(10), primary_key=True),
    sa.Column("terms", sa.Text, nullable=False),
)

origin_rules = sa.Table(
    "origin_rules",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.ForeignKey("origin_rule_versions.id"), nullable=False, index=True),
    sa.Column("agreement", sa.String(10), nullable=False),
    sa.Column("hs_prefix", sa.String(6), nullable=False),  # "" for the general rule
    sa.Column("rule", sa.Text, nullable=False),  # in the rule language, as parsed
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_to", sa.Date, nullable=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("illustrative", sa.Boolean, nullable=False),
    sa.Column("line", sa.Integer, nullable=False),  # where the loaded file had it
)

# --- certificates of origin (issuing) ----------------------------------------------------

# An exporter's application for a certificate (Form E), with each line's determination.
origin_applications = sa.Table(
    "origin_applications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("applicant", sa.String(35), nullable=False, index=True),  # the exporter's id
    sa.Column("agreement", sa.String(10), nullable=False),
    sa.Column("importing_country", sa.String(2), nullable=False),
    # submitted | approved | refused; a replacement is approved as it is filed
    sa.Column("status", sa.String(12), nullable=False, index=True),
    sa.Column("application", sa.Text, nullable=False),  # the boxes, normalised JSON
    sa.Column("determinations", sa.Text, nullable=False),  # one per line, JSON
    sa.Column("originating", sa.Boolean, nullable=False),  # every line originates
    sa.Column("submitted_at", UtcDateTime(), nullable=False),
    sa.Column("submitted_by", sa.Text, nullable=False),
    sa.Column("decided_at", UtcDateTime(), nullable=True),
    sa.Column("decided_by", sa.Text, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("certificate", sa.String(20), nullable=True),
)

# The last certificate number issued per issuer and year (incremented in the issuing
# transaction: the row lock orders concurrent approvals, a rollback leaves no gap).
origin_certificate_numbers = sa.Table(
    "origin_certificate_numbers",
    metadata,
    sa.Column("issuer", sa.String(2), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("last", sa.Integer, nullable=False),
)

origin_certificates = sa.Table(
    "origin_certificates",
    metadata,
    sa.Column("number", sa.String(20), primary_key=True),
    sa.Column("application_id", sa.ForeignKey("origin_applications.id"), nullable=False),
    sa.Column("applicant", sa.String(35), nullable=False, index=True),
    sa.Column("importing_country", sa.String(2), nullable=False),
    sa.Column("status", sa.String(12), nullable=False, index=True),  # issued, cancelled, replaced
    sa.Column("issued_on", sa.Date, nullable=False),
    sa.Column("valid_until", sa.Date, nullable=False),
    sa.Column("document", sa.Text, nullable=False),  # the contract's document, with its status
    sa.Column("hash", sa.String(80), nullable=False),
    sa.Column("kid", sa.String(64), nullable=False),  # the node's key that signed it
    sa.Column("jws", sa.Text, nullable=False),  # detached compact JWS of the document
    sa.Column("replaces", sa.String(20), nullable=True),
    sa.Column("replaced_by", sa.String(20), nullable=True),
    sa.Column("issued_at", UtcDateTime(), nullable=False),
    sa.Column("issued_by", sa.Text, nullable=False),
    sa.Column("changed_at", UtcDateTime(), nullable=True),  # cancelled or replaced
    sa.Column("changed_by", sa.Text, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
)

# Form E box 4 as importing partners report it: preference given or not, per line.
origin_treatments = sa.Table(
    "origin_treatments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("number", sa.String(20), nullable=False, index=True),
    sa.Column("sender", sa.String(2), nullable=False),
    sa.Column("message_id", sa.String(64), nullable=False),
    sa.Column("declaration", sa.String(40), nullable=False),
    sa.Column("item", sa.Integer, nullable=False),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("treatment", sa.String(10), nullable=False),  # given | not_given
    sa.Column("reason_code", sa.String(40), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("decided_on", sa.Date, nullable=False),
    sa.Column("received_at", UtcDateTime(), nullable=False),
)

# --- e-COs received from partners, and the preference claims checked against them ------

# A partner's electronic certificate of origin, as last received (issued, cancelled,
# replaced). Numbers carry their issuer's code, so one number is one certificate.
origin_certificates_received = sa.Table(
    "origin_certificates_received",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("number", sa.String(20), nullable=False, unique=True),
    sa.Column("issuer", sa.String(2), nullable=False),
    sa.Column("agreement", sa.String(10), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),  # issued | cancelled | replaced
    sa.Column("replaces", sa.String(20), nullable=True),
    sa.Column("replaced_by", sa.String(20), nullable=True),
    sa.Column("issued_on", sa.Date, nullable=False),
    sa.Column("valid_until", sa.Date, nullable=False),
    sa.Column("exporter", sa.Text, nullable=False),  # box 1's name
    sa.Column("consignee", sa.Text, nullable=False),  # box 2's name
    sa.Column("importing_country", sa.String(2), nullable=False),
    sa.Column("hash", sa.String(71), nullable=False),
    sa.Column("document", sa.Text, nullable=False),  # JSON: the payload as last received
    sa.Column("message_id", sa.String(64), nullable=False),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

# Each good of a certificate (boxes 5-10), with what declarations have covered of it.
origin_certificate_lines = sa.Table(
    "origin_certificate_lines",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("certificate_id", sa.ForeignKey("origin_certificates_received.id"), nullable=False),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("hs", sa.String(6), nullable=False),
    sa.Column("quantity", sa.Numeric(24, 6), nullable=False),  # what the line covers in all
    sa.Column("unit", sa.String(3), nullable=False),
    # Covered by live uses; raised only by a conditional update that keeps it <= quantity.
    sa.Column("covered", sa.Numeric(24, 6), nullable=False, server_default="0"),
    sa.UniqueConstraint("certificate_id", "line"),
)

# What each declaration item covers of a certificate line; released (not deleted) when the
# declaration is cancelled or rejected, or amended to claim otherwise.
origin_certificate_uses = sa.Table(
    "origin_certificate_uses",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("line_id", sa.ForeignKey("origin_certificate_lines.id"), nullable=False, index=True),
    sa.Column("declaration_id", sa.ForeignKey("declarations.id"), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("item", sa.Integer, nullable=False),
    sa.Column("quantity", sa.Numeric(24, 6), nullable=False),
    sa.Column("used_at", UtcDateTime(), nullable=False),
    sa.Column("released_at", UtcDateTime(), nullable=True),
)

# The check of each item's preference claim (its latest version), and box 4's treatment.
origin_claims = sa.Table(
    "origin_claims",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("declaration_id", sa.ForeignKey("declarations.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("item", sa.Integer, nullable=False),
    sa.Column("agreement", sa.String(10), nullable=False),
    sa.Column("number", sa.String(35), nullable=False, index=True),  # the reference claimed
    sa.Column("line", sa.Integer, nullable=True),
    sa.Column("proof", sa.String(16), nullable=False),  # e_co_matched | e_co_mismatch | waiting
    sa.Column("treatment", sa.String(10), nullable=False),  # given | not_given | waiting
    sa.Column("reason_code", sa.String(24), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("difference", sa.Numeric(18, 3), nullable=False),  # preference_withheld
    sa.Column("wait_until", UtcDateTime(), nullable=True),
    sa.Column("decided_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("declaration_id", "item"),
)

# Retroactive verification of a certificate of origin: the requests this node sent (the
# importing side) and received (the issuing side), one row per side and reference.
origin_verifications = sa.Table(
    "origin_verifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("side", sa.String(8), nullable=False),  # sent | received
    sa.Column("reference", sa.String(20), nullable=False),  # <requester>-V-<12 hex>
    sa.Column("number", sa.String(20), nullable=False, index=True),
    sa.Column("issuer", sa.String(2), nullable=False),
    sa.Column("requester", sa.String(2), nullable=False),
    sa.Column("agreement", sa.String(10), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("documents", sa.Text, nullable=False),  # JSON list
    sa.Column("requested_on", sa.Date, nullable=False),
    sa.Column("deadline", sa.Date, nullable=False),
    sa.Column(
        "status", sa.String(16), nullable=False
    ),  # open | confirmed | not_confirmed | overdue
    sa.Column("findings", sa.Text, nullable=True),
    sa.Column("requested_at", UtcDateTime(), nullable=False),
    sa.Column("requested_by", sa.Text, nullable=False),
    sa.Column("answered_at", UtcDateTime(), nullable=True),
    sa.Column("answered_by", sa.Text, nullable=True),
    sa.Column("recovered", sa.Numeric(18, 3), nullable=False, server_default="0"),
    sa.UniqueConstraint("side", "reference"),
)

# The duty recovered on each declaration whose preference a verification withdrew.
origin_verification_recoveries = sa.Table(
    "origin_verification_recoveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "verification_id", sa.ForeignKey("origin_verifications.id"), nullable=False, index=True
    ),
    sa.Column("declaration_id", sa.ForeignKey("declarations.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),  # the version that withdrew it
    sa.Column("amount", sa.Numeric(18, 3), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
)

# --- joint inspection ----------------------------------------------------------------

inspection_tasks = sa.Table(
    "inspection_tasks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("declaration_id", sa.ForeignKey("declarations.id"), nullable=False, unique=True),
    sa.Column("office", sa.String(5), nullable=False, index=True),
    sa.Column("status", sa.String(12), nullable=False, index=True),  # open, completed
    sa.Column("officer", sa.Text, nullable=True),
    sa.Column("sps_inspector", sa.Text, nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("started_at", UtcDateTime(), nullable=True),
    sa.Column("completed_at", UtcDateTime(), nullable=True),
    sa.Column("result", sa.String(16), nullable=True),  # compliant, findings
)

inspection_checks = sa.Table(
    "inspection_checks",
    metadata,
    sa.Column("task_id", sa.ForeignKey("inspection_tasks.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("service", sa.String(8), nullable=False),  # customs, sps, agency
    sa.Column("check", sa.String(20), nullable=False),
    sa.Column("item_seq", sa.Integer, nullable=True),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("status", sa.String(14), nullable=False),  # open, compliant, non_compliant
    sa.Column("finding", sa.Text, nullable=True),  # JSON
    sa.Column("recorded_by", sa.Text, nullable=True),
    sa.Column("recorded_at", UtcDateTime(), nullable=True),
    sa.Column("agency", sa.String(10), nullable=True),  # an agency's check: which agency
)

ephyto_certificates = sa.Table(
    "ephyto_certificates",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("declaration_id", sa.ForeignKey("declarations.id"), nullable=False, index=True),
    sa.Column("number", sa.String(70), nullable=False),
    sa.Column("status_code", sa.String(4), nullable=False),
    sa.Column("certificate", sa.Text, nullable=False),  # JSON: the fields read
    sa.Column("mismatches", sa.Text, nullable=False),  # JSON
    sa.Column("xml", sa.Text, nullable=False),
    sa.Column("attached_at", UtcDateTime(), nullable=False),
    sa.Column("attached_by", sa.Text, nullable=False),
)

# Seizures open an enforcement case for the investigation that follows.
enforcement_cases = sa.Table(
    "enforcement_cases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("declaration_id", sa.ForeignKey("declarations.id"), nullable=False, index=True),
    sa.Column("opened_at", UtcDateTime(), nullable=False),
    sa.Column("opened_by", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),  # open, closed
)

# --- Exchange between partner administrations ---------------------------------------

# This node's signing keys: the private key is PKCS#8, encrypted with the node's secret.
node_keys = sa.Table(
    "node_keys",
    metadata,
    sa.Column("kid", sa.String(64), primary_key=True),
    sa.Column("public_jwk", sa.Text, nullable=False),
    sa.Column("private_pem", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    # The one key that signs now; a rotated key verifies until valid_to (the overlap).
    sa.Column("signing", sa.Boolean, nullable=False),
    sa.Column("valid_to", UtcDateTime(), nullable=True),
)

exchange_partners = sa.Table(
    "exchange_partners",
    metadata,
    sa.Column("administration", sa.String(2), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("endpoint", sa.Text, nullable=False),
    sa.Column("agreements", sa.Text, nullable=False),  # JSON list
    sa.Column("registered_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

partner_keys = sa.Table(
    "partner_keys",
    metadata,
    sa.Column("kid", sa.String(64), primary_key=True),
    sa.Column(
        "administration",
        sa.String(2),
        sa.ForeignKey("exchange_partners.administration"),
        nullable=False,
        index=True,
    ),
    sa.Column("jwk", sa.Text, nullable=False),
    sa.Column("valid_from", UtcDateTime(), nullable=False),
    sa.Column("valid_to", UtcDateTime(), nullable=True),
)

# Partners' signed receipts, as received: the sender's proof of delivery.
exchange_receipts = sa.Table(
    "exchange_receipts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("partner", sa.String(2), nullable=False),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("token", sa.Text, nullable=False),
)

# Written in the transaction of the change that causes the message; the dispatcher
# delivers it (pending -> delivered) or parks it after repeated failures.
exchange_outbox = sa.Table(
    "exchange_outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("message_id", sa.String(64), nullable=False, unique=True),
    sa.Column("partner", sa.String(2), nullable=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("subject", sa.String(120), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),  # canonical JSON (RFC 8785)
    sa.Column("signer", sa.String(64), nullable=True),  # a key other than the signing one
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),  # pending | delivered | parked
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("delivered_at", UtcDateTime(), nullable=True),
    # The partner's signed receipt (one covers a whole batch, so it is kept once).
    sa.Column("receipt_id", sa.Integer, sa.ForeignKey("exchange_receipts.id"), nullable=True),
    sa.Index("ix_exchange_outbox_status_id", "status", "id"),
)

# Every message processed, with the JWS as received (the evidence); a message id
# is processed once per sender.
exchange_inbox = sa.Table(
    "exchange_inbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender", sa.String(2), nullable=False),
    sa.Column("message_id", sa.String(64), nullable=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("subject", sa.String(120), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("token", sa.Text, nullable=False),
    sa.Column("result", sa.Text, nullable=True),
    sa.UniqueConstraint("sender", "message_id", name="uq_exchange_inbox_sender_message"),
)

# Messages refused at the inbox: forged, replayed, unsigned, misaddressed.
exchange_refusals = sa.Table(
    "exchange_refusals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("code", sa.String(24), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("kid", sa.String(64), nullable=True),
    sa.Column("remote", sa.String(64), nullable=True),
    sa.Column("excerpt", sa.Text, nullable=True),
    # One row per source, code and window: how many messages, the last one's time (code,
    # detail, key and excerpt are the last one's too). Rows before 0011 are one message each.
    sa.Column("window_start", UtcDateTime(), nullable=True),
    sa.Column("last_at", UtcDateTime(), nullable=True),
    sa.Column("messages", sa.Integer, nullable=False, server_default="1"),
    sa.UniqueConstraint("remote", "code", "window_start", name="uq_exchange_refusals_window"),
)

# Which process of the node runs the dispatcher (a lease, renewed while it runs).
exchange_lease = sa.Table(
    "exchange_lease",
    metadata,
    sa.Column("name", sa.String(24), primary_key=True),
    sa.Column("holder", sa.String(64), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
)

# Advance export data received from partners, linked to the import declaration.
advance_export_data = sa.Table(
    "advance_export_data",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender", sa.String(2), nullable=False),
    sa.Column("export_declaration", sa.String(40), nullable=False, index=True),
    sa.Column("ucr", sa.String(35), nullable=True, index=True),
    sa.Column("transport_document", sa.String(35), nullable=False, index=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("message_id", sa.String(64), nullable=False),
    sa.UniqueConstraint("sender", "export_declaration", name="uq_advance_export_data_sender"),
)

# Which import declarations an export's advance data was compared with, and what differed.
# Usually one; a second live import claiming the same export is itself a signal.
advance_links = sa.Table(
    "advance_links",
    metadata,
    sa.Column("advance_id", sa.Integer, sa.ForeignKey("advance_export_data.id"), primary_key=True),
    sa.Column("declaration_id", sa.Integer, sa.ForeignKey("declarations.id"), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),  # the version last compared
    sa.Column("linked_at", UtcDateTime(), nullable=False),
    sa.Column("mismatches", sa.Text, nullable=False),  # JSON list
    sa.Index("ix_advance_links_declaration_id", "declaration_id"),
)

# Inspection results a partner sent for goods it exported, applied once linked.
partner_inspection_results = sa.Table(
    "partner_inspection_results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender", sa.String(2), nullable=False),
    sa.Column("export_declaration", sa.String(40), nullable=False, index=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("applied_at", UtcDateTime(), nullable=True),
)

# The AEO register's history (the register itself is aeo_operators).
aeo_events = sa.Table(
    "aeo_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("party_id", sa.String(35), nullable=False, index=True),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("action", sa.String(12), nullable=False),
    sa.Column("from_status", sa.String(10), nullable=True),
    sa.Column("to_status", sa.String(10), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
)

# Partners' AEOs under a mutual recognition arrangement: the latest list each sent.
partner_aeo = sa.Table(
    "partner_aeo",
    metadata,
    sa.Column("administration", sa.String(2), primary_key=True),
    sa.Column("party_id", sa.String(35), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_to", sa.Date, nullable=True),
    sa.Column("list_version", UtcDateTime(), nullable=False),
    sa.Column("received_at", UtcDateTime(), nullable=False),
)

# Mutual administrative assistance: a case thread shared with one partner.
assistance_cases = sa.Table(
    "assistance_cases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(40), nullable=False, unique=True),
    sa.Column("partner", sa.String(2), nullable=False),
    sa.Column("direction", sa.String(8), nullable=False),  # outgoing | incoming
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),  # open | answered | closed
    sa.Column("mrn", sa.String(40), nullable=True),
    sa.Column("opened_at", UtcDateTime(), nullable=False),
    sa.Column("opened_by", sa.Text, nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

assistance_messages = sa.Table(
    "assistance_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "case_id", sa.Integer, sa.ForeignKey("assistance_cases.id"), nullable=False, index=True
    ),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("administration", sa.String(2), nullable=False),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("kind", sa.String(24), nullable=False),  # the request's kind | reply | close
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("message_id", sa.String(64), nullable=True),
)

# Import declarations from a partner's territory waiting for its advance export data:
# the keys it may arrive under (N830:<export declaration>, UCR:<ucr>, TD:<country>:<document>).
import_match_keys = sa.Table(
    "import_match_keys",
    metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("declaration_id", sa.Integer, sa.ForeignKey("declarations.id"), primary_key=True),
)

# --- licences, permits, certificates and others (LPCO) of the single window's agencies -------

# Each `silkgate lpco requirements load` adds a set; the newest active one applies.
lpco_requirement_sets = sa.Table(
    "lpco_requirement_sets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("loaded_at", UtcDateTime(), nullable=False),
    sa.Column("loaded_by", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
)

lpco_requirements = sa.Table(
    "lpco_requirements",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("set_id", sa.ForeignKey("lpco_requirement_sets.id"), nullable=False, index=True),
    sa.Column("hs_prefix", sa.String(10), nullable=False),
    sa.Column("flow", sa.String(8), nullable=False),  # import | export | transit
    sa.Column("country", sa.String(2), nullable=False),  # "" for any
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("document", sa.String(4), nullable=False),
    sa.Column("agency", sa.String(10), nullable=False),  # "" for any
    sa.Column("missing", sa.String(8), nullable=False),  # hold | refuse
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_to", sa.Date, nullable=True),
    sa.Column("examine", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("partner", sa.Boolean, nullable=False, server_default=sa.false()),
)

# The LPCOs the agencies issued. ``balance`` is lowered only by a conditional update that
# keeps it >= 0 (store/lpco.py), raised when a draw-down is given back.
lpcos = sa.Table(
    "lpcos",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("number", sa.String(28), nullable=False, unique=True),
    sa.Column("agency", sa.String(10), nullable=False, index=True),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("holder", sa.String(35), nullable=False, index=True),
    sa.Column("holder_name", sa.Text, nullable=False),
    sa.Column("hs", sa.String(10), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("flow", sa.String(8), nullable=False),
    sa.Column("country", sa.String(2), nullable=True),
    sa.Column("office", sa.String(5), nullable=True),
    sa.Column("unit", sa.String(3), nullable=False),
    sa.Column("quantity", sa.Numeric(24, 6), nullable=False),
    sa.Column("balance", sa.Numeric(24, 6), nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_until", sa.Date, nullable=False),
    sa.Column("conditions", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),  # issued | suspended | revoked
    # A condition that the agency examines the goods at the border (joint inspection).
    sa.Column("examine", sa.Boolean, nullable=False, server_default=sa.false()),
    # A partner's LPCO, received over the exchange (None: issued here): the administration
    # that issued it, the agency here that accepts it, the importer it names.
    sa.Column("administration", sa.String(2), nullable=True),
    sa.Column("acceptor", sa.String(10), nullable=True),
    sa.Column("consignee", sa.String(35), nullable=True),
    sa.Column("issued_at", UtcDateTime(), nullable=False),
    sa.Column("issued_by", sa.Text, nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

# Every change of an LPCO by its agency, in order: issue, amend, suspend, reinstate, revoke.
lpco_history = sa.Table(
    "lpco_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("lpco_id", sa.ForeignKey("lpcos.id"), nullable=False, index=True),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.String(12), nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("changes", sa.Text, nullable=False),  # JSON: field -> [before, after]
)

# What each declaration item drew on an LPCO; given back (not deleted) on amendment,
# cancellation or rejection.
lpco_drawdowns = sa.Table(
    "lpco_drawdowns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("lpco_id", sa.ForeignKey("lpcos.id"), nullable=False, index=True),
    sa.Column("declaration_id", sa.ForeignKey("declarations.id"), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("item", sa.Integer, nullable=False),
    sa.Column("quantity", sa.Numeric(24, 6), nullable=False),
    sa.Column("drawn_at", UtcDateTime(), nullable=False),
    sa.Column("returned_at", UtcDateTime(), nullable=True),
)

# The check of each item's required LPCOs on the declaration's latest version.
lpco_checks = sa.Table(
    "lpco_checks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("declaration_id", sa.ForeignKey("declarations.id"), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("item", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("document", sa.String(4), nullable=False),
    sa.Column("number", sa.String(28), nullable=True),
    sa.Column("status", sa.String(12), nullable=False),  # ok | missing | insufficient
    sa.Column("amount", sa.Numeric(24, 6), nullable=True),
    sa.Column("unit", sa.String(3), nullable=True),
    sa.Column("held", sa.Boolean, nullable=False),
    sa.Column("examiner", sa.String(10), nullable=True),  # the agency examining the goods
    sa.Column("reason", sa.Text, nullable=True),
)

# --- transit movements across partner administrations ---------------------------------

# One node's copy of a movement: declared here (departure) or anticipated (transit,
# destination). The status changes only through the transit aggregate (transit/states.py).
transit_movements = sa.Table(
    "transit_movements",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("mrn", sa.String(18), nullable=False, unique=True),
    sa.Column("role", sa.String(12), nullable=False),  # departure | transit | destination
    sa.Column("departure", sa.String(2), nullable=False),  # the administration of departure
    sa.Column("lrn", sa.String(24), nullable=False),
    sa.Column("holder", sa.String(35), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("channel", sa.String(8), nullable=True),
    sa.Column("departure_office", sa.String(5), nullable=False, index=True),
    sa.Column("destination_office", sa.String(5), nullable=False, index=True),
    sa.Column("transit_offices", sa.Text, nullable=False),  # JSON list, in order
    sa.Column("routing", sa.Text, nullable=False),  # JSON list of countries
    sa.Column("time_limit", sa.Date, nullable=False),
    sa.Column("guarantee", sa.String(24), nullable=True),
    sa.Column("reserved", sa.Numeric(18, 3), nullable=False, server_default="0"),
    sa.Column("stake", sa.Text, nullable=True),  # JSON: the duties at stake per item
    sa.Column("document", sa.Text, nullable=False),  # the declaration, normalised JSON
    sa.Column("lodged_at", UtcDateTime(), nullable=False),
    sa.Column("released_at", UtcDateTime(), nullable=True),
    sa.Column("arrival_office", sa.String(5), nullable=True),
    sa.Column("arrived_at", UtcDateTime(), nullable=True),
    sa.Column("diverted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("diversion_accepted", sa.Boolean, nullable=True),
    sa.Column("control_result", sa.String(16), nullable=True),
    sa.Column("ended_at", UtcDateTime(), nullable=True),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    # Under enquiry: when the answer is due; unanswered by then, the duty is recovered.
    sa.Column("enquiry_due", UtcDateTime(), nullable=True),
    # Incidents en route: how many, and the seals and means of transport since (JSON; None:
    # as declared). After one, the destination must examine the goods.
    sa.Column("incidents", sa.Integer, nullable=False, server_default="0"),
    sa.Column("seals", sa.Text, nullable=True),
    sa.Column("transport", sa.Text, nullable=True),
)

# What each office recorded of a movement (a crossing per office of transit, the arrival,
# the control results): once each, so a message applied again records nothing more.
transit_steps = sa.Table(
    "transit_steps",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("movement_id", sa.ForeignKey("transit_movements.id"), nullable=False, index=True),
    sa.Column("step", sa.String(16), nullable=False),  # crossed | arrived | control | ...
    sa.Column("office", sa.String(5), nullable=False),  # "" for a step of no office
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("detail", sa.Text, nullable=True),  # JSON
    sa.UniqueConstraint("movement_id", "step", "office"),
)

# The guarantee register: comprehensive guarantees (a reference amount drawn on by many
# movements) and individual ones (one movement), by holder. The balance never goes below 0.
transit_guarantees = sa.Table(
    "transit_guarantees",
    metadata,
    sa.Column("reference", sa.String(24), primary_key=True),
    sa.Column("holder", sa.String(35), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),  # comprehensive | individual | tir
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("reference_amount", sa.Numeric(18, 3), nullable=False),
    sa.Column("balance", sa.Numeric(18, 3), nullable=False),
    sa.Column("uses", sa.Integer, nullable=False, server_default="0"),
    sa.Column("registered_at", UtcDateTime(), nullable=False),
    sa.Column("registered_by", sa.Text, nullable=False),
    # A TIR carnet standing in for the guarantee (kind "tir"): its number and vouchers.
    sa.Column("carnet", sa.String(10), nullable=True),
    sa.Column("vouchers", sa.Integer, nullable=True),
    sa.CheckConstraint("balance >= 0", name="balance_not_negative"),
)

# What each released movement holds of its guarantee, until discharge frees it.
transit_reservations = sa.Table(
    "transit_reservations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "guarantee", sa.ForeignKey("transit_guarantees.reference"), nullable=False, index=True
    ),
    sa.Column("mrn", sa.String(18), nullable=False, unique=True),
    sa.Column("amount", sa.Numeric(18, 3), nullable=False),
    sa.Column("reserved_at", UtcDateTime(), nullable=False),
    sa.Column("freed_at", UtcDateTime(), nullable=True),
    # The movement not discharged: the amount kept by customs, a debt on the guarantee.
    sa.Column("recovered_at", UtcDateTime(), nullable=True),
)

# --- cross-border e-commerce (docs/ecommerce.md) ------------------------------------

# Every record of the four lists, as stored: the body with identity numbers hashed. A sender's
# record id is unique per kind (a re-sent record changes nothing); a parcel has one of each kind.
ecommerce_records = sa.Table(
    "ecommerce_records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(8), nullable=False),  # orders | payments | waybills | parcels
    sa.Column("sender_id", sa.ForeignKey("principals.id"), nullable=False),
    sa.Column("record_id", sa.String(64), nullable=False),
    sa.Column("platform", sa.String(35), nullable=False),
    sa.Column("order_no", sa.String(40), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("kind", "sender_id", "record_id", name="uq_ecommerce_records_sender"),
    sa.UniqueConstraint("platform", "order_no", "kind", name="uq_ecommerce_records_parcel"),
)

# One row per parcel (platform, order number), from its first record to its decision.
ecommerce_parcels = sa.Table(
    "ecommerce_parcels",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("platform", sa.String(35), nullable=False),
    sa.Column("order_no", sa.String(40), nullable=False),
    # pending | released | held | refused | returned
    sa.Column("status", sa.String(10), nullable=False, index=True),
    sa.Column("reason_code", sa.String(32), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("agent", sa.String(35), nullable=True, index=True),
    sa.Column("waybill_no", sa.String(40), nullable=True),
    sa.Column("consumer_hash", sa.String(64), nullable=True),
    sa.Column("currency", sa.String(3), nullable=True),
    sa.Column("value", sa.Numeric(18, 3), nullable=True),  # in the limits' currency
    sa.Column("customs_value", sa.Numeric(18, 3), nullable=True),  # national currency
    sa.Column("tax", sa.Numeric(18, 3), nullable=True),  # secured against the guarantee
    sa.Column("quota_year", sa.Integer, nullable=True),  # the year whose quota it used
    sa.Column("selected", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("first_seen_at", UtcDateTime(), nullable=False),
    sa.Column("decided_at", UtcDateTime(), nullable=True, index=True),
    sa.Column("released_at", UtcDateTime(), nullable=True),
    sa.Column("returned_at", UtcDateTime(), nullable=True),
    sa.UniqueConstraint("platform", "order_no", name="uq_ecommerce_parcels_platform"),
)

# A consumer's parcels in a calendar year, in the limits' currency: never above the limit.
ecommerce_quotas = sa.Table(
    "ecommerce_quotas",
    metadata,
    sa.Column("consumer_hash", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("used", sa.Numeric(18, 3), nullable=False),
)

# The agent's general guarantee, drawn down by each parcel's tax and never below zero.
ecommerce_guarantees = sa.Table(
    "ecommerce_guarantees",
    metadata,
    sa.Column("agent", sa.String(35), primary_key=True),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("amount", sa.Numeric(18, 3), nullable=False),
    sa.Column("drawn", sa.Numeric(18, 3), nullable=False),
    sa.Column("reference", sa.Text, nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
    sa.CheckConstraint("drawn >= 0 AND drawn <= amount", name="within_amount"),
)


# --- statistics: figures kept as the work happens (rebuilt from the journal on demand) ----
# Derived data: no foreign keys, so a rebuild may clear and refill the tables, and a
# benchmark may load synthetic rows with COPY.

# One row per declaration: when each stage of its clearance first happened (UTC).
stat_stages = sa.Table(
    "stat_stages",
    metadata,
    sa.Column("declaration_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("type", sa.String(2), nullable=False),
    sa.Column("office", sa.String(5), nullable=False),
    sa.Column("channel", sa.String(6), nullable=True),
    sa.Column("mode", sa.String(2), nullable=False),
    sa.Column("chapter", sa.String(2), nullable=False),
    sa.Column("day", sa.Date, nullable=False),  # the UTC date of lodging
    sa.Column("arrival_date", sa.Date, nullable=True),
    sa.Column("lodged_at", UtcDateTime(), nullable=False),
    sa.Column("assessed_at", UtcDateTime(), nullable=True),
    sa.Column("channel_at", UtcDateTime(), nullable=True),
    sa.Column("inspection_started_at", UtcDateTime(), nullable=True),
    sa.Column("inspection_finished_at", UtcDateTime(), nullable=True),
    sa.Column("paid_at", UtcDateTime(), nullable=True),
    sa.Column("released_at", UtcDateTime(), nullable=True),
    # Lodging to release in milliseconds: what the percentiles are taken over.
    sa.Column("release_ms", sa.BigInteger, nullable=True),
    sa.Index("ix_stat_stages_day_type", "day", "type"),
)

# Sums per UTC day, type, office, channel, mode and HS chapter: the study without its
# percentiles (counts, and millisecond sums whose means are exact).
stat_daily = sa.Table(
    "stat_daily",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("type", sa.String(2), primary_key=True),
    sa.Column("office", sa.String(5), primary_key=True),
    sa.Column("channel", sa.String(6), primary_key=True),
    sa.Column("mode", sa.String(2), primary_key=True),
    sa.Column("chapter", sa.String(2), primary_key=True),
    *(
        sa.Column(name, sa.BigInteger, nullable=False, server_default="0")
        for name in (
            "declarations",
            "released",
            "release_ms",
            "within_1h",
            "within_6h",
            "within_24h",
            "assessed_n",
            "assessed_ms",
            "channel_n",
            "channel_ms",
            "inspection_started_n",
            "inspection_started_ms",
            "inspection_finished_n",
            "inspection_finished_ms",
            "paid_n",
            "paid_ms",
            "arrival_n",
            "arrival_days",
        )
    ),
)

# The same sums by one dimension at a time (all, office, channel, mode): what the Time
# Release Study reads, a few thousand rows a month whatever the traffic.
stat_study = sa.Table(
    "stat_study",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("type", sa.String(2), primary_key=True),
    sa.Column("dimension", sa.String(8), primary_key=True),
    sa.Column("value", sa.String(6), primary_key=True),
    *(
        sa.Column(name, sa.BigInteger, nullable=False, server_default="0")
        for name in stat_daily.c.keys()[6:]
    ),
)

# Lodging-to-release times as a mergeable log histogram (DDSketch buckets, 0.5 % relative
# accuracy) by day and dimension: the percentiles of a period too large to sort.
stat_sketch = sa.Table(
    "stat_sketch",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("type", sa.String(2), primary_key=True),
    sa.Column("dimension", sa.String(8), primary_key=True),
    sa.Column("value", sa.String(6), primary_key=True),
    sa.Column("bucket", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("count", sa.BigInteger, nullable=False),
)

# One row per item released (or parcel cleared): the facts trade statistics are made of.
stat_trade = sa.Table(
    "stat_trade",
    metadata,
    sa.Column("source", sa.String(2), primary_key=True),  # D declaration, P parcel
    sa.Column("ref_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("month", sa.String(7), nullable=False),  # YYYY-MM of release (UTC)
    sa.Column("flow", sa.String(1), nullable=False),  # M import, X export
    sa.Column("hs6", sa.String(6), nullable=False),
    sa.Column("partner", sa.String(2), nullable=False),
    sa.Column("procedure", sa.String(4), nullable=False),
    sa.Column("mode", sa.String(2), nullable=False),
    sa.Column("trader", sa.String(35), nullable=False),
    sa.Column("value", sa.Numeric(18, 3), nullable=False),  # national currency
    sa.Column("value_usd", sa.Numeric(18, 3), nullable=True),
    sa.Column("quantity", sa.Numeric(18, 3), nullable=True),
    sa.Column("unit", sa.String(3), nullable=True),
    sa.Column("net_mass_kg", sa.Numeric(18, 3), nullable=False),
    sa.Column("duties", sa.Numeric(18, 3), nullable=False),
    sa.Index("ix_stat_trade_month_flow", "month", "flow"),
)

# A month's published releases: version 1 closes it; each later one is a revision.
stat_releases = sa.Table(
    "stat_releases",
    metadata,
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("closed_at", UtcDateTime(), nullable=False),
    sa.Column("closed_by", sa.Text, nullable=False),
    sa.Column("cells", sa.Text, nullable=False),  # JSON: the published cells
    sa.Column("changes", sa.Text, nullable=False),  # JSON: what changed since the last
)


# -- the trader's portal (docs/portal.md) ------------------------------------------------------

# A declaration form saved to finish later: the form's fields as JSON, owned by the trader.
portal_drafts = sa.Table(
    "portal_drafts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("party_id", sa.String(35), nullable=False, index=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("fields", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
)

# An officer's request for information on a declaration, and the trader's answer.
portal_questions = sa.Table(
    "portal_questions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("declaration_id", sa.Integer, nullable=False, index=True),
    sa.Column("mrn", sa.String(40), nullable=False),
    sa.Column("party_id", sa.String(35), nullable=False, index=True),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("deadline", sa.Date, nullable=True),
    sa.Column("asked_at", UtcDateTime(), nullable=False),
    sa.Column("asked_by", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=True),
    sa.Column("answered_at", UtcDateTime(), nullable=True),
    sa.Column("answered_by", sa.Text, nullable=True),
)

# A document uploaded to a declaration: its bytes are in the document store, not here.
portal_documents = sa.Table(
    "portal_documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("declaration_id", sa.Integer, nullable=False, index=True),
    sa.Column("mrn", sa.String(40), nullable=False),
    sa.Column("party_id", sa.String(35), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("media_type", sa.String(60), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("storage_key", sa.Text, nullable=False),
    sa.Column("question_id", sa.Integer, nullable=True),
    sa.Column("uploaded_at", UtcDateTime(), nullable=False),
    sa.Column("uploaded_by", sa.Text, nullable=False),
)

# A payment or a guarantee the trader says it made, until customs confirm it (or at once,
# where the administration does not require a confirmation).
portal_payments = sa.Table(
    "portal_payments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("declaration_id", sa.Integer, nullable=False, index=True),
    sa.Column("mrn", sa.String(40), nullable=False),
    sa.Column("party_id", sa.String(35), nullable=False, index=True),
    sa.Column("kind", sa.String(10), nullable=False),  # payment | guarantee
    sa.Column("amount", sa.Numeric(18, 3), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("reference", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),  # claimed | confirmed | refused
    sa.Column("claimed_at", UtcDateTime(), nullable=False),
    sa.Column("claimed_by", sa.Text, nullable=False),
    sa.Column("decided_at", UtcDateTime(), nullable=True),
    sa.Column("decided_by", sa.Text, nullable=True),
)

# A trader's webhook: where its notifications are posted, signed with its secret.
portal_webhooks = sa.Table(
    "portal_webhooks",
    metadata,
    sa.Column("party_id", sa.String(35), primary_key=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("secret", sa.Text, nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

# Notifications to deliver to the traders' webhooks (delivered by a background worker).
portal_outbox = sa.Table(
    "portal_outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("party_id", sa.String(35), nullable=False, index=True),
    sa.Column("event", sa.String(40), nullable=False),
    sa.Column("mrn", sa.String(40), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_at", UtcDateTime(), nullable=False, index=True),
    sa.Column("delivered_at", UtcDateTime(), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
)
