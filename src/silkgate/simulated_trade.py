"""The invented trade a simulation draws from (:mod:`silkgate.simulation`): goods, origins,
ports, prices and offices. Weights and prices of the right order, not statistics."""

from __future__ import annotations

# Rough shares of import value by HS chapter (weights, not statistics of any country).
CHAPTERS = {
    "85": 14,
    "84": 12,
    "87": 5,
    "39": 5,
    "61": 4,
    "62": 4,
    "94": 4,
    "08": 5,
    "27": 3,
    "72": 3,
    "73": 3,
    "90": 3,
    "64": 3,
    "07": 3,
    "03": 3,
    "02": 2,
    "10": 2,
    "09": 2,
    "22": 2,
    "28": 2,
    "29": 2,
    "40": 2,
    "44": 2,
    "48": 2,
    "76": 2,
    "95": 2,
    "33": 2,
    "30": 2,
    "04": 1,
    "06": 1,
    "12": 1,
    "15": 1,
    "17": 1,
    "20": 1,
}
ORIGINS = ["VN", "TH", "MY", "ID", "PH", "SG", "KR", "JP", "DE", "US", "AU", "NZ", "KZ"]
ASEAN = {"VN", "TH", "MY", "ID", "PH", "SG"}
PORTS = {
    "VN": "VNSGN",
    "TH": "THLCH",
    "MY": "MYPKG",
    "ID": "IDTPP",
    "PH": "PHMNL",
    "SG": "SGSIN",
    "KR": "KRPUS",
    "JP": "JPTYO",
    "DE": "DEHAM",
    "US": "USLAX",
    "AU": "AUMEL",
    "NZ": "NZAKL",
    "KZ": "KZALA",
}
# USD per kg, by chapter (invented, of the right order).
PRICE = {"85": 60, "84": 40, "87": 15, "90": 80, "30": 50, "33": 20, "61": 18, "62": 20, "64": 15}
# The demo administration's seaports, weighted towards the largest.
OFFICES = ["CNSGH"] * 4 + ["CNSNZ"] * 3 + ["CNNBO"] * 2 + ["CNQIN", "CNTNJ", "CNGGZ", "CNXAM"]
