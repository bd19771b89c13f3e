"""Single-pass story assignment over a bounded window of recent stories.

Each article, in stream order, joins the most similar story whose last article is at most
`window` old when the similarity reaches `threshold`, else it starts a story of its own.
Similarity mixes the MiniLM embedding (what the text is about) with TF-IDF terms of the
headline and lede (which names, places and numbers it shares): an earthquake in Chile and
one in Peru embed alike, but share no place name.

Lookup is an inverted index from rare terms to the stories that carry them, so an article
is scored against the few stories that share one of its distinctive terms, never the whole
window: brute-force cosine over 100,000 centroids costs ~45 ms on this machine's CPU, the
index well under a millisecond (docs/benchmarks.md, "Story assignment").

Two traps it avoids:
- A new revision of an article (same id) keeps its story; it is not counted twice.
- Assignment depends on arrival order and on what was seen before, so the same stream gives
  the same stories only when one assigner sees all of it in one order (docs/pipeline.md,
  "Stories").
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from pipeline.stories.terms import DocumentFrequencies, term_counts, weighted


@dataclass(frozen=True)
class StoryParams:
    threshold: float = 0.36
    """Combined similarity an article needs to join a story (chosen on the FNC-1 tune half)."""
    embedding_weight: float = 0.3
    """Share of the embedding cosine in the combined similarity; the rest is TF-IDF cosine."""
    member_weight: float = 0.5
    """Share of the best single member in a story's score; the rest is the story as a whole."""
    average_link: bool = False
    """The story as a whole: mean similarity to its members (True) or cosine to its centroid."""
    name_boost: float = 1.0
    """Weight of a capitalised word's count (names, places) against other words'."""
    duplicate_threshold: float = 0.9
    """The TF-IDF and the embedding cosine (when both have one) to one member reach it: a copy."""
    window: timedelta = timedelta(hours=72)
    max_stories: int = 200_000
    query_terms: int = 30
    """An article's heaviest terms used to find candidate stories."""
    story_terms: int = 300
    """Terms kept per story centroid (the rest of the long tail is dropped)."""
    posting_limit: int = 128
    """Most recently active stories kept per term: a common term never makes a long scan."""
    candidates: int = 24
    """Stories scored in full: those sharing the most weight of the article's query terms."""
    members_kept: int = 16
    """Members per story kept for the member score and duplicate detection (first + latest)."""


@dataclass(frozen=True)
class ArticleFeatures:
    id: str
    text: str
    """Headline and lede (`embedding.article_text`)."""
    embedding: np.ndarray | None
    time: datetime
    source: str | None = None


@dataclass
class _Member:
    id: str
    embedding: np.ndarray | None
    terms: dict[int, float]
    duplicate_of: str | None


@dataclass
class Story:
    id: str
    first_seen: datetime
    last_seen: datetime
    size: int = 0
    sources: list[str] = field(default_factory=list)
    embedding_sum: np.ndarray | None = None
    embedding_count: int = 0
    terms: dict[int, float] = field(default_factory=dict)
    first: _Member | None = None
    latest: deque[_Member] = field(default_factory=deque)
    member_ids: list[str] = field(default_factory=list)
    posted: set[int] = field(default_factory=set)

    def members(self) -> list[_Member]:
        return [self.first, *self.latest] if self.first is not None else list(self.latest)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "first_seen": _iso(self.first_seen),
            "last_seen": _iso(self.last_seen),
            "size": self.size,
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Assignment:
    story: dict
    """{id, first_seen, last_seen, size, sources} after this article joined."""
    duplicate_of: str | None
    score: float | None
    """Similarity to the story it joined; None when it started one or is a revision."""


