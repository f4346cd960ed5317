from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from reports_admin.reports.argument_diff import (
    AddArgument,
    ChangeArgument,
    DeleteArgument,
    plan_argument_changes,
    plan_settings_changes,
)
from reports_admin.weblink.metadata import ReportArgument

MANAGED = {"format", "email", "only_when_data", "queue_id"}


def rows(*pairs):
    """Stored arguments with ids 1, 2, ... in the order given."""
    return [
        ReportArgument(id=str(i), key=key, value=value) for i, (key, value) in enumerate(pairs, 1)
    ]


STORED = rows(
    ("format", "csv"),
    ("email", "a@example.com"),
    ("email", "b@example.com"),
    ("queue_id", "7"),
)
UNCHANGED = {
    "format": ["csv"],
    "email": ["a@example.com", "b@example.com"],
    "queue_id": ["7"],
    "only_when_data": [],
}


def plan(submitted, stored=STORED, managed=MANAGED):
    return plan_argument_changes(stored, submitted, managed_keys=managed)


def test_nothing_changed_plans_nothing():
    assert plan(UNCHANGED) == []


def test_changing_one_recipient_is_one_change_of_its_row():
    submitted = {**UNCHANGED, "email": ["a@example.com", "c@example.com"]}
    assert plan(submitted) == [ChangeArgument(argument_id="3", key="email", value="c@example.com")]


def test_adding_one_recipient_is_one_add():
    submitted = {**UNCHANGED, "email": ["a@example.com", "b@example.com", "c@example.com"]}
    assert plan(submitted) == [AddArgument(key="email", value="c@example.com")]


def test_removing_one_recipient_is_one_delete():
    submitted = {**UNCHANGED, "email": ["b@example.com"]}
    assert plan(submitted) == [DeleteArgument(argument_id="2", key="email", value="a@example.com")]


def test_other_order_of_the_same_values_plans_nothing():
    submitted = {**UNCHANGED, "email": ["b@example.com", "a@example.com"]}
    assert plan(submitted) == []


def test_unknown_stored_key_is_kept_and_unknown_submitted_key_ignored():
    stored = [*STORED, ReportArgument(id="9", key="secret_flag", value="1")]
    submitted = {**UNCHANGED, "secret_flag": [], "brand_new": ["x"]}
    assert plan(submitted, stored=stored) == []


def test_managed_key_missing_from_submitted_deletes_its_rows():
    submitted = {key: values for key, values in UNCHANGED.items() if key != "email"}
    assert plan(submitted) == [
        DeleteArgument(argument_id="2", key="email", value="a@example.com"),
        DeleteArgument(argument_id="3", key="email", value="b@example.com"),
    ]


def test_emptied_optional_field_is_deleted():
    submitted = {**UNCHANGED, "queue_id": []}
    assert plan(submitted) == [DeleteArgument(argument_id="4", key="queue_id", value="7")]


def test_switching_a_flag_on_adds_it():
    submitted = {**UNCHANGED, "only_when_data": ["1"]}
    assert plan(submitted) == [AddArgument(key="only_when_data", value="1")]


def test_more_new_values_than_spare_rows_changes_then_adds():
    submitted = {**UNCHANGED, "email": ["c@example.com", "d@example.com", "e@example.com"]}
    assert plan(submitted) == [
        ChangeArgument(argument_id="2", key="email", value="c@example.com"),
        ChangeArgument(argument_id="3", key="email", value="d@example.com"),
        AddArgument(key="email", value="e@example.com"),
    ]


def test_fewer_values_changes_one_row_and_deletes_after_every_write():
    submitted = {**UNCHANGED, "email": ["c@example.com"], "format": ["pdf"]}
    assert plan(submitted) == [
        ChangeArgument(argument_id="2", key="email", value="c@example.com"),
        ChangeArgument(argument_id="1", key="format", value="pdf"),
        DeleteArgument(argument_id="3", key="email", value="b@example.com"),
    ]


