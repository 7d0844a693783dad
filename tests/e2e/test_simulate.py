"""The simulation drives invented traffic through the whole node, on a database of its own."""

from __future__ import annotations

from silkgate.config import Settings
from tests.conftest import SECRET
from tests.e2e.conftest import run_cli


def test_simulate_ends_with_the_time_release_study(tmp_path):
    settings = Settings(mode="test", database_url=f"sqlite:///{tmp_path}/sim.db", secret_key=SECRET)
    r = run_cli(settings, "simulate", "--declarations", "60", "--days", "10", "--seed", "3")
    assert r.returncode == 0, r.stderr
    assert "60 declarations lodged" in r.stdout
    assert "joint inspections" in r.stdout
    assert "Time Release Study" in r.stdout and "median h" in r.stdout
    verify = run_cli(settings, "journal", "verify")
    assert verify.returncode == 0 and "journal intact" in verify.stdout


def test_simulate_refuses_a_production_node(tmp_path):
    import subprocess

    from tests.e2e.conftest import SILKGATE, node_env

    settings = Settings(mode="test", database_url=f"sqlite:///{tmp_path}/p.db", secret_key=SECRET)
    env = {
        **node_env(settings),
        "SILKGATE_MODE": "production",
        "SILKGATE_SECRET_KEY": "Zq3v8JtH0bC1mX9wR4sK7pL2nD6fG5hY-aE_uI0oP3Q",
    }
    r = subprocess.run(
        [SILKGATE, "simulate", "--declarations", "5"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1 and "demo node" in r.stderr


def test_undervaluation_found_by_a_simulation_recovers_revenue(tmp_path):
    """Undervaluation a joint inspection finds: the officer corrects the value, and the
    outcome carries the duties recovered, each finding said once.

    Random selection is not seeded, so which declarations are inspected varies; with
    300 of them, about ten undervalued ones are (none found: about e^-10).
    """
    import sqlalchemy as sa

    from silkgate.store.tables import control_outcomes

    settings = Settings(mode="test", database_url=f"sqlite:///{tmp_path}/sim.db", secret_key=SECRET)
    r = run_cli(settings, "simulate", "--declarations", "300", "--days", "10", "--seed", "6")
    assert r.returncode == 0, r.stderr
    assert " found in 0;" not in " ".join(r.stdout.split())
    engine = sa.create_engine(settings.database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(control_outcomes.c.revenue_recovered, control_outcomes.c.note).where(
                control_outcomes.c.note.like("%price below the market%")
            )
        ).all()
    engine.dispose()
    assert rows and all(revenue > 0 for revenue, _ in rows)
    for _, note in rows:
        said = note.removeprefix("joint inspection: ").split("; ")
        assert len(said) == len(set(said)), note
