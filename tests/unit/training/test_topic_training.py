"""The topic head's training helpers: the check split keeps stories whole, thresholds hold
their precision, the shipped labels are well formed and carry no texts."""

import json

import numpy as np

from pipeline.enrich.iptc import CODES
from pipeline.training import topic_head as th
from pipeline.training.topic_labels import (
    LABELS_FILE,
    Labelled,
    blind_pairs,
    cohen_kappa,
    fnc1_stories,
    load_labels,
)


def _item(i: int, code: str) -> Labelled:
    return Labelled(id=f"fnc1:{i}", primary=code, also=(), flag=None)


def test_fnc1_bodies_that_share_a_related_headline_are_one_story_unrelated_pairs_are_not(
    tmp_path,
):
    (tmp_path / "fnc1").mkdir()
    (tmp_path / "fnc1" / "train_stances.csv").write_text(
        "Headline,Body ID,Stance\n"
        "Claim A,1,agree\nClaim A,2,discuss\nClaim B,3,disagree\n"
        "Claim A,3,unrelated\nClaim B,4,unrelated\n",
        encoding="utf-8",
    )
    stories = fnc1_stories(tmp_path)
    assert stories["fnc1:1"] == stories["fnc1:2"]
    assert stories["fnc1:3"] != stories["fnc1:1"]
    assert stories["fnc1:4"] not in (stories["fnc1:1"], stories["fnc1:3"])


def test_the_check_split_never_puts_one_group_on_both_sides_and_covers_every_code():
    rng = np.random.default_rng(0)
    items = [_item(i, CODES[i % len(CODES)]) for i in range(600)]
    # stories of 1-4 items; near-duplicates are not in play (random vectors)
    groups = np.repeat(np.arange(300), 2)[:600]
    x = rng.standard_normal((600, 384)).astype(np.float32)
    story = {f"fnc1:{i}": int(groups[i]) for i in range(600)}
    g = th.story_groups(items, x, story)
    check = th.draw_check_split(items, g, seed=1)
    # every story (two FNC-1 bodies) lies wholly on one side
    assert not set(groups[check]) & set(groups[~check])
    assert {items[i].primary for i in np.nonzero(check)[0]} == set(CODES)
    assert 0.1 < check.mean() < 0.25


def test_the_pinned_check_set_keeps_its_ids_and_later_items_of_its_stories_stay_out():
    items = [_item(i, CODES[0]) for i in range(6)]
    # items 0-1 and 2-3 are two stories; item 4 was labelled later in story 0-1
    groups = np.array([7, 7, 8, 8, 7, 9])
    check, excluded = th.check_split(items, groups, pinned={"fnc1:0", "fnc1:1"})
    assert check.tolist() == [True, True, False, False, False, False]
    assert excluded.tolist() == [False, False, False, False, True, False]


def test_the_pinned_check_ids_are_labelled_items():
    pinned = set(th.CHECK_IDS_FILE.read_text(encoding="utf-8").split())
    assert len(pinned) == 514
    assert pinned <= {x.id for x in load_labels()}


def test_near_duplicate_articles_join_one_group():
    x = np.eye(4, 384, dtype=np.float32)
    x[1] = x[0] + 0.01  # a near-copy of article 0
    items = [_item(i, CODES[0]) for i in range(4)]
    g = th.story_groups(items, x, {})
    assert g[0] == g[1] and len(set(g.tolist())) == 3


def test_a_threshold_is_the_lowest_score_that_keeps_the_target_precision():
    # one code; scores high to low, right, right, right, right, right, wrong, wrong, ...
    probs = np.linspace(0.99, 0.01, 20)[:, None]
    y = np.zeros((20, 1), dtype=int)
    y[:5] = 1
    y[6] = 1
    limit = th.thresholds(probs, y)[0]
    above = probs[:, 0] >= limit
    assert y[above, 0].mean() >= th.TARGET_PRECISION
    assert above.sum() == 7  # 6 of 7 = 0.857; one more would be 6 of 8
    # a code that never reaches the precision is only ever emitted as a top code
    assert th.thresholds(probs, 1 - y)[0] == 1.0


def test_the_shipped_labels_are_valid_codes_with_no_text_and_agree_with_their_blind_pairs():
    labels = load_labels()
    assert len(labels) == 5854
    for x in labels:
        assert x.primary in CODES and set(x.also) <= set(CODES) and x.primary not in x.also
        assert x.source in {"fnc1", "wikinews", "polnear", "huffpost"}
    raw = [json.loads(line) for line in LABELS_FILE.read_text(encoding="utf-8").splitlines()]
    assert all(set(r) <= {"id", "primary", "also", "flag", "batch", "blind"} for r in raw)
    pairs = blind_pairs(labels)
    assert len(pairs) == 404 + 303
    assert 0.9 < cohen_kappa(pairs) < 0.95


def test_cohen_kappa_is_zero_for_chance_agreement_and_one_for_perfect():
    assert cohen_kappa([("a", "a"), ("b", "b")]) == 1.0
    assert abs(cohen_kappa([("a", "a"), ("a", "b"), ("b", "a"), ("b", "b")])) < 1e-9
