"""Feature builder for customs-declaration fraud ranking (KCS synthetic schema).

Design constraints that shape this module:
  * ``transform`` runs at inspection time, one declaration or a batch, so it is
    pure Python + numpy: every learned quantity is a plain dict lookup.
  * Everything learned from labels comes from the rows given to ``fit`` only.
    Training rows get *out-of-fold* target encodings (``fit_transform``) so the
    model never sees an encoding that already contains the row's own label;
    otherwise high-cardinality IDs look far more predictive than they are.
  * The state is JSON-able (str/float/int/dict/list) so a fitted builder can be
    persisted without pickle and reloaded with ``FeatureBuilder.from_state``.

Rows are dicts keyed by the CSV column names, values as strings as they appear
in the CSV (an empty string or None means missing).
"""

import datetime
import math

import numpy as np

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

_NAN = float("nan")


def _key_value(row, key):
    """String value of a (possibly composite) key for one row."""
    if len(key) == 1:
        return _col(row, key[0])
    return "|".join(_col(row, k) for k in key)


def _col(row, name):
    # Derived HS prefixes are computed on the fly so callers pass raw rows.
    if name == "HS4":
        return (row.get("HS6 Code") or "").zfill(6)[:4]
    if name == "HS2":
        return (row.get("HS6 Code") or "").zfill(6)[:2]
    v = row.get(name)
    return "" if v is None else v


def _num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return _NAN


def _log1p(x):
    return math.log1p(x) if x == x and x > -1 else _NAN


def _log_unit_value(row):
    price = _num(row.get("Item Price"))
    mass = _num(row.get("Net Mass"))
    # +1 on both sides keeps zero masses/prices finite while leaving large
    # values essentially a log ratio.
    if price != price or mass != mass:
        return _NAN
    return math.log1p(max(price, 0.0)) - math.log1p(max(mass, 0.0))


def _kname(key):
    return "*".join(key)


