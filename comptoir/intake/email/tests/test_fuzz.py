"""Hypothesis fuzzing: the parser never crashes, and whatever arrives is kept raw."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from comptoir.intake.email.models import RawMail
from comptoir.intake.email.parsing import parse_bytes
from comptoir.intake.email.services import raw_mail_receive

from .conftest import FIXTURES

SEEDS = sorted(p.read_bytes() for p in FIXTURES.glob("*.eml"))


@st.composite
def mangled(draw):
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 8))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            data[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[at : at + draw(st.integers(1, 200))]
        else:
            data[at:at] = draw(st.binary(max_size=40))
    return bytes(data)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.one_of(mangled(), st.binary(max_size=2000)))
def test_the_parser_never_crashes(data):
    parsed = parse_bytes(data)
    assert isinstance(parsed.new_text, str)


@pytest.mark.django_db
class TestRawAlwaysKept(TestCase):
    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.one_of(mangled(), st.binary(min_size=1, max_size=500)))
    def test_every_mail_is_kept_raw_whatever_happens(self, data):
        result = raw_mail_receive(
            data=data, source="fuzz", envelope_to=["support@comptoir.localhost"]
        )
        raw = RawMail.objects.get(pk=result.raw.pk)
        assert raw.status in {"processed", "ignored", "failed"}
        if result.created:
            with raw.file.open("rb") as fp:
                assert fp.read() == data
