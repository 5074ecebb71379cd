"""Does the reply answer what the citizen asked? Demand sentences of the message and their word overlap with the
reply (character bigrams, stop-bigrams removed)."""

from __future__ import annotations

import re

import numpy as np

from model.audit_lexicon import BIGRAM_STOP, DEMAND_CUE_RE, HAN, SENT_SPLIT
from model.text import mask_pii, normalise

_NON_HAN = re.compile(rf"[^{HAN}A-Za-z0-9]+")


def bigrams(s: str) -> set[str]:
    """Character bigrams of the Han/alphanumeric runs, minus the stop-bigrams every message and reply share."""
    runs = _NON_HAN.sub("|", s).split("|")
    return {run[i:i + 2] for run in runs for i in range(len(run) - 1)} - BIGRAM_STOP


def extract_demands(content: str, title: str = "") -> list[str]:
    """The sentences that ask for something (请/要求/希望/是否/？…), the title first when it asks too."""
    return _demands(normalise(content), normalise(title))


def _demands(content: str, t: str) -> list[str]:
    """:func:`extract_demands` of a normalised content and title."""
    sents = [x for x in SENT_SPLIT.split(content) if len(x) >= 4]
    dem = [x for x in sents if DEMAND_CUE_RE.search(x)]
    if t and (DEMAND_CUE_RE.search(t) or not dem):
        dem = [t] + dem
    return dem[:12]


UNADDRESSED_BELOW = 0.25  # share of a demand's bigrams the reply must hold for the demand to count as touched


def _asked_part(demand: str) -> str:
    """A demand sentence from the clause of its request cue on (…工地天天晚上施工，请问有没有夜间施工许可 → 请问有没有
    夜间施工许可): the background before it is what the citizen reports, not what they ask, and a reply need not
    repeat it."""
    cue = DEMAND_CUE_RE.search(demand)
    if cue is None:
        return demand
    start = max((demand.rfind(mark, 0, cue.start()) for mark in ",，;；:："), default=-1) + 1  # the cue's clause
    asked = demand[start:]
    return asked if len(asked) >= 4 else demand


def relevance_features(title: str, content: str, reply_text: str) -> tuple[dict[str, float], list[str]]:
    """Overlap features between the message and the normalised reply, and the demands the reply does not touch, each
    from its request cue on (personal data masked)."""
    rb = bigrams(reply_text)
    title, content = normalise(title), normalise(content)
    tb = bigrams(title)
    cb = bigrams(content[:1500])
    demands = _demands(content, title)
    unaddressed = 0
    unanswered = []
    covs = []
    for d in demands:
        db = bigrams(d)
        if not db:
            continue
        cov = len(db & rb) / len(db)
        covs.append(cov)
        unaddressed += cov < UNADDRESSED_BELOW
        asked = _asked_part(d)  # what is shown: the request itself, without the background before it
        ab = bigrams(asked) or db
        if len(ab & rb) / len(ab) < UNADDRESSED_BELOW:
            unanswered.append(mask_pii(asked))
    feats = {
        "rel_title": len(tb & rb) / len(tb) if tb else 0.0,
        "rel_content": len(cb & rb) / len(cb) if cb else 0.0,
        "rel_reply_prec": len(cb & rb) / len(rb) if rb else 0.0,
        "rel_dem_mean": float(np.mean(covs)) if covs else 0.0,
        "rel_dem_min": float(np.min(covs)) if covs else 0.0,
        "rel_unaddr_frac": unaddressed / len(covs) if covs else 0.0,
        "rel_n_dem": min(len(covs), 8) / 4.0,
    }
    return feats, unanswered


REL_FEATURE_NAMES = ("rel_title", "rel_content", "rel_reply_prec", "rel_dem_mean", "rel_dem_min", "rel_unaddr_frac",
                     "rel_n_dem")
