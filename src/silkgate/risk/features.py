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

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import numpy as np

from silkgate.risk.feature_schema import (
    CATEGORICAL,
    COUNT_KEYS,
    DEFAULT_CONFIG,
    NAN,
    PARTY_UV_KEYS,
    PRICE_KEYS,
    TE_KEYS,
    kname,
    log1p,
    log_unit_value,
    num,
)


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
        state = {"config": dict(cfg)}
        if cfg["target_encoding"]:
            self._fit_target_encodings(state, df, y, critical)
        if only_te:
            return state

        if cfg["raw_categoricals"]:
            # Codes ordered by first appearance; with a fixed input this is
            # deterministic, and rare values collapse to "unknown" (NaN).
            # Categories are what the trees split on, so they come from the rows with an
            # outcome: a commodity seen only unlabelled is "unknown" to them (NaN), as a new one.
            known = df[~np.isnan(y)] if len(y) == len(df) else df
            state["cat"] = {}
            for col in self._cat_columns():
                vc = known[col].value_counts(sort=False)
                keep = vc[vc >= cfg["cat_min_count"]].index
                state["cat"][col] = {str(v): i for i, v in enumerate(keep)}

        luv = np.array([log_unit_value(r) for r in rows], dtype=float)
        if cfg["price_relative"]:
            state["uv_med"] = _medians(luv, df, self._price_keys())
            state["uv_global"] = float(np.nanmedian(luv))
        if cfg["counts"]:
            state["count"] = {}
            for key in COUNT_KEYS:
                vc = _key_series(df, key).value_counts()
                state["count"][kname(key)] = {str(a): int(b) for a, b in vc.items()}
        if cfg["party_uv"]:
            state["party_uv"] = _medians(luv, df, PARTY_UV_KEYS)
        return state

    def _fit_target_encodings(
        self, state: dict[str, Any], df: Any, y: np.ndarray, critical: Sequence[Any] | None
    ) -> None:
        """Smoothed fraud rates (and Critical Fraud rates, if asked) by key, into ``state``."""
        cfg = self.config
        te_keys = [tuple(k) for k in (cfg["te_keys"] or TE_KEYS)]
        m = float(cfg["te_smoothing"])
        # Unlabelled rows (NaN: not controlled) count in no rate: pandas' sum and count skip them.
        known = y[~np.isnan(y)]
        prior = float(known.mean()) if len(known) else 0.0
        state["te_prior"] = prior
        state["te"] = _rates(df, te_keys, y, prior, m)
        if cfg["critical_te"] and critical is not None:
            yc = (np.asarray(critical, dtype=float) == 2).astype(float)
            cprior = float(yc.mean())
            state["cte_prior"] = cprior
            state["cte"] = _rates(df, te_keys, yc, cprior, m)

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
            names += ["uv_rel_" + kname(k) for k in self._price_keys()]
        if cfg["target_encoding"]:
            te_keys = [tuple(k) for k in (cfg["te_keys"] or TE_KEYS)]
            names += ["te_" + kname(k) for k in te_keys]
            if cfg["critical_te"]:
                names += ["cte_" + kname(k) for k in te_keys]
        if cfg["counts"]:
            names += ["cnt_" + kname(k) for k in COUNT_KEYS]
        if cfg["party_uv"]:
            names += ["uv_party_" + kname(k) for k in PARTY_UV_KEYS]
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

    def transform(self, rows: list[dict[str, Any]] | dict[str, Any]) -> np.ndarray:
        """Feature matrix (len(rows) x len(feature_names)) as float64.

        Built column by column with list comprehensions over plain dicts: this
        is what keeps the pure-Python path above 50k rows/s.
        """
        if isinstance(rows, dict):
            rows = [rows]
        cfg = self.config
        hs6 = [(r.get("HS6 Code") or "").zfill(6) for r in rows]
        # Log unit values only when a column needs them (empty otherwise).
        luv: list[float] = []
        if cfg["numeric"] or cfg["price_relative"] or cfg["party_uv"]:
            luv = [log_unit_value(r) for r in rows]
        cols = self._row_columns(rows, hs6, luv)
        cols += self._history_columns(rows, hs6, luv)
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
            cols += _date_columns(rows)
        X = np.array(cols, dtype=np.float64).T
        return np.ascontiguousarray(X.reshape(len(rows), len(cols)))

    def _row_columns(
        self, rows: list[dict[str, Any]], hs6: list[str], luv: list[float]
    ) -> list[list[float]]:
        """Categorical codes, the HS6 ordinal, amounts, and prices relative to group medians."""
        st, cfg = self.state, self.config
        cols = []
        if cfg["raw_categoricals"]:
            for c in self._cat_columns():
                m = st["cat"][c]
                cols.append([m.get(v, NAN) for v in self._keys(rows, hs6, (c,))])
        if cfg["hs_prefix"]:
            cols.append([num(h) for h in hs6])
        if cfg["numeric"]:
            rate = [num(r.get("Tax Rate")) for r in rows]
            price = [num(r.get("Item Price")) for r in rows]
            cols.append(rate)
            cols.append([log1p(num(r.get("Net Mass"))) for r in rows])
            cols.append([log1p(p) for p in price])
            cols.append(luv)
            cols.append([log1p(p * t / 100.0) for p, t in zip(price, rate, strict=True)])
        if cfg["price_relative"]:
            # Unknown groups compare with the global median rather than NaN
            # so a new HS6 still gets a (coarse) price signal.
            g = st["uv_global"]
            for k in self._price_keys():
                m = st["uv_med"][kname(k)]
                cols.append(
                    [u - m.get(v, g) for u, v in zip(luv, self._keys(rows, hs6, k), strict=True)]
                )
        return cols

    def _history_columns(
        self, rows: list[dict[str, Any]], hs6: list[str], luv: list[float]
    ) -> list[list[float]]:
        """What history says of each row's keys: fraud rates, volumes, usual prices."""
        st, cfg = self.state, self.config
        cols = []
        if cfg["target_encoding"]:
            te_keys = [tuple(k) for k in (cfg["te_keys"] or TE_KEYS)]
            kvals = [self._keys(rows, hs6, k) for k in te_keys]
            for k, kv in zip(te_keys, kvals, strict=True):
                m, p = st["te"][kname(k)], st["te_prior"]
                # Unseen keys fall back to the prior: "no evidence", not NaN,
                # so the model treats a new importer like an average one.
                cols.append([m.get(v, p) for v in kv])
            if cfg["critical_te"]:
                for k, kv in zip(te_keys, kvals, strict=True):
                    m, p = st["cte"][kname(k)], st["cte_prior"]
                    cols.append([m.get(v, p) for v in kv])
        if cfg["counts"]:
            for k in COUNT_KEYS:
                m = st["count"][kname(k)]
                cols.append([m.get(v, 0) for v in self._keys(rows, hs6, k)])
        if cfg["party_uv"]:
            for k in PARTY_UV_KEYS:
                m = st["party_uv"][kname(k)]
                cols.append(
                    [u - m.get(v, NAN) for u, v in zip(luv, self._keys(rows, hs6, k), strict=True)]
                )
        return cols

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


