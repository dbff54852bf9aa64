"""Post pairing between a channel and its sister channel: the entity signal."""

from builder.align.anchors import entities
from builder.align.posts import AlignPost, PostMatcher
from builder.records import Segment


def post(post_id: str, sentences: list[str]) -> AlignPost:
    text = " ".join(sentences)
    return AlignPost(post_id, None, text,
                     tuple(Segment(post_id, k, s, 0, 0, "", None) for k, s in enumerate(sentences)))


DE = [post("de1", ["Am Montag erreichte die Expedition von Raymond Lambert den Gipfel des "
                   "Dhaulagiri.", "Das Wetter war gut, die Träger blieben im Lager."]),
      post("de2", ["Die Hütte am Grimselpass bleibt bis Juni geschlossen.",
                   "Der Weg ist wegen Lawinen gesperrt."])]
FR = [post("fr2", ["La cabane du col du Grimsel reste fermée jusqu'en juin.",
                   "Le sentier est fermé à cause des avalanches."]),
      post("fr1", ["Lundi, l'expédition de Raymond Lambert a atteint le sommet du Dhaulagiri.",
                   "Le temps était beau, les porteurs sont restés au camp."])]


def test_german_nouns_are_not_names_unless_the_other_channel_has_them():
    assert entities(DE[0].sentences[1].text)  # capitalised German nouns look like names alone
    matcher = PostMatcher(threshold=0.8, window_hours=72)
    assert [(p.main, p.other) for p in matcher.match(DE, FR)] == [(0, 1), (1, 0)]
    assert matcher.signals(DE[0], FR[1], 1.0)["entities"] == 1.0  # Raymond Lambert Dhaulagiri
    assert matcher.signals(DE[0], FR[0], 1.0)["entities"] == 0.0


def test_names_in_both_channels_still_count_against_a_wrong_pair():
    matcher = PostMatcher(threshold=0.0, window_hours=72)
    matcher.match(DE, FR)
    assert matcher.signals(DE[1], FR[1], 1.0)["entities"] == 0.0  # FR1 names what DE2 does not
