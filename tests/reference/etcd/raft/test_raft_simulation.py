"""Deterministic simulation of Raft clusters: thousands of seeded runs with loss, duplication,
reordering, partitions, crashes and restarts, membership changes and compaction, checking the
safety properties after every step and liveness once the network heals (see simulation.py).

RAFT_SIM_SEEDS=50000 runs more seeds than the default 2,000; RAFT_SIM_SEED=n runs seed n alone,
which is how a failure message tells you to reproduce it.
"""
from __future__ import annotations

import os

import pytest
from simulation import Scenario, Simulation, SimulationFailure, run_seed

from reference_impl.etcd.raft.log import RaftLog

SEEDS = int(os.environ.get("RAFT_SIM_SEEDS", "2000"))
ONE_SEED = os.environ.get("RAFT_SIM_SEED")


def test_seeded_runs_keep_election_safety_log_matching_leader_completeness_state_machine_safety_and_liveness():
    """Raft's safety properties (Figure 3) hold after every step of every seeded run, and once
    the network heals and every member is back a leader emerges and a write reaches every voter."""
    seeds = [int(ONE_SEED)] if ONE_SEED else range(SEEDS)
    for seed in seeds:
        run_seed(seed)


def test_a_seed_replays_exactly():
    """Everything random comes from the seed: two runs of one seed take the same steps."""
    def fingerprint(seed: int) -> tuple:
        sim = Simulation(Scenario.from_seed(seed))
        sim.trace = type(sim.trace)(maxlen=None)
        sim.run()
        return list(sim.trace), sim.leaders, sim.applied, sim.now

    assert fingerprint(11) == fingerprint(11)
    assert fingerprint(11) != fingerprint(12)


def test_the_checks_catch_a_vote_granted_to_a_stale_log(monkeypatch):
    """The invariant checks are live: with a bug that grants votes whatever the candidate's log
    (§5.4.1 ignored), some early seed breaks a safety property, and the failure names the seed
    and the command that reruns it."""
    monkeypatch.setattr(RaftLog, "is_up_to_date", lambda self, lasti, term: True)
    with pytest.raises(SimulationFailure) as failure:
        for seed in range(200):
            run_seed(seed)
    message = str(failure.value)
    assert "raft simulation seed=" in message and "RAFT_SIM_SEED=" in message
    assert any(words in message for words in ("leader completeness", "state-machine safety", "log matching"))