def test_duplicates_are_counted():
    stored = rows(("email", "a@example.com"), ("email", "a@example.com"))
    assert plan({"email": ["a@example.com"]}, stored=stored, managed={"email"}) == [
        DeleteArgument(argument_id="2", key="email", value="a@example.com")
    ]
    assert (
        plan({"email": ["a@example.com"] * 3}, stored=stored[:1], managed={"email"})
        == [AddArgument(key="email", value="a@example.com")] * 2
    )


# --- property test ---------------------------------------------------------------------------

KEYS = ["format", "email", "queue_id", "other"]
VALUES = ["a", "b", "c", "d"]


def apply_plan(stored, plan):
    """Run the plan against rows held by id, as the API would, checking each call is valid.

    Returns the rows left and, for every key, the fewest rows it had along the way.
    """
    held = {row.id: (row.key, row.value) for row in stored}
    fewest = Counter(key for key, _ in held.values())
    for number, call in enumerate(plan):
        match call:
            case AddArgument(key=key, value=value):
                held[f"new-{number}"] = (key, value)
            case ChangeArgument(argument_id=argument_id, key=key, value=value):
                assert held[argument_id][0] == key
                held[argument_id] = (key, value)
            case DeleteArgument(argument_id=argument_id, key=key):
                assert held.pop(argument_id)[0] == key
        counts = Counter(key for key, _ in held.values())
        fewest = Counter({key: min(fewest[key], counts[key]) for key in fewest})
    return held, fewest


stored_rows = st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(VALUES)), max_size=8).map(
    lambda pairs: rows(*pairs)
)
submissions = st.dictionaries(
    st.sampled_from(KEYS), st.lists(st.sampled_from(VALUES), max_size=4), max_size=len(KEYS)
)
managed_sets = st.sets(st.sampled_from(KEYS))


@given(stored=stored_rows, submitted=submissions, managed=managed_sets)
def test_plan_turns_stored_into_submitted_with_fewest_calls(stored, submitted, managed):
    changes = plan_argument_changes(stored, submitted, managed_keys=managed)
    held, fewest = apply_plan(stored, changes)

    for key in KEYS:
        after = Counter(value for k, value in held.values() if k == key)
        before = Counter(row.value for row in stored if row.key == key)
        if key in managed:
            assert after == Counter(submitted.get(key, []))
            unmatched_old = before - after
            unmatched_new = after - before
            calls = [change for change in changes if change.key == key]
            assert len(calls) == max(unmatched_old.total(), unmatched_new.total())
            # A key that keeps values is never empty between two calls.
            if before and after:
                assert fewest[key] > 0
        else:
            assert after == before
    unmanaged_rows = {row.id: (row.key, row.value) for row in stored if row.key not in managed}
    assert unmanaged_rows.items() <= held.items()

    kinds = [type(change) for change in changes]
    first_delete = kinds.index(DeleteArgument) if DeleteArgument in kinds else len(kinds)
    assert all(kind is DeleteArgument for kind in kinds[first_delete:])


# --- the report's own settings ----------------------------------------------------------------

SETTING_VALUES = {
    "name": st.sampled_from(["A", "B", "C"]),
    "description": st.sampled_from(["", "x"]),
    "interval": st.sampled_from(["hour", "day", "week", "month"]),
    "active": st.booleans(),
    "email_link_only": st.booleans(),
}
all_settings = st.fixed_dictionaries(SETTING_VALUES)
some_settings = st.fixed_dictionaries({}, optional=SETTING_VALUES)


@given(stored=all_settings, wanted=some_settings)
def test_settings_plan_is_minimal_and_applying_it_yields_what_was_asked(stored, wanted):
    changes = plan_settings_changes(stored, wanted)
    # Minimal: only settings that differ are sent, so nothing differing means no PATCH.
    assert all(stored[name] != value for name, value in changes.items())
    # Applying it (a PATCH of only these fields) yields what was asked, the rest untouched.
    assert {**stored, **changes} == {**stored, **wanted}


def test_unchanged_settings_plan_no_patch():
    stored = {"name": "A", "description": "", "interval": "day", "active": True}
    assert plan_settings_changes(stored, dict(stored)) == {}
    assert plan_settings_changes(stored, {**stored, "name": "B"}) == {"name": "B"}
