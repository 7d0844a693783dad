"""The learned model end to end, in a database of its own (a model changes every channel)."""

from __future__ import annotations

import copy

import pytest
from fastapi.testclient import TestClient

from silkgate import demo
from silkgate.app import create_app
from silkgate.bootstrap import open_node
from silkgate.config import Settings
from silkgate.kernel.errors import InvalidRequest
from silkgate.store import migrate, refdata
from silkgate.store import risk as risk_store
from silkgate.store.db import make_engine, writing
from tests.conftest import SECRET
from tests.integration.conftest import auth
from tests.kcs_synthetic import rows, write


@pytest.fixture(scope="module")
def own_node(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.db"
    settings = Settings(mode="test", database_url=f"sqlite:///{path}", secret_key=SECRET)
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url, pool_size=2)
    refdata.load(engine)
    users = dict((u.name, t) for u, t in demo.setup(engine, SECRET))
    demo.load_tariff(settings, engine)
    with writing(engine) as conn:
        risk_store.update_settings(conn, exploration_share=0)
    node = open_node(settings, engine)
    yield settings, node, users
    node.close()


def test_training_needs_history(own_node):
    _, node, _ = own_node
    with pytest.raises(InvalidRequest) as exc:
        node.risk.train("test")
    assert exc.value.errors[0].pointer == "/history"


def test_import_train_score_and_explain(own_node, tmp_path, declaration):
    settings, node, users = own_node
    history = write(tmp_path / "history.csv", rows(1500))
    result = node.risk.import_history(history.read_bytes())
    assert result["added"] == 1500
    again = node.risk.import_history(history.read_bytes())
    assert again["added"] == 0  # the same declarations are not counted twice
    unlabelled = write(tmp_path / "unlabelled.csv", rows(10, seed=2), labels=False)
    with pytest.raises(InvalidRequest):
        node.risk.import_history(unlabelled.read_bytes())

    trained = node.risk.train("test")
    card = trained["card"]
    assert card["data"]["rows"] == 1500 and card["data"]["sources"] == ["kcs"]
    assert card["validation"]["precision@5%"] >= 0.7  # the pattern is learnable
    assert "te_HS6 Code*Country of Origin" in card["features"]

    with TestClient(create_app(settings, node)) as client:
        # Cheap VN fruit, like the frauds in the history, scores high; laptops do not.
        risky = copy.deepcopy(declaration)
        risky["lrn"] += "R"
        risky["items"][0]["value"] = "1400.00"  # dragon fruit at 0.5 CNY/kg
        risky["invoice"]["amount"] = "9150.00"
        r = client.post("/v1/declarations", json=risky, headers=auth(users["acme-trading"]))
        assert r.status_code == 201, r.text
        officer = auth(users["officer.li"])
        d = client.get(f"/v1/declarations/{r.json()['mrn']}", headers=officer).json()
        assert d["risk"]["model_id"] == trained["id"]
        assert d["risk"]["model_score"] > 0.3
        assert d["risk"]["top_features"] and d["risk"]["top_features"][0]["item"] in (1, 2)
        assert {"feature", "value", "contribution"} <= set(d["risk"]["top_features"][0])
        for f in d["risk"]["top_features"]:  # categories by name, not by index
            if f["feature"].startswith("cat_"):
                assert isinstance(f["value"], str)
        perf = client.get("/v1/risk/performance", headers=officer).json()
        assert perf["models"][0]["active"] and perf["models"][0]["id"] == trained["id"]


def test_declarations_not_controlled_are_history_without_an_outcome(own_node, tmp_path):
    """An empty Fraud is "not controlled": kept as NULL, never counted as compliant."""
    _, node, _ = own_node
    labelled = write(tmp_path / "labelled.csv", rows(1500))
    node.risk.import_history(labelled.read_bytes())  # known already, or added here
    unknown = rows(400, seed=5)
    for r in unknown:
        r["Fraud"] = r["Critical Fraud"] = ""
    result = node.risk.import_history(write(tmp_path / "unknown.csv", unknown).read_bytes())
    assert result["added"] == 400
    kcs_history = result["history"]["kcs"]
    assert kcs_history["rows"] == 1900 and kcs_history["controlled"] == 1500
    with node.engine.connect() as conn:
        nulls = conn.execute(
            risk_store.risk_history.select().where(risk_store.risk_history.c.fraud.is_(None))
        ).all()
    assert len(nulls) == 400 and all(r.critical is None for r in nulls)
    card = node.risk.train("test")["card"]
    assert card["data"]["rows"] == 1900 and card["data"]["controlled"] == 1500
    assert card["data"]["fraud"] == kcs_history["fraud"]
    # The validation figures are on controlled rows only.
    assert card["validation"]["rows"] <= 1500
