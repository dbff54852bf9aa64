"""The sentence aligner: untranslated sentences, the learned lexicon, the banded search."""

import numpy as np
import pytest

import builder.align.lexicon as lexicon_mod
import builder.align.search as search
from builder.align.costs import LexicalCosts, Params
from builder.align.dp import Band, path_of, solve
from builder.align.lexical import Bags, BandMatrix, Tokens, tokenize
from builder.align.lexicon import learn
from builder.align.scoring import score
from builder.align.sentences import SentenceAligner
from tests.helpers import load_script


def beads(aligned):
    return [(b.src, b.tgt) for b in aligned]


@pytest.fixture(scope="module")
def synthetic():
    """1,000 sentences of two made-up languages with no cognates (bench_align's generator)."""
    return load_script("bench_align").make_documents(1000, seed=3)


def test_untranslated_sentences_stay_unaligned():
    src = ["The council approved the new ferry timetable on March 4.",
           "Ferries will run every 20 minutes between 7 a.m. and 9 p.m.",
           "Tickets stay at 3.50 euros."]
    tgt = ["4 марта городской совет утвердил новое расписание паромов.",
           "Подписывайтесь на наш канал, чтобы не пропустить новости!",
           "Паромы будут ходить каждые 20 минут с 7 до 21 часа.",
           "Билеты по-прежнему стоят 3,50 евро."]
    out = beads(SentenceAligner().align(src, tgt))
    assert out == [((0,), (0,)), ((), (1,)), ((1,), (2,)), ((2,), (3,))]


def test_untranslated_sentences_on_both_sides_stay_apart():
    """Two adjacent untranslated sentences, one on each side, next to a good 1-1 pair: not a
    2-2 bead (each sentence a bead adds must earn more than its chance match)."""
    src = ["Heavy rain is expected on Friday.",
           "Drivers should avoid the coastal road between Nord and Vik.",
           "Follow our channel for updates.", "The storm should pass by Sunday morning."]
    tgt = ["В пятницу ожидается сильный дождь.",
           "Водителям следует избегать прибрежной дороги между Нордом и Виком.",
           "К утру воскресенья шторм должен пройти.", "Берегите себя!"]
    out = beads(SentenceAligner().align(src, tgt))
    assert out == [((0,), (0,)), ((1,), (1,)), ((2,), ()), ((3,), (2,)), ((), (3,))]


def test_a_sentence_that_matches_everything_earns_nothing():
    """Match masses against a chance level: a sentence matching each neighbour alike is as
    unexplained as one matching nothing; one matching its partner above that level is not."""
    lengths = np.full(6, 20.0)
    src = Bags(np.arange(6), np.zeros(6, dtype=np.int64), np.ones(6))  # all share one concept
    tgt = Bags(np.arange(6), np.zeros(6, dtype=np.int64), np.ones(6))
    matches = BandMatrix.of(np.zeros(6, dtype=np.int64), np.full(6, 6), src, tgt, 6)
    base = (matches.row_means(), matches.col_means(6))
    rows, cols = np.arange(1, 7)[:, None], np.arange(1, 7)[:, None]
    plain = LexicalCosts(lengths, lengths, np.ones(6), np.ones(6), matches, 0.5, Params())
    normalised = LexicalCosts(lengths, lengths, np.ones(6), np.ones(6), matches, 0.5, Params(),
                              baselines=base)
    assert np.allclose(base[0], 1.0) and np.allclose(base[1], 1.0)
    assert np.allclose(plain.unexplained(rows, cols)[(1, 1)], 0.0)
    assert np.allclose(normalised.unexplained(rows, cols)[(1, 1)], 2.0)


@pytest.mark.parametrize("question_first", [True, False])
def test_punctuation_marks_tell_the_translated_sentence_from_the_untranslated_one(question_first):
    """No shared word, number or cognate, equal lengths: only the question mark says which of
    the two Russian sentences translates the German question."""
    question, other = "Кто взял ключ от подвала?", "Вечером будет дождь и ветер."
    tgt = [question, other] if question_first else [other, question]
    out = beads(SentenceAligner().align(["Wer hat den Schlüssel zum Keller genommen?"], tgt))
    k = tgt.index(question)
    assert out == sorted([((0,), (k,)), ((), (1 - k,))], key=lambda b: b[1])


@pytest.mark.parametrize("number_first", [True, False])
def test_a_shared_number_outweighs_a_shared_name_prefix(number_first):
    """Numbers are copied, not translated: the French sentence with the year translates the
    German one, not the one that shares the name (a cognate prefix) and nothing else."""
    year, name = "En été 1956, il rentra dans la vallée.", "Hartog parlait souvent de cette montagne."
    tgt = [year, name] if number_first else [name, year]
    out = beads(SentenceAligner().align(["Im Sommer 1956 kam Hartog ins Tal zurück."], tgt))
    k = tgt.index(year)
    assert out == sorted([((0,), (k,)), ((), (1 - k,))], key=lambda b: b[1])


def test_marks_meet_across_quotation_styles():
    assert tokenize('Er sagte: «Nein» (zweimal)?').anchors == tokenize(
        'He said: "No" [twice]?').anchors == ('"', '"', "(", ")", "?")
    assert tokenize("Drei Punkte: a; b").anchors == ()  # splitters cut at ':' and ';' differently


def test_a_sister_post_with_extra_sentences():
    src = ["On May 15, Elena Sokolova opened the bridge."]
    tgt = ["Друзья!", "15 мая Елена Соколова открыла мост.", "Приходите посмотреть.", "Ждём вас.",
           "До встречи!"]
    out = beads(SentenceAligner().align(src, tgt))
    assert ((0,), (1,)) in out and sum(1 for s, t in out if not s) == 4


