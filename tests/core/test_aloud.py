"""Text made fit to be heard: asides left out, numbers read digit by digit."""

import pytest

from service.core.aloud import digit_by_digit, without_asides


@pytest.mark.parametrize(
    ("written", "heard"),
    [
        ("Hope Clinic, 0800 123 456.", "Hope Clinic, 0 8 0 0, 1 2 3, 4 5 6."),
        ("+254 712-345678", "+2 5 4, 7 1 2, 3 4 5 6 7 8"),
        ("عيادة، ٠٨٠٠ ١٢٣", "عيادة، ٠ ٨ ٠ ٠, ١ ٢ ٣"),  # Arabic-Indic digits too
        ("press 9, or 0", "press 9, or 0"),  # a single digit is read as it is
        ("no numbers", "no numbers"),
    ],
)
def test_a_number_is_read_digit_by_digit_with_its_groups_apart(written, heard):
    assert digit_by_digit(written) == heard


@pytest.mark.parametrize(
    ("written", "heard"),
    [
        ("receptor (ER+), drugs", "receptor, drugs"),
        ("他莫昔芬（tamoxifen）或", "他莫昔芬或"),
        ("内分泌治疗（激素治疗）：如果", "内分泌治疗：如果"),
        ("no aside here.", "no aside here."),
        ("an open ( bracket", "an open ( bracket"),  # not an aside: kept
    ],
)
def test_a_bracketed_aside_is_not_said(written, heard):
    assert without_asides(written) == heard