MAX_SOURCES = 50


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def _dot(a: dict[int, float], b: dict[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


class StoryAssigner:
    def __init__(self, params: StoryParams | None = None) -> None:
        self.params = params or StoryParams()
        self.freqs = DocumentFrequencies()
        self.stories: OrderedDict[str, Story] = OrderedDict()  # least recently active first
        self.story_of: dict[str, str] = {}  # article id -> story id, for revisions
        self.postings: dict[int, OrderedDict[str, None]] = {}
        self.clock: datetime | None = None

    # --- the public step -------------------------------------------------------------
    def assign(self, article: ArticleFeatures) -> Assignment:
        self._advance(article.time)
        known = self.story_of.get(article.id)
        if known is not None and known in self.stories:
            story = self.stories[known]
            story.last_seen = max(story.last_seen, article.time)
            self.stories.move_to_end(known)
            return Assignment(story.as_json(), self._duplicate_flag(story, article.id), None)

        counts = term_counts(article.text, self.params.name_boost)
        self.freqs.add(counts)
        terms = weighted(counts, self.freqs)
        embedding = None if article.embedding is None else _unit(np.asarray(article.embedding))
        best, score = self._best_story(terms, embedding)
        duplicate_of = None
        if best is not None and score >= self.params.threshold:
            story = best
            duplicate_of = self._duplicate_of(story, terms, embedding)
        else:
            story = Story(article.id, article.time, article.time)
            self.stories[story.id] = story
            score = None
        member = _Member(article.id, embedding, terms, duplicate_of)
        self._add(story, member, article)
        self._evict()
        return Assignment(story.as_json(), duplicate_of, score)

    def restore(
        self, article: ArticleFeatures, story_id: str, duplicate_of: str | None = None
    ) -> None:
        """Put back an article already assigned (after a restart, from what was published).

        No scoring: the article joins `story_id` as it did before, so the state after a
        restore of the last window equals the state before the restart, up to the members
        and terms the bounds dropped.
        """
        self._advance(article.time)
        if article.id in self.story_of:
            return
        counts = term_counts(article.text, self.params.name_boost)
        self.freqs.add(counts)
        terms = weighted(counts, self.freqs)
        embedding = None if article.embedding is None else _unit(np.asarray(article.embedding))
        story = self.stories.get(story_id)
        if story is None:
            story = Story(story_id, article.time, article.time)
            self.stories[story_id] = story
        self._add(story, _Member(article.id, embedding, terms, duplicate_of), article)
        self._evict()

    # --- scoring ---------------------------------------------------------------------
    def _candidates(self, terms: dict[int, float]) -> list[Story]:
        """The stories sharing the most weight of the article's heaviest terms, best first."""
        p = self.params
        top = sorted(terms, key=terms.__getitem__, reverse=True)[: p.query_terms]
        shared: dict[str, float] = {}
        for term in top:
            weight = terms[term]
            for story_id in self.postings.get(term, ()):
                shared[story_id] = shared.get(story_id, 0.0) + weight
        if len(shared) > p.candidates:
            best = sorted(shared, key=shared.__getitem__, reverse=True)[: p.candidates]
        else:
            best = list(shared)
        return [self.stories[s] for s in best if s in self.stories]

    def _best_story(
        self, terms: dict[int, float], embedding: np.ndarray | None
    ) -> tuple[Story | None, float]:
        candidates = self._candidates(terms)
        if not candidates:
            return None, 0.0
        p = self.params
        best, best_score = None, -math.inf
        for story in candidates:
            score = (1 - p.member_weight) * self._centroid_score(story, terms, embedding)
            if p.member_weight > 0:
                score += p.member_weight * max(
                    self._pair_score(m, terms, embedding) for m in story.members()
                )
            if score > best_score:
                best, best_score = story, score
        return best, best_score

    def _mix(self, term_cos: float, emb_cos: float | None) -> float:
        if emb_cos is None:
            return term_cos
        w = self.params.embedding_weight
        return w * emb_cos + (1 - w) * term_cos

    def _centroid_score(
        self, story: Story, terms: dict[int, float], embedding: np.ndarray | None
    ) -> float:
        average = self.params.average_link
        norm = math.sqrt(sum(w * w for w in story.terms.values())) or 1.0
        term_cos = _dot(terms, story.terms) / (story.size if average else norm)
        emb_cos = None
        if embedding is not None and story.embedding_sum is not None:
            dot = float(story.embedding_sum @ embedding)
            emb_norm = float(np.linalg.norm(story.embedding_sum)) or 1.0
            emb_cos = dot / (story.embedding_count if average else emb_norm)
        return self._mix(term_cos, emb_cos)

    def _pair_score(
        self, member: _Member, terms: dict[int, float], embedding: np.ndarray | None
    ) -> float:
        emb_cos = None
        if embedding is not None and member.embedding is not None:
            emb_cos = float(member.embedding @ embedding)
        return self._mix(_dot(terms, member.terms), emb_cos)

    def _duplicate_of(
        self, story: Story, terms: dict[int, float], embedding: np.ndarray | None
    ) -> str | None:
        limit = self.params.duplicate_threshold
        for member in story.members():
            if _dot(terms, member.terms) < limit:
                continue
            # Without embeddings (a chain without the encoder) the terms decide alone.
            both = embedding is not None and member.embedding is not None
            if both and float(member.embedding @ embedding) < limit:
                continue
            return member.duplicate_of or member.id
        return None

    def _duplicate_flag(self, story: Story, article_id: str) -> str | None:
        for member in story.members():
            if member.id == article_id:
                return member.duplicate_of
        return None

    # --- state -----------------------------------------------------------------------
    def _add(self, story: Story, member: _Member, article: ArticleFeatures) -> None:
        p = self.params
        story.size += 1
        story.first_seen = min(story.first_seen, article.time)
        story.last_seen = max(story.last_seen, article.time)
        source = article.source
        if source and source not in story.sources and len(story.sources) < MAX_SOURCES:
            story.sources.append(source)
        if member.embedding is not None:
            story.embedding_count += 1
            if story.embedding_sum is None:
                story.embedding_sum = member.embedding.astype(np.float32).copy()
            else:
                story.embedding_sum += member.embedding
        for term, weight in member.terms.items():
            story.terms[term] = story.terms.get(term, 0.0) + weight
        if len(story.terms) > p.story_terms:
            kept = sorted(story.terms.items(), key=lambda kv: kv[1], reverse=True)
            story.terms = dict(kept[: p.story_terms])
        if story.first is None:
            story.first = member
        else:
            story.latest.append(member)
            while len(story.latest) > p.members_kept - 1:
                story.latest.popleft()
        self.story_of[member.id] = story.id
        story.member_ids.append(member.id)
        self.stories.move_to_end(story.id)
        top = sorted(member.terms, key=member.terms.__getitem__, reverse=True)[: p.query_terms]
        for term in top:
            posting = self.postings.setdefault(term, OrderedDict())
            posting[story.id] = None
            posting.move_to_end(story.id)
            story.posted.add(term)
            while len(posting) > p.posting_limit:
                posting.popitem(last=False)

    def _advance(self, moment: datetime) -> None:
        if self.clock is None or moment > self.clock:
            self.clock = moment
        self._evict()

    def _evict(self) -> None:
        """Drop the least recently active stories: those past the window, then any over the cap."""
        horizon = self.clock - self.params.window if self.clock else None
        while self.stories:
            story_id, story = next(iter(self.stories.items()))
            expired = horizon is not None and story.last_seen < horizon
            if not expired and len(self.stories) <= self.params.max_stories:
                break
            self.stories.popitem(last=False)
            for article_id in story.member_ids:
                self.story_of.pop(article_id, None)
            for term in story.posted:
                posting = self.postings.get(term)
                if posting is not None:
                    posting.pop(story_id, None)
                    if not posting:
                        del self.postings[term]


def assign_all(assigner: StoryAssigner, articles: Sequence[ArticleFeatures]) -> list[Assignment]:
    return [assigner.assign(article) for article in articles]
