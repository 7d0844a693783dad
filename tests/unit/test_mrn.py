import datetime as dt

from silkgate.declarations.mrn import is_well_formed, new_mrn


def test_mrn_shape_and_check_character():
    at = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)
    mrn = new_mrn("CN", at)
    assert len(mrn) == 18 and mrn.startswith("26CN")
    assert is_well_formed(mrn)
    wrong = mrn[:10] + ("A" if mrn[10] != "A" else "B") + mrn[11:]
    assert not is_well_formed(wrong)


def test_mrns_sort_by_time_of_issue():
    t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    a, b = new_mrn("CN", t), new_mrn("CN", t + dt.timedelta(seconds=1))
    assert a[4:12] < b[4:12]
