"""The demo users of each administration's node: staff, agencies, traders, e-commerce
parties; invented and labelled demo (part of :mod:`silkgate.demo`'s interface, kept apart
for size)."""

from __future__ import annotations

from dataclasses import dataclass

from silkgate.access.principals import Role


@dataclass(frozen=True)
class DemoUser:
    name: str
    role: Role
    party_id: str | None
    description: str
    # Its token is printed as ``export <ADMINISTRATION>_<variable>=...`` (CN_ACME, VN_OFFICER).
    variable: str


# Each administration's own staff, with names of its country.
STAFF = {
    "CN": [
        DemoUser("admin", Role.ADMIN, None, "node administrator", "ADMIN"),
        DemoUser("officer.li", Role.OFFICER, None, "customs officer, Shanghai", "OFFICER"),
        DemoUser("officer.wang", Role.OFFICER, None, "customs officer, Youyiguan", "OFFICER2"),
        DemoUser("analyst.zhao", Role.ANALYST, None, "risk analyst", "ANALYST"),
        DemoUser(
            "inspector.chen",
            Role.SPS_INSPECTOR,
            None,
            "SPS (quarantine) inspector, Shanghai",
            "INSPECTOR",
        ),
        DemoUser(
            "origin.zhou",
            Role.ORIGIN_OFFICER,
            None,
            "origin officer: certificates of origin (Form E), Shanghai",
            "ORIGIN",
        ),
    ],
    "VN": [
        DemoUser("admin", Role.ADMIN, None, "node administrator", "ADMIN"),
        DemoUser(
            "officer.nguyen", Role.OFFICER, None, "customs officer, Lang Son (Huu Nghi)", "OFFICER"
        ),
        DemoUser("officer.tran", Role.OFFICER, None, "customs officer, Hai Phong", "OFFICER2"),
        DemoUser("analyst.le", Role.ANALYST, None, "risk analyst", "ANALYST"),
        DemoUser(
            "inspector.pham",
            Role.SPS_INSPECTOR,
            None,
            "SPS (plant quarantine) inspector, Lang Son",
            "INSPECTOR",
        ),
        DemoUser(
            "origin.vu",
            Role.ORIGIN_OFFICER,
            None,
            "origin officer: certificates of origin (Form E), Hai Phong",
            "ORIGIN",
        ),
    ],
    "KZ": [
        DemoUser("admin", Role.ADMIN, None, "node administrator", "ADMIN"),
        DemoUser("officer.nurlan", Role.OFFICER, None, "customs officer, Khorgos", "OFFICER"),
    ],
    "UZ": [
        DemoUser("admin", Role.ADMIN, None, "node administrator", "ADMIN"),
        DemoUser("officer.dilnoza", Role.OFFICER, None, "customs officer, Tashkent", "OFFICER"),
    ],
}
# Traders work on both sides of the border: the same demo traders on every demo node.
# Their identifiers are invented, shaped like China's 18-character unified social credit codes.
TRADERS = [
    DemoUser(
        "acme-trading",
        Role.DECLARANT,
        "91310115MA1K4DEMO1",
        "Shanghai Acme Trading Co. (demo importer)",
        "ACME",
    ),
    DemoUser(
        "lotus-broker",
        Role.DECLARANT,
        "91450100MA5LDEMO02",
        "Nanning Lotus Customs Brokerage (demo broker)",
        "LOTUS",
    ),
]


# Other agencies of China's single window (the demo node's), each with one officer (invented,
# labelled demo); their agency codes are the users' party ids. They issue licences, permits
# and certificates (LPCOs).
AGENCIES = [
    DemoUser(
        "agency.radio",
        Role.AGENCY_OFFICER,
        "RADIO",
        "radio regulator: radio equipment licences and certificates of conformity (demo)",
        "RADIO",
    ),
    DemoUser(
        "agency.chem",
        Role.AGENCY_OFFICER,
        "CHEM",
        "chemicals control board: precursor and battery import/export licences (demo)",
        "CHEM",
    ),
    DemoUser(
        "agency.cites",
        Role.AGENCY_OFFICER,
        "CITES",
        "CITES management authority: permits for endangered species (demo)",
        "CITES",
    ),
]

# The partners' own CITES management authorities (invented, labelled demo): on Viet Nam's
# node, the agency that accepts a CITES export permit received from China (docs/lpco.md).
PARTNER_AGENCIES = {
    "VN": [
        DemoUser(
            "agency.cites-vn",
            Role.AGENCY_OFFICER,
            "CITES",
            "CITES management authority of Viet Nam: permits for endangered species (demo)",
            "CITES",
        )
    ]
}

# Cross-border e-commerce (docs/ecommerce.md): a platform, its payment and logistics
# companies and its customs agent. Names and identifiers are invented (demo).
ECOMMERCE = [
    DemoUser(
        "platform.tmall-demo",
        Role.PLATFORM,
        "91330100MA2DEMOPF1",
        "Hangzhou Tmall-style Global Platform (demo e-commerce platform)",
        "PLATFORM",
    ),
    DemoUser(
        "payment.alipay-demo",
        Role.PAYMENT,
        "91310000MA1DEMOPY2",
        "Shanghai Demo Payment Co. (demo payment company)",
        "PAYMENT",
    ),
    DemoUser(
        "logistics.cainiao-demo",
        Role.LOGISTICS,
        "91330100MA2DEMOLG3",
        "Hangzhou Demo Parcel Logistics Co. (demo logistics company)",
        "LOGISTICS",
    ),
    DemoUser(
        "agent.ecom-demo",
        Role.ECOMMERCE_AGENT,
        "91330100MA2DEMOAG4",
        "Hangzhou Demo E-commerce Customs Agent (demo customs agent of the platform)",
        "AGENT",
    ),
]
