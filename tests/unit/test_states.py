import pytest

from silkgate.declarations.states import (
    FINAL,
    TRANSITIONS,
    Action,
    IllegalTransition,
    Status,
    allowed_actions,
    next_status,
)


def test_the_happy_path_reaches_release():
    s = next_status(Status.LODGED, Action.CONTROL)
    assert s is Status.UNDER_CONTROL
    s = next_status(s, Action.HOLD)
    assert s is Status.HELD
    s = next_status(s, Action.RESUME)
    assert next_status(s, Action.RELEASE) is Status.RELEASED


@pytest.mark.parametrize("final", sorted(FINAL))
@pytest.mark.parametrize("action", list(Action))
def test_nothing_leaves_a_final_status(final, action):
    with pytest.raises(IllegalTransition) as exc:
        next_status(final, action)
    assert "no further action" in str(exc.value)


def test_a_held_declaration_is_not_released_without_lifting_the_hold():
    with pytest.raises(IllegalTransition, match="lift the hold"):
        next_status(Status.HELD, Action.RELEASE)


def test_illegal_transition_names_what_is_allowed():
    with pytest.raises(IllegalTransition) as exc:
        next_status(Status.LODGED, Action.RESUME)
    assert "allowed:" in str(exc.value) and "release" in str(exc.value)


def test_every_transition_starts_from_an_open_status():
    assert all(not s.is_final for (s, _a) in TRANSITIONS)
    assert allowed_actions(Status.RELEASED) == []
