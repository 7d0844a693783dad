"""The KCS schema as the feature builder sees it: columns, keys, defaults, cell readers.

Rows are dicts keyed by the CSV column names, values as strings as they appear
in the CSV (an empty string or None means missing). Pure Python: no numpy here.
"""

import math

# All raw categorical columns of the schema (integer codes, NaN = unseen).
CATEGORICAL = [
    "Office ID",
    "Process Type",
    "Import Type",
    "Import Use",
    "Payment Type",
    "Mode of Transport",
    "Declarant ID",
    "Importer ID",
    "Seller ID",
    "Courier ID",
    "HS6 Code",
    "Country of Departure",
    "Country of Origin",
    "Tax Type",
    "Country of Origin Indicator",
]

# Raw categoricals kept as native LightGBM categories.  Party IDs (importer,
# declarant, seller) are left out on purpose: as raw categories they overfit
# and hurt on later months (REPORT.md, E3/E4); their target encodings carry
# the signal instead.
DEFAULT_CAT_COLUMNS = [
    "Office ID",
    "Process Type",
    "Import Type",
    "Import Use",
    "Payment Type",
    "Mode of Transport",
    "Courier ID",
    "Country of Departure",
    "Country of Origin",
    "Tax Type",
    "Country of Origin Indicator",
    "HS2",
    "HS4",
    "HS6 Code",
]

# Keys whose smoothed fraud rate is learned from history.  Pairs capture
# "this party with this goods/route", which single-key rates cannot express.
TE_KEYS = [
    ("Importer ID",),
    ("Declarant ID",),
    ("Seller ID",),
    ("HS6 Code",),
    ("HS4",),
    ("HS2",),
    ("Courier ID",),
    ("Office ID",),
    ("Country of Origin",),
    ("Country of Departure",),
    ("Tax Type",),
    ("Importer ID", "HS6 Code"),
    ("Declarant ID", "HS6 Code"),
    ("Seller ID", "Importer ID"),
    ("HS6 Code", "Country of Origin"),
    ("Declarant ID", "Importer ID"),
    ("Office ID", "HS6 Code"),
]

# Keys whose history volume (row count) is a feature: new/rare parties differ.
COUNT_KEYS = [
    ("Importer ID",),
    ("Declarant ID",),
    ("Seller ID",),
    ("HS6 Code",),
    ("Importer ID", "HS6 Code"),
    ("Seller ID", "Importer ID"),
]

# Groups whose median log unit value a row's price is compared with.
# HS6 x origin is by far the strongest (REPORT.md, E12/E16): the "normal"
# price of a good depends on where it was made.
PRICE_KEYS = [
    ("HS6 Code",),
    ("HS4",),
    ("HS2",),
    ("HS6 Code", "Country of Origin"),
    ("HS6 Code", "Country of Departure"),
    ("HS6 Code", "Importer ID"),
    ("HS6 Code", "Tax Type"),
]

# Parties whose typical (median) log unit value is remembered, so a row's
# price can be compared with what that party usually declares.
PARTY_UV_KEYS = [("Importer ID",), ("Seller ID",), ("Declarant ID",)]

DEFAULT_CONFIG = {
    "raw_categoricals": True,  # native LightGBM categorical IDs
    "cat_columns": DEFAULT_CAT_COLUMNS,  # None -> all CATEGORICAL + HS4/HS2
    "cat_min_count": 1,  # IDs seen fewer times -> NaN (unknown)
    "numeric": True,  # raw amounts, logs, unit value, tax amount
    "hs_prefix": True,  # HS2/HS4 codes and HS6 as an ordinal number
    "price_relative": True,  # log unit value minus group medians
    "price_keys": None,  # None -> PRICE_KEYS
    "target_encoding": True,
    "te_keys": None,  # None -> TE_KEYS
    "te_smoothing": 20.0,  # prior weight (pseudo-rows) of the global rate
    "te_folds": 5,
    "critical_te": False,  # also encode the Critical Fraud (=2) rate
    "counts": True,
    "party_uv": False,  # measured: slightly hurts (E11/E15)
    "origin_flags": True,  # origin != departure etc.
    "date": False,  # weekday/month: measured, see REPORT.md
}

NAN = float("nan")


def key_value(row, key):
    """String value of a (possibly composite) key for one row."""
    if len(key) == 1:
        return col(row, key[0])
    return "|".join(col(row, k) for k in key)


def col(row, name):
    # Derived HS prefixes are computed on the fly so callers pass raw rows.
    if name == "HS4":
        return (row.get("HS6 Code") or "").zfill(6)[:4]
    if name == "HS2":
        return (row.get("HS6 Code") or "").zfill(6)[:2]
    v = row.get(name)
    return "" if v is None else v


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return NAN


def log1p(x):
    return math.log1p(x) if x == x and x > -1 else NAN


def log_unit_value(row):
    price = num(row.get("Item Price"))
    mass = num(row.get("Net Mass"))
    # +1 on both sides keeps zero masses/prices finite while leaving large
    # values essentially a log ratio.
    if price != price or mass != mass:
        return NAN
    return math.log1p(max(price, 0.0)) - math.log1p(max(mass, 0.0))


def kname(key):
    return "*".join(key)
