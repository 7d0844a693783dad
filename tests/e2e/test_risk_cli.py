"""The risk commands as an analyst runs them."""

from __future__ import annotations

import csv

from tests.e2e.conftest import run_cli
from tests.kcs_synthetic import rows, write


def test_evaluate_trains_on_train_files_only_and_scores_every_test_row(settings, tmp_path):
    data = rows(2400, seed=5)
    train_a = write(tmp_path / "a.csv", data[:1000])
    train_b = write(tmp_path / "b.csv", data[1000:2000])
    test = write(tmp_path / "test.csv", data[2000:])
    scores = tmp_path / "scores.csv"
    r = run_cli(
        settings,
        "risk",
        "evaluate",
        "--train",
        str(train_a),
        "--train",
        str(train_b),
        "--test",
        str(test),
        "--scores",
        str(scores),
    )
    assert r.returncode == 0, r.stderr
    assert "trained on 2,000 declarations" in r.stdout
    assert "precision@5%" in r.stdout and "recall@10%" in r.stdout
    assert "critical: precision@1%" in r.stdout  # critical frauds reported apart
    with scores.open() as f:
        written = list(csv.DictReader(f))
    assert [w["Declaration ID"] for w in written] == [d["Declaration ID"] for d in data[2000:]]
    # Without the label columns: the same scores, and no metrics.
    blind = write(tmp_path / "blind.csv", data[2000:], labels=False)
    blind_scores = tmp_path / "blind-scores.csv"
    r = run_cli(
        settings,
        "risk",
        "evaluate",
        "--train",
        str(train_a),
        "--train",
        str(train_b),
        "--test",
        str(blind),
        "--scores",
        str(blind_scores),
    )
    assert r.returncode == 0, r.stderr
    assert "precision@" not in r.stdout
    assert blind_scores.read_text() == scores.read_text()


def test_evaluate_names_bad_lines(settings, tmp_path):
    data = rows(50)
    data[3]["Net Mass"] = "heavy"
    bad = write(tmp_path / "bad.csv", data)
    r = run_cli(
        settings,
        "risk",
        "evaluate",
        "--train",
        str(bad),
        "--test",
        str(bad),
        "--scores",
        str(tmp_path / "s.csv"),
    )
    assert r.returncode == 1 and "line 5, Net Mass: 'heavy' is not a number" in r.stderr


def test_a_profile_with_a_syntax_error_is_refused(settings, prepared):
    r = run_cli(
        settings,
        "risk",
        "profile",
        "cli-bad",
        "--condition",
        'item.hs4 == "0810" &&',
        "--effect",
        "red",
    )
    assert r.returncode == 1 and "at position 21" in r.stderr
    listed = run_cli(settings, "risk", "profiles")
    assert "cli-bad" not in listed.stdout


def test_commands_act_as_the_user_of_the_token(settings, prepared, tokens):
    r = run_cli(
        settings,
        "risk",
        "profile",
        "by-officer",
        "--condition",
        'item.origin == "ZZ"',
        "--effect",
        "red",
        token=tokens["officer.li"],
    )
    assert r.returncode == 1 and "risk analysts" in r.stderr
    r = run_cli(
        settings,
        "risk",
        "profile",
        "by-analyst",
        "--condition",
        'item.origin == "ZZ"',
        "--effect",
        "red",
        token=tokens["analyst.zhao"],
    )
    assert r.returncode == 0, r.stderr
    listed = run_cli(settings, "risk", "profiles")
    assert "analyst.zhao" in listed.stdout
    run_cli(settings, "risk", "retire", "by-analyst", token=tokens["analyst.zhao"])


def test_replay_compares_strategies_week_by_week(settings, tmp_path):
    data = rows(2000, seed=6)  # a year: history to July, then eight weeks replayed
    history = data[:1000]
    for i, r in enumerate(history):
        if i % 2:  # one in two was not controlled: its outcome is unknown
            r["Fraud"] = r["Critical Fraud"] = ""
    past = write(tmp_path / "history.csv", history)
    stream = write(tmp_path / "stream.csv", data[1000:1300])
    r = run_cli(
        settings, "risk", "replay", str(stream), "--history", str(past),
        "--strategy", "exploit", "--strategy", "random", "--budget", "0.2", "--retrain-every", "13",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "week of 2025-" in r.stdout and "frauds caught (precision" in r.stdout
    table = {line.split("│")[1].strip(): line for line in r.stdout.splitlines() if "│" in line}
    assert {"exploit", "random"} <= set(table)
    # The ranking finds the cheap fruit: well above the base rate of about a quarter.
    exploit_precision = float(table["exploit"].split("│")[3])
    assert exploit_precision > 0.5
    unknown = write(tmp_path / "unknown.csv", data[1000:1100], labels=False)
    bad = run_cli(settings, "risk", "replay", str(unknown))
    assert bad.returncode == 2 and "needs its outcome" in bad.stderr
