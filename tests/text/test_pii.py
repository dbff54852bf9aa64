"""Personal data: each type found and replaced, look-alike numbers left alone, counts, the
evaluation set and the bundled sample."""

import pytest

from builder.text.pii import PiiScrubber, luhn_ok, placeholder_kinds
from tests.helpers import load_script


@pytest.mark.parametrize("text, expected", [
    ("Mail press@mid.ru.", "Mail <EMAIL>."),
    ("Call +7 (495) 244-16-06 now", "Call <PHONE> now"),
    ("Call (202) 555-0143", "Call <PHONE>"),
    ("Tel. 2441606", "Tel. <PHONE>"),
    ("IP 10.0.0.255 and 2001:db8::1", "IP <IP> and <IP>"),
    ("Card 4111-1111-1111-1111", "Card <CARD>"),
    ("Card 4111 1111 1111 1112", "Card 4111 1111 1111 1112"),  # fails Luhn
    ("12 000 troops", "12 000 troops"),
    ("On 05.12.2022 at 10:30", "On 05.12.2022 at 10:30"),
    ("$3,000,000 in 2019 2020 2021", "$3,000,000 in 2019 2020 2021"),
    ("Resolution 2334 (2016)", "Resolution 2334 (2016)"),
    ("Version 1.2.3.400", "Version 1.2.3.400"),  # 400 is no octet
    ("user123@example.com", "<EMAIL>"),  # digits inside an address are the address's
    ("the @MFARussia channel", "the @MFARussia channel"),
])
def test_replaced_or_left_alone(text, expected):
    assert PiiScrubber().scrub(text)[0] == expected


def test_counts_per_type_and_keep_and_types():
    text = "a@b.org, c@d.org, +7 495 244 16 06, 192.168.0.1"
    out, counts = PiiScrubber().scrub(text)
    assert counts == {"email": 2, "phone": 1, "ip": 1}
    assert sorted(placeholder_kinds(out)) == ["email", "email", "ip", "phone"]
    kept, counts = PiiScrubber(replace=False).scrub(text)
    assert kept == text and counts["email"] == 2
    only_mail, counts = PiiScrubber(types=["email"]).scrub(text)
    assert only_mail == "<EMAIL>, <EMAIL>, +7 495 244 16 06, 192.168.0.1"
    assert dict(counts) == {"email": 2}


def test_luhn():
    assert luhn_ok("4111111111111111") and luhn_ok("378282246310005")
    assert not luhn_ok("4111111111111112")


def test_evaluation_set_and_sample_have_no_false_positives():
    r = load_script("eval_quality").pii_scores()
    assert r["number_heavy_sentences"] >= 50 and r["false_positives"] == 0, r["changed"]
    assert r["sample_posts"] == 20 and r["sample_findings"] == 0
    assert r["pii_exact"] == r["pii_sentences"], r["wrong"]
    assert r["held_out_number_heavy"] >= 30 and r["held_out_false_positives"] == 0, r["changed"]
    assert r["held_out_exact"] == r["held_out_pii"] >= 10, r["wrong"]
