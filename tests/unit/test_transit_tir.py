"""A TIR carnet in place of the guarantee: accepted only where every country of routing
applies the Convention, and with a pair of vouchers per country."""

from __future__ import annotations

from silkgate.transit import tir


def test_a_route_through_countries_that_apply_tir_with_enough_vouchers_passes() -> None:
    assert tir.check(["CN", "KZ", "UZ"], 6, "XC12345678") == []


def test_a_country_that_does_not_accept_the_carnet_is_named() -> None:
    found = tir.check(["CN", "VN"], 20, "XC12345678")
    assert [(e.pointer, e.code) for e in found] == [("/guarantee", "tir_not_accepted")]
    assert "VN" in found[0].detail and "CN" not in found[0].detail.split(" in ")[1]


def test_too_few_vouchers_for_the_countries_crossed() -> None:
    found = tir.check(["CN", "KZ", "UZ"], 4, "XC12345678")
    assert [e.code for e in found] == ["vouchers"] and "needs 6" in found[0].detail