def test_lexicon_is_learned_from_the_documents_and_helps(synthetic):
    src, tgt, gold = synthetic
    plain = SentenceAligner(learn_lexicon=False)
    learned = SentenceAligner()
    f_plain = score([gold], [beads(plain.align(src, tgt))])["strict"]["f1"]
    f_learned = score([gold], [beads(learned.align(src, tgt))])["strict"]["f1"]
    assert plain.lexicon is None and len(learned.lexicon) > 100
    assert f_learned > f_plain + 0.02 and f_learned > 0.9


def test_lexicon_explains_away_a_co_occurrence_a_real_translation_accounts_for():
    """'a' and 'y' meet only where 'a b' is translated 'x y' (Dice 0.5), and there 'b'
    explains 'y': IBM Model 1 gives the pair little strength, the real pairs nearly all."""
    pairs = [("a b", "x y")] * 2 + [("a", "x")] * 2 + [("b", "y")] * 2
    src = [Tokens(tuple(s.split()), ()) for s, _ in pairs]
    tgt = [Tokens(tuple(t.split()), ()) for _, t in pairs]
    lexicon = learn(src, tgt, [(k, k) for k in range(len(pairs))], min_pairs=1)
    assert lexicon.pairs[("a", "x")] > 0.9 and lexicon.pairs[("b", "y")] > 0.9
    assert lexicon.pairs[("a", "y")] < 0.2 and lexicon.pairs[("b", "x")] < 0.2


def test_model1_packed_keys_match_the_plain_computation(synthetic, monkeypatch):
    """Model 1's packed sort gives what np.unique gives (the path for huge vocabularies)."""
    src, tgt, gold = synthetic
    ones = [(s[0], t[0]) for s, t in gold if len(s) == 1 and len(t) == 1]
    ids_s, ids_t = {}, {}
    sets = [(np.array(sorted({ids_s.setdefault(w, len(ids_s)) for w in tokenize(src[i]).words})),
             np.array(sorted({ids_t.setdefault(w, len(ids_t)) for w in tokenize(tgt[j]).words})))
            for i, j in ones]
    packed = lexicon_mod._model1(sets, len(ids_s), len(ids_t), 3)
    monkeypatch.setattr(lexicon_mod, "KEY_BITS", 8)
    plain = lexicon_mod._model1(sets, len(ids_s), len(ids_t), 3)
    assert np.array_equal(packed[0], plain[0]) and np.allclose(packed[1], plain[1])
    assert len(packed[0]) > 10_000


def test_short_input_falls_back_to_the_first_pass():
    src = ["Heavy rain is expected on Friday.", "Drivers should avoid the coastal road."]
    tgt = ["В пятницу ожидается сильный дождь.", "Водителям следует избегать прибрежной дороги."]
    aligner = SentenceAligner()
    out = aligner.align(src, tgt)
    assert aligner.lexicon is None  # two sentence pairs teach nothing
    assert beads(out) == beads(SentenceAligner(learn_lexicon=False).align(src, tgt))
    assert beads(out) == [((0,), (0,)), ((1,), (1,))]


def test_banded_search_finds_what_the_full_table_finds(synthetic, monkeypatch):
    src, tgt, _ = synthetic
    banded = beads(SentenceAligner().align(src[:400], tgt[:400]))
    monkeypatch.setattr(search, "REFINE_WIDTH", 10**6)
    monkeypatch.setattr("builder.align.sentences.REFINE_WIDTH", 10**6)
    monkeypatch.setattr("builder.align.sentences.FIRST_WIDTH", 10**6)
    assert beads(SentenceAligner().align(src[:400], tgt[:400])) == banded


def test_band_widens_when_the_path_runs_along_its_edge():
    """A long untranslated block pushes the path far off the length diagonal."""
    src = [f"Sentence number {k} says {k * 7} things." for k in range(60)]
    tgt = [f"Phrase numero {k} dit {k * 7} choses." for k in range(60)]
    tgt = tgt[:10] + [f"Photo caption {chr(65 + k % 26)}" for k in range(80)] + tgt[10:]
    out = beads(SentenceAligner().align(src, tgt))
    assert ((10,), (90,)) in out and ((59,), (139,)) in out
    assert sum(1 for s, t in out if not s) == 80


def test_dp_on_a_hand_made_cost_table():
    """Three source and two target sentences: 1-1, then a 2-1 that beats 1-1 plus a skip."""

    class Table:
        n, m = 3, 2
        types = ((1, 1), (2, 1))

        def skip_src(self):
            return np.full(3, 9.0)

        def skip_tgt(self):
            return np.full(2, 9.0)

        def block_costs(self, i0, i1, lo, width):
            rows = np.arange(i0, i1)[:, None]
            cols = lo[i0:i1][:, None] + np.arange(width)[None, :]
            one = np.where(rows == cols, 1.0, 5.0)
            one[(rows == 2) & (cols == 2)] = 4.0
            two = np.where((rows == 3) & (cols == 2), 0.5, 9.0)
            return {(1, 1): one, (2, 1): two}

    found, total = solve(Table(), Band.full(3, 2))
    assert found == [(0, 1, 0, 1), (1, 3, 1, 2)] and total == pytest.approx(1.5)
    narrow = Band(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]))  # the diagonal only
    assert solve(Table(), narrow)[0] == found
    assert path_of([(0, 2, 0, 1)]) == [(0, 0), (1, 0), (1, 1), (2, 1)]
