"""The sentences of errors, as the API's problems and the console's messages say them.

The shapes of the sentences the validators (:mod:`silkgate.kernel.wording`) and
the services make, and the problems' titles: marked for the catalogue, looked
up by the edges (:func:`say`) once the sentence is made. Keep each shape word
for word what its maker writes, or it is shown in English.
"""

from __future__ import annotations

from silkgate.i18n import N_
from silkgate.i18n.phrases import Phrasebook

SHAPES: tuple[str, ...] = (
    # Problem titles.
    N_("Not found"),
    N_("Forbidden"),
    N_("Gone"),
    N_("Action not allowed in this status"),
    N_("Precondition failed"),
    N_("Idempotency-Key reused"),
    N_("Duties and taxes unpaid"),
    N_("Conflict"),
    N_("No tariff loaded"),
    N_("No rules of origin loaded"),
    N_("Malformed request"),
    N_("The request is invalid"),
    N_("The declaration is invalid"),
    N_("The declaration cannot be assessed"),
    N_("Method not allowed"),
    N_("Unauthorized"),
    N_("HTTP error"),
    N_("Internal error"),
    N_("Message refused"),
    N_("Request too large"),
    N_("Too many records"),
    N_("Too many requests"),
    N_("Unsupported media type"),
    # Problem details.
    N_("the body is not valid JSON"),
    N_("the body is not valid JSON: %(why)s"),
    N_("the node could not complete the request"),
    N_("the request has no body"),
    N_("the request holds no record"),
    N_("the token is unknown or revoked"),
    N_("send an API token as 'Authorization: Bearer <token>'"),
    N_("send the body as application/json"),
    N_("send the certificate as application/xml"),
    N_("send the list as %(media_type)s"),
    N_('If-Match must be an ETag such as "2"'),
    N_("%(detail)s; try again in %(seconds)s s"),
    N_("a request holds at most %(bytes)s bytes; nothing was stored"),
    N_("a request holds at most %(records)s records; send the rest in another; nothing was stored"),
    N_("there is no chapter, heading or line %(code)s in the tariff"),
    N_("no rule of origin of %(agreement)s for %(hs)s on %(date)s"),
    # The services' refusals.
    N_("no declaration %(mrn)s"),
    N_("no inspection task %(id)s"),
    N_("no certificate %(number)s"),
    N_("no certificate %(number)s was issued by this node"),
    N_("no transit movement %(mrn)s"),
    N_("no application %(id)s"),
    N_("no LPCO %(number)s"),
    N_("no assistance case %(reference)s"),
    N_("no partner %(administration)s"),
    N_("no guarantee %(reference)s"),
    N_("no operator %(party)s in the AEO register"),
    N_("declaration %(mrn)s has no version %(version)s"),
    N_("the declaration is %(status)s"),
    N_("the declaration is %(status)s; no further action is possible"),
    N_("the declaration is held; lift the hold (resume) before releasing it"),
    N_("cannot %(action)s a declaration that is %(status)s; allowed: %(allowed)s"),
    N_("only customs officers may %(action)s a declaration"),
    N_("a %(role)s may not %(action)s a declaration"),
    N_("the declaration is %(status)s: nothing is due on it"),
    N_("transit movements are read by officers and their holders"),
    N_("guarantees are read by officers and their holders"),
    # The checks of a declaration's codes, dates and arithmetic (declarations.checks).
    N_("%(value)s is not an ISO 3166 country"),
    N_("%(value)s is not a UN/LOCODE"),
    N_("%(value)s is not a customs office of this administration"),
    N_('send the amount as a string, e.g. "40500.00"'),
    N_(
        "is out of range: an amount has at most %(whole)s digits before the decimal point "
        "and %(decimals)s after"
    ),
    N_("is more than %(days)s days ahead; lodge closer to arrival"),
    N_("%(code)s is not an agreement this node applies (%(agreements)s)"),
    N_("origin %(origin)s is not a party to %(code)s"),
    N_("goods originating in %(country)s need no preference to enter %(country)s"),
    N_("%(country)s does not apply %(code)s"),
    N_("%(code)s accepts %(proofs)s"),
    N_("is in the future"),
    N_("says %(declared)s but the declaration has %(count)s item(s)"),
    N_("says %(declared)s but the items add up to %(total)s"),
    N_("%(value)s has more decimals than the currency allows (%(minor)s)"),
    N_("the %(party)s of an %(flow)s declaration must be established in %(country)s"),
    N_("must be %(country)s for an %(flow)s"),
    N_("%(place)s is not in %(country)s"),
    N_("%(container)s fails the ISO 6346 check digit"),
    N_("%(container)s is listed twice"),
    N_("%(currency)s is not a current ISO 4217 currency"),
    N_("is before the invoice date"),
    N_("items must be numbered 1, 2, 3, …; expected %(seq)s"),
    N_("%(hs)s is not an HS 2022 subheading"),
    N_("%(hs)s is not in HS 2022: there is no subheading %(subheading)s"),
    N_("%(unit)s is not a UN/ECE Rec 20 unit of measure"),
    N_("%(kind)s is not a UN/ECE Rec 21 package type"),
    N_("is %(amount)s but the item values add up to %(total)s"),
    N_("%(gross)s kg is less than the items' net mass (%(net)s kg)"),
    N_(
        "%(currency)s is an ISO 4217 code for a metal, fund or no currency, not a currency an "
        "invoice is paid in"
    ),
    N_("is more than three years ago"),
    N_("import"),
    N_("export"),
    N_("importer"),
    N_("exporter"),
    # The journal's sentences shown in a declaration's timeline.
    N_("duties and taxes %(amount)s %(currency)s (tariff version %(version)s, as of %(date)s)"),
    N_("%(channel)s channel, duties and taxes paid or guaranteed"),
    N_("%(amount)s %(currency)s, reference %(reference)s"),
    # The validators' words for a field (kernel.wording).
    N_("is required"),
    N_("is not a field here"),
    N_("must be text"),
    N_("must not be empty"),
    N_("must be at least %(n)s characters"),
    N_("must be at most %(n)s characters"),
    N_("must be a whole number"),
    N_("must be a whole number of reasonable size"),
    N_("must be a number"),
    N_("must be a finite number"),
    N_('must be a number, e.g. "1250.50"'),
    N_("has too many digits: at most %(n)s in all"),
    N_("has too many decimals: at most %(n)s"),
    N_("is too large: at most %(n)s digits before the decimal point"),
    N_("must be more than %(n)s"),
    N_("must be at least %(n)s"),
    N_("must be less than %(n)s"),
    N_("must be at most %(n)s"),
    N_("must be true or false"),
    N_("must be a date, YYYY-MM-DD (e.g. 2026-11-20)"),
    N_("must be a date and time with its offset, e.g. 2026-11-20T09:30:00Z"),
    N_("must be a list"),
    N_("must have at least %(n)s entry"),
    N_("must have at least %(n)s entries"),
    N_("must have at most %(n)s entry"),
    N_("must have at most %(n)s entries"),
    N_("must be an object"),
    N_("is not valid JSON"),
    N_("must be a UUID"),
    N_("is not in the expected format"),
    N_("must be one of %(choices)s"),
    N_("must be %(what)s"),
    N_("contains a control or invisible formatting character, which is not allowed"),
)

_BOOK = Phrasebook(SHAPES)


def say(sentence: str | None) -> str | None:
    """``sentence`` (a title or a detail) in the language in use, where its shape is known."""
    return _BOOK.say(sentence)
