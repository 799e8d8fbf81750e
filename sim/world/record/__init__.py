"""The record: what states did before a date, and what it says about what they will do.

The strongest evidence about a state's next vote is its earlier votes. This module reads the
recorded votes of the General Assembly (``scenarios/data/votes.csv`` and ``roll_calls.csv``; sources
in ``scenarios/data/SOURCES_votes.md``), the endorsements of declarations and the blocks of
consensus (``decisions.csv``), and turns everything recorded *strictly before* a date into each
state's starting dispositions. Nothing on or after the date is read (the same leak guard as
``world.as_of`` for stated positions).

**Ideal points.** An ordered-logit item-response model of the roll calls (the ideal-point model
of Bailey, Strezhnev and Voeten 2017, "Estimating dynamic state preferences from United Nations
voting data", J. Conflict Resolution 61(2), here static and in ``D`` dimensions), fitted by
maximum a posteriori with L-BFGS (SciPy)::

    eta_ij = a_j . theta_i                 state i's ideal point theta_i, vote j's direction a_j
    P(y_ij >= abstain) = sigmoid(eta_ij - c1_j)
    P(y_ij  = yes)     = sigmoid(eta_ij - c2_j),      c2_j = c1_j + exp(g_j) > c1_j

with priors theta ~ N(0, I), a ~ N(0, 2^2 I), c1 ~ N(0, 5^2), g ~ N(0, 2^2). The fit is
deterministic (started from the leading singular vectors of the vote matrix) and its axes are
rotated to the principal axes of theta, the first oriented so that higher means voting with the
Assembly's majority more often.

**Propensities.** For a topic and a date, each state's probability of each option of the next
decision is an empirical-Bayes blend (a Dirichlet posterior mean)::

    p_i = (sum_j w_j onehot(y_ij) + kappa q_i) / (sum_j w_j + kappa)

over the earlier decisions j it took part in, weighted by w_j = topic match (1 for the topic,
``FAMILY_WEIGHT`` for its family, ``OTHER_WEIGHT`` otherwise) x 2^(-age / ``HALF_LIFE`` years);
the prior q_i is the ideal-point model's probability of each option for state i, averaged over the
topic's most recent roll calls (its family's, else all). A state with no record gets no
propensity (the scenario's priors stand). ``kappa``, the half-life and the weights are judgements
checked on the rolling-origin backtest of the record (``plenary validate --record``), not fitted
to any case that is scored.

**Ties.** Co-voting affinity, the share of earlier roll calls on which two states voted alike,
is offered as extra network ties (``world.record_ties``: each state tied to the five that voted
most like it, :func:`covoting_ties`).
"""

from sim.world.record.data import (  # noqa: F401 - the record's public names, from one place
    ABSTAIN,
    CALLS_FILE,
    DECISIONS_FILE,
    NO,
    VOTE_CODES,
    VOTES_FILE,
    YES,
    Decision,
    RollCalls,
    read_decisions,
    read_roll_calls,
    roll_calls_from_rows,
)
from sim.world.record.irt import (  # noqa: F401
    FIT_VERSION,
    PRIOR_SD,
    IdealPoints,
    cache_dir,
    covoting_affinity,
    covoting_ties,
    fit_ideal_points,
    ideal_points,
    record_ideals,
)
from sim.world.record.propensity import (  # noqa: F401
    ACT_PRIOR,
    BLOCK_SHARE,
    FAMILY_WEIGHT,
    FLOOR,
    HALF_LIFE,
    KAPPA,
    LISTS_ALL,
    NEW_FAMILY_WEIGHT,
    NEW_TOPIC_WEIGHT,
    OTHER_WEIGHT,
    PRIOR_ITEMS,
    STAND_ASIDE_SHARE,
    TELLING,
    TOPIC_WEIGHT,
    Propensity,
    decision_propensities,
    latest_votes,
    option_probabilities,
    presence,
    prior_items,
    propensities,
    record_propensities,
    series_key,
    topic_weights,
)
