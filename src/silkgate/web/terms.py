"""The words for the codes the console shows: statuses, channels, roles, kinds.

The code stays what the API and the CSS classes use; the page shows its word in
the user's language (``term`` filter, :mod:`silkgate.web.formats`). Marked with
``N_`` so the catalogue has them; translated where shown.
"""

from __future__ import annotations

from silkgate.i18n import N_

TERMS: dict[str, str] = {
    # Declaration statuses.
    "lodged": N_("lodged"),
    "under_control": N_("under control"),
    "held": N_("held"),
    "conditionally_released": N_("conditionally released"),
    "released": N_("released"),
    "rejected": N_("rejected"),
    "cancelled": N_("cancelled"),
    "returned": N_("returned"),
    "destroyed": N_("destroyed"),
    "seized": N_("seized"),
    "draft": N_("draft"),
    # Actions of the timeline.
    "lodge": N_("lodge"),
    "amend": N_("amend"),
    "control": N_("control"),
    "hold": N_("hold"),
    "resume": N_("resume"),
    "release": N_("release"),
    "conditional_release": N_("conditional release"),
    "reject": N_("reject"),
    "cancel": N_("cancel"),
    "return": N_("return"),
    "destroy": N_("destroy"),
    "seize": N_("seize"),
    "advance_data": N_("advance export data"),
    "lpco_changed": N_("LPCO changed"),
    "lpco_check": N_("LPCO check"),
    "origin_check": N_("origin check"),
    "origin_verification": N_("origin verification"),
    "payment": N_("payment"),
    "guarantee": N_("guarantee"),
    "assessed": N_("assessed"),
    # How a preference claim ended (tariff.duties).
    "granted_subject_to_origin_verification": N_("granted subject to origin verification"),
    "given_on_e_co": N_("given on the e-CO"),
    "not_given_e_co_mismatch": N_("not given: the e-CO does not match"),
    "awaiting_e_co": N_("awaiting the e-CO"),
    "not_applied_no_preferential_rate": N_("not applied: no preferential rate"),
    "not_applied_preferential_rate_not_lower": N_(
        "not applied: the preferential rate is not lower"
    ),
    # The declarant's capacity.
    "self": N_("on its own account"),
    "direct_agent": N_("direct representative"),
    "indirect_agent": N_("indirect representative"),
    "platform": N_("e-commerce platform"),
    # Risk channels.
    "green": N_("green"),
    "yellow": N_("yellow"),
    "red": N_("red"),
    # Declaration types.
    "IM": N_("import"),
    "EX": N_("export"),
    # LPCOs, certificates, inspections, transit, parcels.
    "issued": N_("issued"),
    "suspended": N_("suspended"),
    "revoked": N_("revoked"),
    "open": N_("open"),
    "accepted": N_("accepted"),
    "confirmed": N_("confirmed"),
    "not_confirmed": N_("not confirmed"),
    "overdue": N_("overdue"),
    "arrived": N_("arrived"),
    "discharged": N_("discharged"),
    "recovered": N_("recovered"),
    "en_route": N_("en route"),
    "import_licence": N_("import licence"),
    "export_licence": N_("export licence"),
    "automatic_licence": N_("automatic licence"),
    "permit": N_("permit"),
    "conformity_certificate": N_("conformity certificate"),
    "quota_allocation": N_("quota allocation"),
    "pending": N_("pending"),
    "approved": N_("approved"),
    "refused": N_("refused"),
    "replaced": N_("replaced"),
    "valid": N_("valid"),
    "done": N_("done"),
    "passed": N_("passed"),
    "failed": N_("failed"),
    "completed": N_("completed"),
    "submitted": N_("submitted"),
    "answered": N_("answered"),
    "closed": N_("closed"),
    "compliant": N_("compliant"),
    "non_compliant": N_("not compliant"),
    "applied": N_("applied"),
    "validated": N_("validated"),
    "granted": N_("granted"),
    "apply": N_("apply"),
    "validate": N_("validate"),
    "grant": N_("grant"),
    "suspend": N_("suspend"),
    "reinstate": N_("reinstate"),
    "revoke": N_("revoke"),
    "refuse": N_("refuse"),
    "delivered": N_("delivered"),
    "parked": N_("parked"),
    "blue": N_("blue"),
    "score": N_("score"),
    "verify": N_("verify"),
    "sps": N_("SPS"),
    "customs": N_("customs"),
    # Ways to group the release times.
    "channel": N_("channel"),
    "office": N_("office"),
    "mode": N_("mode"),
    # Flows of goods.
    "import": N_("import"),
    "export": N_("export"),
    "transit": N_("transit"),
    # Kinds of finding of an inspection's check.
    "documents": N_("documents"),
    "quantity": N_("quantity"),
    "value": N_("value"),
    "classification": N_("classification"),
    "origin": N_("origin"),
    "description": N_("description"),
    "certificate": N_("certificate"),
    "pest": N_("pest"),
    "lab": N_("laboratory"),
    "treatment": N_("treatment"),
    "prohibited": N_("prohibited goods"),
    "other": N_("other"),
    # Measures of the tariff.
    "duty": N_("customs duty"),
    "vat": N_("VAT"),
    "excise": N_("excise"),
    "export_duty": N_("export duty"),
}

# The roles of the people logged in (the page's header); "payment" is also a kind of
# payment record above, so the roles have their own words.
ROLES: dict[str, str] = {
    "declarant": N_("declarant"),
    "officer": N_("officer"),
    "admin": N_("administrator"),
    "analyst": N_("analyst"),
    "sps_inspector": N_("SPS inspector"),
    "origin_officer": N_("origin officer"),
    "agency_officer": N_("agency officer"),
    "platform": N_("e-commerce platform"),
    "payment": N_("payment company"),
    "logistics": N_("logistics company"),
    "ecommerce_agent": N_("e-commerce customs agent"),
}
