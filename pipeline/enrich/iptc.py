"""The 17 level-1 IPTC Media Topics: code, English name and definition.

Derived from the IPTC NewsCodes Media Topic vocabulary (version of 2023-10-24), published
by IPTC (https://iptc.org/standards/media-topics/) under CC BY 4.0. The names and
definitions below are IPTC's; only this small table is kept in the repository. The
training script reads the full vocabulary (all 1,372 codes) from the shared data.
"""

from __future__ import annotations

from typing import NamedTuple


class MediaTopic(NamedTuple):
    code: str
    label: str
    definition: str


LEVEL1: tuple[MediaTopic, ...] = (
    MediaTopic(
        "medtop:01000000",
        "arts, culture, entertainment and media",
        "All forms of arts, entertainment, cultural heritage and media",
    ),
    MediaTopic(
        "medtop:02000000",
        "crime, law and justice",
        "The establishment and/or statement of the rules of behaviour in society, the "
        "enforcement of these rules, breaches of the rules, the punishment of offenders "
        "and the organisations and bodies involved in these activities",
    ),
    MediaTopic(
        "medtop:03000000",
        "disaster, accident and emergency incident",
        "Man made or natural event resulting in loss of life or injury to living "
        "creatures and/or damage to inanimate objects or property",
    ),
    MediaTopic(
        "medtop:04000000",
        "economy, business and finance",
        "All matters concerning the planning, production and exchange of wealth.",
    ),
    MediaTopic(
        "medtop:05000000",
        "education",
        "All aspects of furthering knowledge, formally or informally",
    ),
    MediaTopic(
        "medtop:06000000",
        "environment",
        "All aspects of protection, damage, and condition of the ecosystem of the "
        "planet earth and its surroundings.",
    ),
    MediaTopic("medtop:07000000", "health", "All aspects of physical and mental well-being"),
    MediaTopic(
        "medtop:08000000",
        "human interest",
        "Item that discusses individuals, groups, animals, plants or other objects in "
        "an emotional way",
    ),
    MediaTopic(
        "medtop:09000000",
        "labour",
        "Social aspects, organisations, rules and conditions affecting the employment "
        "of human effort for the generation of wealth or provision of services and the "
        "economic support of the unemployed.",
    ),
    MediaTopic(
        "medtop:10000000",
        "lifestyle and leisure",
        "Activities undertaken for pleasure, relaxation or recreation outside paid "
        "employment, including eating and travel.",
    ),
    MediaTopic(
        "medtop:11000000",
        "politics",
        "Local, regional, national and international exercise of power, or struggle "
        "for power, and the relationships between governing bodies and states.",
    ),
    MediaTopic(
        "medtop:12000000",
        "religion",
        "Belief systems, institutions and people who provide moral guidance to followers",
    ),
    MediaTopic(
        "medtop:13000000",
        "science and technology",
        "All aspects pertaining to human understanding of, as well as methodical study "
        "and research of natural, formal and social sciences, such as astronomy, "
        "linguistics or economics",
    ),
    MediaTopic(
        "medtop:14000000",
        "society",
        "The concerns, issues, affairs and institutions relevant to human social "
        "interactions, problems and welfare, such as poverty, human rights and family "
        "planning",
    ),
    MediaTopic(
        "medtop:15000000",
        "sport",
        "Competitive activity or skill that involves physical and/or mental effort and "
        "organisations and bodies involved in these activities",
    ),
    MediaTopic(
        "medtop:16000000",
        "conflict, war and peace",
        "Acts of socially or politically motivated protest or violence, military "
        "activities, geopolitical conflicts, as well as resolution efforts",
    ),
    MediaTopic(
        "medtop:17000000",
        "weather",
        "The study, prediction and reporting of meteorological phenomena",
    ),
)

CODES: tuple[str, ...] = tuple(t.code for t in LEVEL1)
LABELS: dict[str, str] = {t.code: t.label for t in LEVEL1}

BBC_TO_IPTC: dict[str, str] = {
    "business": "medtop:04000000",
    "entertainment": "medtop:01000000",
    "politics": "medtop:11000000",
    "sport": "medtop:15000000",
    "tech": "medtop:13000000",
}
"""BBC News (Greene & Cunningham 2006) classes onto their nearest level-1 Media Topic."""


def to_code(label: str) -> str:
    """A level-1 code from a code, a BBC class name or an IPTC label; ValueError otherwise."""
    if label in LABELS:
        return label
    if label.lower() in BBC_TO_IPTC:
        return BBC_TO_IPTC[label.lower()]
    by_label = {t.label: t.code for t in LEVEL1}
    if label.lower() in by_label:
        return by_label[label.lower()]
    raise ValueError(f"not a level-1 IPTC Media Topic or BBC class: {label!r}")