class FeatureBuilder:
    def __init__(self, config=None):
        self.config = dict(DEFAULT_CONFIG)
        if config:
            self.config.update(config)
        self.state = None

    # ------------------------------------------------------------------ fit
    def fit(self, rows, labels, critical=None):
        """Learn encodings, medians and per-party statistics from history.

        ``labels`` are 0/1 fraud flags aligned with ``rows``; ``critical`` are
        optional Critical Fraud values (only used when ``critical_te`` is on).
        Returns the JSON-able state (also kept on ``self.state``).
        """
        self.state = self._fit(rows, np.asarray(labels, dtype=float), critical)
        return self.state

    def fit_transform(self, rows, labels, critical=None):
        """Fit on ``rows`` and return their feature matrix for training.

        Target-encoded columns are replaced by out-of-fold values: each fold's
        rows are encoded with statistics learned on the other folds.  Folds are
        contiguous blocks of the (time-ordered) input, which is deterministic
        and keeps near-duplicate declarations of the same day together.
        """
        y = np.asarray(labels, dtype=float)
        self.fit(rows, y, critical)
        X = self.transform(rows)
        if not self.config["target_encoding"]:
            return X
        te_cols = [
            i
            for i, n in enumerate(self.feature_names)
            if n.startswith("te_") or n.startswith("cte_")
        ]
        k = self.config["te_folds"]
        n = len(rows)
        bounds = np.linspace(0, n, k + 1).astype(int)
        full_state = self.state
        for f in range(k):
            lo, hi = bounds[f], bounds[f + 1]
            mask = np.ones(n, dtype=bool)
            mask[lo:hi] = False
            idx = np.nonzero(mask)[0]
            crit = None if critical is None else [critical[i] for i in idx]
            fold_state = self._fit([rows[i] for i in idx], y[idx], crit, only_te=True)
            self.state = dict(
                full_state,
                te=fold_state["te"],
                te_prior=fold_state["te_prior"],
                cte=fold_state.get("cte"),
                cte_prior=fold_state.get("cte_prior"),
            )
            X[lo:hi, te_cols] = self.transform(rows[lo:hi])[:, te_cols]
        self.state = full_state
        return X

    def _fit(self, rows, y, critical, only_te=False):
        import pandas as pd

        cfg = self.config
        df = pd.DataFrame.from_records(rows)
        df = df.reindex(columns=sorted(set(df.columns) | set(CATEGORICAL)))
        df = df.fillna("").astype(str)
        df["HS6 Code"] = df["HS6 Code"].str.zfill(6)
        df["HS4"] = df["HS6 Code"].str[:4]
        df["HS2"] = df["HS6 Code"].str[:2]

        def keycol(key):
            if len(key) == 1:
                return df[key[0]]
            out = df[key[0]]
            for k in key[1:]:
                out = out + "|" + df[k]
            return out

        state = {"config": dict(cfg)}
        te_keys = [tuple(k) for k in (cfg["te_keys"] or TE_KEYS)]
        if cfg["target_encoding"]:
            m = float(cfg["te_smoothing"])
            prior = float(y.mean()) if len(y) else 0.0
            state["te_prior"] = prior
            state["te"] = {}
            for key in te_keys:
                g = pd.DataFrame({"k": keycol(key), "y": y}).groupby("k")["y"]
                s, c = g.sum(), g.count()
                enc = (s + m * prior) / (c + m)
                state["te"][_kname(key)] = {str(a): float(b) for a, b in enc.items()}
            if cfg["critical_te"] and critical is not None:
                yc = (np.asarray(critical, dtype=float) == 2).astype(float)
                cprior = float(yc.mean())
                state["cte_prior"] = cprior
                state["cte"] = {}
                for key in te_keys:
                    g = pd.DataFrame({"k": keycol(key), "y": yc}).groupby("k")["y"]
                    s, c = g.sum(), g.count()
                    enc = (s + m * cprior) / (c + m)
                    state["cte"][_kname(key)] = {str(a): float(b) for a, b in enc.items()}
        if only_te:
            return state

        if cfg["raw_categoricals"]:
            # Codes ordered by first appearance; with a fixed input this is
            # deterministic, and rare values collapse to "unknown" (NaN).
            state["cat"] = {}
            for col in self._cat_columns():
                vc = df[col].value_counts(sort=False)
                keep = vc[vc >= cfg["cat_min_count"]].index
                state["cat"][col] = {str(v): i for i, v in enumerate(keep)}

        luv = np.array([_log_unit_value(r) for r in rows], dtype=float)
        if cfg["price_relative"]:
            state["uv_med"] = {}
            for key in self._price_keys():
                med = pd.Series(luv).groupby(keycol(key).values).median()
                state["uv_med"][_kname(key)] = {str(a): float(b) for a, b in med.items() if b == b}
            state["uv_global"] = float(np.nanmedian(luv))
        if cfg["counts"]:
            state["count"] = {}
            for key in COUNT_KEYS:
                vc = keycol(key).value_counts()
                state["count"][_kname(key)] = {str(a): int(b) for a, b in vc.items()}
        if cfg["party_uv"]:
            state["party_uv"] = {}
            for key in PARTY_UV_KEYS:
                med = pd.Series(luv).groupby(keycol(key).values).median()
                state["party_uv"][_kname(key)] = {
                    str(a): float(b) for a, b in med.items() if b == b
                }
        return state

    # ------------------------------------------------------------ transform
    @property
    def feature_names(self):
        cfg = self.config
        names = []
        if cfg["raw_categoricals"]:
            names += ["cat_" + c for c in self._cat_columns()]
        if cfg["hs_prefix"]:
            names += ["hs6_num"]
        if cfg["numeric"]:
            names += [
                "tax_rate",
                "log_net_mass",
                "log_item_price",
                "log_unit_value",
                "log_tax_amount",
            ]
        if cfg["price_relative"]:
            names += ["uv_rel_" + _kname(k) for k in self._price_keys()]
        if cfg["target_encoding"]:
            te_keys = [tuple(k) for k in (cfg["te_keys"] or TE_KEYS)]
            names += ["te_" + _kname(k) for k in te_keys]
            if cfg["critical_te"]:
                names += ["cte_" + _kname(k) for k in te_keys]
        if cfg["counts"]:
            names += ["cnt_" + _kname(k) for k in COUNT_KEYS]
        if cfg["party_uv"]:
            names += ["uv_party_" + _kname(k) for k in PARTY_UV_KEYS]
        if cfg["origin_flags"]:
            names += ["origin_ne_departure"]
        if cfg["date"]:
            names += ["weekday", "month"]
        return names

    def _price_keys(self):
        return [tuple(k) for k in (self.config["price_keys"] or PRICE_KEYS)]

    def _cat_columns(self):
        cols = self.config["cat_columns"]
        if cols is None:
            cols = list(CATEGORICAL)
            if self.config["hs_prefix"]:
                cols += ["HS4", "HS2"]
        return list(cols)

    @property
    def categorical_names(self):
        return [n for n in self.feature_names if n.startswith("cat_")]

    def transform(self, rows):
        """Feature matrix (len(rows) x len(feature_names)) as float64.

        Built column by column with list comprehensions over plain dicts: this
        is what keeps the pure-Python path above 50k rows/s.
        """
        if isinstance(rows, dict):
            rows = [rows]
        st, cfg = self.state, self.config
        cols = []
        nan = _NAN
        hs6 = [(r.get("HS6 Code") or "").zfill(6) for r in rows]
        if cfg["raw_categoricals"]:
            for c in self._cat_columns():
                m = st["cat"][c]
                cols.append([m.get(v, nan) for v in self._keys(rows, hs6, (c,))])
        if cfg["hs_prefix"]:
            cols.append([_num(h) for h in hs6])
        luv = None
        if cfg["numeric"] or cfg["price_relative"] or cfg["party_uv"]:
            luv = [_log_unit_value(r) for r in rows]
        if cfg["numeric"]:
            rate = [_num(r.get("Tax Rate")) for r in rows]
            price = [_num(r.get("Item Price")) for r in rows]
            cols.append(rate)
            cols.append([_log1p(_num(r.get("Net Mass"))) for r in rows])
            cols.append([_log1p(p) for p in price])
            cols.append(luv)
            cols.append([_log1p(p * t / 100.0) for p, t in zip(price, rate, strict=True)])
        if cfg["price_relative"]:
            # Unknown groups compare with the global median rather than NaN
            # so a new HS6 still gets a (coarse) price signal.
            g = st["uv_global"]
            for k in self._price_keys():
                m = st["uv_med"][_kname(k)]
                cols.append(
                    [u - m.get(v, g) for u, v in zip(luv, self._keys(rows, hs6, k), strict=True)]
                )
        if cfg["target_encoding"]:
            te_keys = [tuple(k) for k in (cfg["te_keys"] or TE_KEYS)]
            kvals = [self._keys(rows, hs6, k) for k in te_keys]
            for k, kv in zip(te_keys, kvals, strict=True):
                m, p = st["te"][_kname(k)], st["te_prior"]
                # Unseen keys fall back to the prior: "no evidence", not NaN,
                # so the model treats a new importer like an average one.
                cols.append([m.get(v, p) for v in kv])
            if cfg["critical_te"]:
                for k, kv in zip(te_keys, kvals, strict=True):
                    m, p = st["cte"][_kname(k)], st["cte_prior"]
                    cols.append([m.get(v, p) for v in kv])
        if cfg["counts"]:
            for k in COUNT_KEYS:
                m = st["count"][_kname(k)]
                cols.append([m.get(v, 0) for v in self._keys(rows, hs6, k)])
        if cfg["party_uv"]:
            for k in PARTY_UV_KEYS:
                m = st["party_uv"][_kname(k)]
                cols.append(
                    [u - m.get(v, nan) for u, v in zip(luv, self._keys(rows, hs6, k), strict=True)]
                )
        if cfg["origin_flags"]:
            cols.append(
                [
                    float(
                        (r.get("Country of Origin") or "") != (r.get("Country of Departure") or "")
                    )
                    for r in rows
                ]
            )
        if cfg["date"]:
            wd, mo = [], []
            for r in rows:
                d = r.get("Date") or ""
                try:
                    y_, m_, d_ = int(d[:4]), int(d[5:7]), int(d[8:10])
                    wd.append(float(datetime.date(y_, m_, d_).weekday()))
                    mo.append(float(m_))
                except ValueError:
                    wd.append(nan)
                    mo.append(nan)
            cols += [wd, mo]
        X = np.array(cols, dtype=np.float64).T
        return np.ascontiguousarray(X.reshape(len(rows), len(cols)))

    @staticmethod
    def _keys(rows, hs6, key):
        parts = []
        for k in key:
            if k == "HS6 Code":
                parts.append(hs6)
            elif k == "HS4":
                parts.append([h[:4] for h in hs6])
            elif k == "HS2":
                parts.append([h[:2] for h in hs6])
            else:
                parts.append([r.get(k) or "" for r in rows])
        if len(parts) == 1:
            return parts[0]
        return ["|".join(t) for t in zip(*parts, strict=True)]

    # -------------------------------------------------------- persistence
    @classmethod
    def from_state(cls, state):
        fb = cls(state["config"])
        fb.state = state
        return fb
