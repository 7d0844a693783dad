import pytest
from pydantic import ValidationError

from silkgate.config import DEFAULT_SECRET, Settings


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


def test_the_endpoint_is_the_public_url_or_the_address_served_on():
    def endpoint(**given: object) -> str:
        return Settings.model_validate({"mode": "test", **given}).endpoint

    assert endpoint(host="10.0.0.5", port=8123) == "http://10.0.0.5:8123"
    assert endpoint(host="::1", port=8123) == "http://[::1]:8123"
    assert endpoint(public_url="https://customs.example/") == "https://customs.example"
    every = endpoint(host="0.0.0.0", port=8123)
    assert every.endswith(":8123") and "0.0.0.0" not in every