def _key_series(df: Any, key: Sequence[str]) -> Any:
    """The values of a (possibly composite) key, one per row of ``df``."""
    if len(key) == 1:
        return df[key[0]]
    out = df[key[0]]
    for k in key[1:]:
        out = out + "|" + df[k]
    return out


def _rates(
    df: Any, keys: Sequence[tuple[str, ...]], y: np.ndarray, prior: float, m: float
) -> dict[str, dict[str, float]]:
    """Smoothed rate of ``y`` by value of each key: (sum + m * prior) / (count + m)."""
    import pandas as pd

    out = {}
    for key in keys:
        g = pd.DataFrame({"k": _key_series(df, key), "y": y}).groupby("k")["y"]
        s, c = g.sum(), g.count()
        enc = (s + m * prior) / (c + m)
        out[kname(key)] = {str(a): float(b) for a, b in enc.items()}
    return out


def _medians(
    luv: np.ndarray, df: Any, keys: Sequence[tuple[str, ...]]
) -> dict[str, dict[str, float]]:
    """Median log unit value by value of each key (groups with no price left out)."""
    import pandas as pd

    out = {}
    for key in keys:
        med = pd.Series(luv).groupby(_key_series(df, key).values).median()
        out[kname(key)] = {str(a): float(b) for a, b in med.items() if b == b}
    return out


def _date_columns(rows: list[dict[str, Any]]) -> list[list[float]]:
    """Weekday and month of each row's date (NaN when it is not a date)."""
    wd, mo = [], []
    for r in rows:
        d = r.get("Date") or ""
        try:
            y_, m_, d_ = int(d[:4]), int(d[5:7]), int(d[8:10])
            wd.append(float(datetime.date(y_, m_, d_).weekday()))
            mo.append(float(m_))
        except ValueError:
            wd.append(NAN)
            mo.append(NAN)
    return [wd, mo]
