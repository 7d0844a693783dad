"""The itinerary's checks at lodging: every office exists on the customs office list in the
role it is named for, belongs to this node (departure) or to a partner with the ``transit``
agreement, and the countries of routing agree with the offices.

Each problem names its field; nothing is checked against the database here.
"""

from __future__ import annotations

from collections.abc import Collection

from silkgate.kernel.errors import FieldError
from silkgate.transit.document import Itinerary
from silkgate.transit.offices import DEPARTURE, DESTINATION, TRANSIT, OfficeList


def check(
    itinerary: Itinerary, col: OfficeList, administration: str, partners: Collection[str]
) -> list[FieldError]:
    """The itinerary's problems, with their pointers (empty: it may be lodged here)."""
    errors: list[FieldError] = []
    at = "/itinerary"
    dep = col.get(itinerary.departure)
    if dep is None or DEPARTURE not in dep.roles or dep.administration != administration:
        errors.append(
            FieldError(
                f"{at}/departure",
                "not_departure",
                f"{itinerary.departure} is not an office of departure of {administration}",
            )
        )
    for i, code in enumerate(itinerary.transit):
        office = col.get(code)
        if office is None or TRANSIT not in office.roles:
            errors.append(
                FieldError(
                    f"{at}/transit/{i}", "not_transit", f"{code} is not an office of transit"
                )
            )
        elif office.administration not in partners:
            errors.append(
                FieldError(
                    f"{at}/transit/{i}",
                    "not_partner",
                    f"{code} is an office of {office.administration}, not of a transit partner",
                )
            )
    dest = col.get(itinerary.destination)
    if dest is None or DESTINATION not in dest.roles:
        errors.append(
            FieldError(
                f"{at}/destination",
                "not_destination",
                f"{itinerary.destination} is not an office of destination",
            )
        )
    elif dest.administration not in partners:
        errors.append(
            FieldError(
                f"{at}/destination",
                "not_partner",
                f"{itinerary.destination} is an office of {dest.administration}, "
                "not of a transit partner",
            )
        )
    if errors:
        return errors
    return _routing(itinerary, col)


def _routing(itinerary: Itinerary, col: OfficeList) -> list[FieldError]:
    """The countries of routing: from departure's to destination's, each office's in them,
    and an office of transit in every country crossed."""
    routing = itinerary.routing
    first = col.offices[itinerary.departure].administration
    last = col.offices[itinerary.destination].administration
    errors = []
    if routing[0] != first or routing[-1] != last:
        errors.append(
            FieldError(
                "/itinerary/routing",
                "routing",
                f"the countries of routing run from {first} (departure) to {last} (destination)",
            )
        )
    crossed = {col.offices[code].administration for code in itinerary.transit}
    for i, code in enumerate(itinerary.transit):
        if col.offices[code].administration not in routing:
            errors.append(
                FieldError(
                    f"/itinerary/transit/{i}",
                    "routing",
                    f"{code} is in a country that is not on the routing",
                )
            )
    for i, country in enumerate(routing):
        if country not in (first, last) and country not in crossed:
            errors.append(
                FieldError(
                    f"/itinerary/routing/{i}",
                    "no_office",
                    f"no office of transit is named for {country}",
                )
            )
    return errors


def administrations(itinerary: Itinerary, col: OfficeList) -> list[str]:
    """The administrations on the itinerary after departure, in order, each once."""
    codes = [*itinerary.transit, itinerary.destination]
    seen: dict[str, None] = {}
    for code in codes:
        office = col.get(code)
        if office is not None:
            seen.setdefault(office.administration, None)
    return list(seen)
