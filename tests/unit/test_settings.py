from pathlib import Path

import pytest
from pydantic import ValidationError

from silkgate.config import DEFAULT_SECRET, Settings, settings_problem


def test_production_refuses_the_default_secret(monkeypatch):
    monkeypatch.delenv("SILKGATE_SECRET_KEY", raising=False)
    monkeypatch.setenv("SILKGATE_MODE", "production")
    with pytest.raises(ValidationError, match="SILKGATE_SECRET_KEY"):
        Settings()


def test_demo_accepts_the_default_secret(monkeypatch):
    monkeypatch.setenv("SILKGATE_MODE", "demo")
    assert Settings().secret_key == DEFAULT_SECRET


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SILKGATE_SECRET_KEY", "a-long-enough-production-secret")
    monkeypatch.setenv("SILKGATE_DATABASE_URL", "postgresql://db.example/silkgate")
    s = Settings()
    assert s.database_url.startswith("postgresql") and not s.is_sqlite


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
    monkeypatch.setenv("SILKGATE_SECRET_KEY", "a-long-enough-production-secret")
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
    assert settings_problem(refused.value) == (
        "SILKGATE_SECRET_KEY is the public default; set a secret of your own "
        "(or SILKGATE_MODE=demo for a demonstration node)"
    )
    monkeypatch.setenv("SILKGATE_SECRET_KEY", "short-secret")
    with pytest.raises(ValidationError) as refused:
        Settings()
    problem = settings_problem(refused.value)
    assert "short-secret" not in problem and "SILKGATE_SECRET_KEY is too short" in problem


def test_where_the_database_is_said_without_its_password():
    secret = "a-long-enough-production-secret"
    relative = Settings(secret_key=secret, database_url="sqlite:///./var/x.db")
    assert relative.database_location() == str(Path("var/x.db").resolve())
    pg = Settings(secret_key=secret, database_url="postgresql://customs:s3cret@db:5432/silkgate")
    assert pg.database_location() == "postgresql://customs:***@db:5432/silkgate"
