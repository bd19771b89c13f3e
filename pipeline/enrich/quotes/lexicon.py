"""Word lists the attribution rules use. Built from news usage and the PolNeAR train cues."""

from __future__ import annotations

CUE_LEMMAS = frozenset(
    """
    say tell add write ask call note report announce suggest tweet describe argue continue
    explain acknowledge accuse declare refer urge recall cite defend conclude respond claim
    praise agree propose state warn insist reply promise reveal question predict vow pledge
    dismiss blame reject label dub brand term characterize complain admit deny confirm joke
    quip testify post observe stress emphasize emphasise allege assert charge caution concede
    remark repeat shout yell chant exclaim boast brag recount lament mock slam blast attack
    decry condemn hail tout pen read muse wonder point estimate tell counter retort scoff
    snap declare proclaim announce elaborate mention indicate comment plead beg demand
    criticize criticise quote describe nickname deride dismiss liken compare frame
    see release interject assure answer think remember share speak talk publish discuss
    offer portray credit thank bark issue email forward sing deliver protest signal
    reference voice herald worry pronounce lecture scold preach rail argue insist
    """.split()
)
"""Verbs whose subject is the source of a quote in the same sentence."""

INDIRECT_CUE_LEMMAS = frozenset(
    """
    say tell add write note report announce suggest argue explain acknowledge declare claim
    warn insist reply promise reveal predict vow pledge confirm admit deny testify stress
    emphasize allege assert concede remark repeat tweet respond contend maintain believe
    think recall caution complain conclude indicate mention state show find know see hope
    fear expect feel worry learn demonstrate recognize realize understand assume suspect
    doubt guess imagine agree estimate reckon question ask wonder hint signal concede
    acknowledge accuse contend argue insist suggest propose predict
    """.split()
)
"""Verbs that introduce reported speech as a clause ("X said that ...")."""

TITLES = frozenset(
    """
    mr mr. mrs mrs. ms ms. miss dr dr. prof prof. sen sen. rep rep. gov gov. gen gen. lt lt.
    col col. sgt sgt. capt capt. adm adm. rev rev. sir dame lord lady president vice
    secretary senator representative congressman congresswoman governor general admiral
    minister chancellor premier mayor judge justice ambassador chairman chairwoman chair
    director commissioner spokesman spokeswoman spokesperson chief leader candidate
    nominee prime deputy assistant attorney state defense defence foreign interior us u.s.
    british american russian french german chinese former acting pope king queen prince
    princess officer sheriff professor commander lieutenant colonel sergeant captain major
    speaker pastor father bishop cardinal sheikh ayatollah emir whip businessman businesswoman
    ecologist scientist researcher economist analyst actor actress singer coach striker
    ceo executive founder co-founder spokesperson epidemiologist
    """.split()
)
"""Words that precede a name but are not part of it ("Defense Secretary Jim Mattis")."""

ROLE_NOUNS = frozenset(
    """
    secretary head spokesman spokeswoman spokesperson president minister senator candidate
    governor chief director leader nominee chairman chairwoman chair official aide adviser
    advisor ambassador mayor congressman congresswoman representative general admiral
    commander judge justice lawmaker billionaire businessman businesswoman mogul star
    diplomat premier chancellor prosecutor lawyer attorney manager strategist founder
    ceo executive former frontrunner front-runner contender incumbent democrat republican
    """.split()
)
"""Heads of noun phrases ("the defense secretary") that refer back to a named person."""

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "i", "we", "they", "who"})
SINGULAR_PRONOUNS = frozenset({"he", "she", "him", "her"})
