import secrets
from pathlib import Path

import pytest
from pydantic import ValidationError

from silkgate.config import DEFAULT_SECRET, Settings, settings_problem
from silkgate.secret_key import GENERATE, demo_pair_secret

STRONG = "Zq3v8JtH0bC1mX9wR4sK7pL2nD6fG5hY-aE_uI0oP3Q"


def test_production_refuses_the_default_secret(monkeypatch):
    monkeypatch.delenv("SILKGATE_SECRET_KEY", raising=False)
    monkeypatch.setenv("SILKGATE_MODE", "production")
    with pytest.raises(ValidationError, match="SILKGATE_SECRET_KEY"):
        Settings()


def test_demo_accepts_the_default_secret(monkeypatch):
    monkeypatch.setenv("SILKGATE_MODE", "demo")
    assert Settings().secret_key == DEFAULT_SECRET
    assert Settings(secret_key=demo_pair_secret("VN")).secret_key == demo_pair_secret("VN")


@pytest.mark.parametrize("mode", ["test", "production"])
@pytest.mark.parametrize("secret", [DEFAULT_SECRET, demo_pair_secret("CN"), demo_pair_secret("VN")])
def test_published_secrets_are_refused_outside_demo(mode, secret):
    with pytest.raises(ValidationError, match="published demo secret") as refused:
        Settings(mode=mode, secret_key=secret)
    assert GENERATE in str(refused.value)


def test_test_mode_takes_a_secret_of_its_own_without_entropy_rules():
    assert Settings(mode="test", secret_key="test-secret-key-0123456789").mode == "test"


@pytest.mark.parametrize(
    ("secret", "why"),
    [
        ("a-long-enough-production-secret", "at least 32 random bytes"),
        ("0123456789abcdef", "at least 32 random bytes"),
        ("correct horse battery staple, twice over!", "neither base64 nor hex"),
        ("a" * 43, "pattern"),
        ("x" * 64, "pattern"),
        ("0123456789abcdef" * 4, "pattern"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq", "pattern"),
    ],
)
def test_production_refuses_weak_secrets_and_says_how_to_make_one(secret, why):
    with pytest.raises(ValidationError, match=why) as refused:
        Settings(mode="production", secret_key=secret)
    assert GENERATE in str(refused.value)


@pytest.mark.parametrize(
    "secret", [STRONG, secrets.token_urlsafe(32), secrets.token_hex(32), secrets.token_urlsafe(48)]
)
def test_production_takes_a_random_secret(secret):
    assert Settings(mode="production", secret_key=secret).secret_key == secret


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SILKGATE_SECRET_KEY", STRONG)
    monkeypatch.setenv("SILKGATE_DATABASE_URL", "postgresql://db.example/silkgate")
    s = Settings()
    assert s.database_url.startswith("postgresql") and not s.is_sqlite


def test_the_endpoint_is_the_public_url_or_the_address_served_on():
    def endpoint(**given: object) -> str:
        return Settings.model_validate({"mode": "test", "secret_key": STRONG, **given}).endpoint

    assert endpoint(host="10.0.0.5", port=8123) == "http://10.0.0.5:8123"
    assert endpoint(host="::1", port=8123) == "http://[::1]:8123"
    assert endpoint(public_url="https://customs.example/") == "https://customs.example"
    every = endpoint(host="0.0.0.0", port=8123)
    assert every.endswith(":8123") and "0.0.0.0" not in every


def test_journal_keys_come_from_the_secret_and_the_environment(monkeypatch):
    monkeypatch.setenv("SILKGATE_MODE", "test")
    monkeypatch.setenv("SILKGATE_SECRET_KEY", "a-long-enough-production-secret")
    monkeypatch.setenv("SILKGATE_JOURNAL_KEY_ID", "j2")
    monkeypatch.setenv("SILKGATE_JOURNAL_RETIRED_SECRETS", '{"j1": "the-secret-before-it"}')
    keys = Settings().journal_keys()
    assert keys.sealing()[0] == "j2"
    monkeypatch.setenv("SILKGATE_JOURNAL_KEY_ID", "j1")
    monkeypatch.delenv("SILKGATE_JOURNAL_RETIRED_SECRETS")
    assert keys.key("j1") == Settings(secret_key="the-secret-before-it").journal_keys().key("j1")


@pytest.mark.parametrize(
    ("key_id", "retired"), [("j 2", "{}"), ("j2", '{"j2": "x"}'), ("j2", '{"bad id": "x"}')]
)
def test_a_bad_journal_key_setting_is_refused(monkeypatch, key_id, retired):
    monkeypatch.setenv("SILKGATE_MODE", "test")
    monkeypatch.setenv("SILKGATE_JOURNAL_KEY_ID", key_id)
    monkeypatch.setenv("SILKGATE_JOURNAL_RETIRED_SECRETS", retired)
    with pytest.raises(ValidationError):
        Settings()


@pytest.mark.parametrize(
    ("variable", "value", "sentence"),
    [
        ("SILKGATE_PORT", "eighty", "SILKGATE_PORT is 'eighty': it must be a port number"),
        ("SILKGATE_ADMINISTRATION", "china", "SILKGATE_ADMINISTRATION is 'china': it must be an"),
        ("SILKGATE_TIMEZONE", "Mars/Olympus", "SILKGATE_TIMEZONE is 'Mars/Olympus': it must be"),
        ("SILKGATE_MODE", "live", "SILKGATE_MODE is 'live': it must be demo, test or production"),
    ],
)
def test_a_refused_setting_is_a_sentence_that_names_it(monkeypatch, variable, value, sentence):
    monkeypatch.setenv("SILKGATE_SECRET_KEY", STRONG)
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as refused:
        Settings()
    problem = settings_problem(refused.value)
    assert problem.startswith(sentence)
    assert "pydantic" not in problem and "http" not in problem and "\n" not in problem


def test_the_default_secret_is_refused_in_words_and_a_secret_is_never_shown(monkeypatch):
    monkeypatch.delenv("SILKGATE_SECRET_KEY", raising=False)
    monkeypatch.setenv("SILKGATE_MODE", "production")
    with pytest.raises(ValidationError) as refused:
        Settings()
    problem = settings_problem(refused.value)
    assert problem.startswith(
        "SILKGATE_SECRET_KEY is a published demo secret, refused in production mode "
        "(SILKGATE_MODE=demo for a demonstration node)"
    )
    assert "pydantic" not in problem and "Value error" not in problem
    monkeypatch.setenv("SILKGATE_SECRET_KEY", "short-secret")
    with pytest.raises(ValidationError) as refused:
        Settings()
    problem = settings_problem(refused.value)
    assert "short-secret" not in problem and "SILKGATE_SECRET_KEY is too short" in problem


def test_where_the_database_is_said_without_its_password():
    secret = STRONG
    relative = Settings(secret_key=secret, database_url="sqlite:///./var/x.db")
    assert relative.database_location() == str(Path("var/x.db").resolve())
    pg = Settings(secret_key=secret, database_url="postgresql://customs:s3cret@db:5432/silkgate")
    assert pg.database_location() == "postgresql://customs:***@db:5432/silkgate"
