"""client-go's token bucket (flowcontrol.NewTokenBucketRateLimiter, x/time/rate underneath): a
client's requests leave `burst` at once, then `qps` a second, in the order they waited."""
from __future__ import annotations

from reference_impl.client.flowcontrol import DEFAULT_BURST, DEFAULT_QPS, TokenBucketRateLimiter, rate_limiter_for


class SteppedClock:
    """Time that moves only when a waiter sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_burst_goes_at_once_then_one_request_each_1_over_qps_seconds():
    """QPS 20, burst 30 (kube-controller-manager's): 30 requests wait for nothing, each of the
    next 30 for 1/20 s, so the 60th leaves at 1.5 s."""
    clock = SteppedClock()
    limiter = TokenBucketRateLimiter(20, 30, clock=clock, sleep=clock.sleep)
    for _ in range(60):
        limiter.wait()
    assert len(clock.slept) == 30
    assert all(abs(seconds - 0.05) < 1e-9 for seconds in clock.slept)
    assert abs(clock.now - 1.5) < 1e-9


def test_waiters_reserve_their_token_at_once():
    """Two waiters that find the bucket empty at the same moment: the first waits 1/qps, the
    second 2/qps (each took its token before sleeping, as rate.Limiter's reservations)."""
    clock = SteppedClock()
    limiter = TokenBucketRateLimiter(10, 1, clock=clock, sleep=lambda seconds: clock.slept.append(seconds))
    for _ in range(3):
        limiter.wait()
    assert [round(seconds, 9) for seconds in clock.slept] == [0.1, 0.2]


def test_tokens_come_back_up_to_the_burst():
    clock = SteppedClock()
    limiter = TokenBucketRateLimiter(10, 2, clock=clock, sleep=clock.sleep)
    limiter.wait()
    limiter.wait()
    clock.now += 60.0  # idle a minute: two tokens, not six hundred
    for _ in range(3):
        limiter.wait()
    assert [round(seconds, 9) for seconds in clock.slept] == [0.1]


def test_a_config_s_zero_qps_and_burst_are_client_go_s_defaults_and_a_negative_qps_no_limit():
    """rest.RESTClientFor: QPS 0 is DefaultQPS (5), Burst 0 DefaultBurst (10); a QPS below 0
    builds no rate limiter."""
    limiter = rate_limiter_for(0, 0)
    assert (limiter.qps, limiter.burst) == (DEFAULT_QPS, DEFAULT_BURST) == (5.0, 10)
    assert rate_limiter_for(-1, 30) is None


def test_try_accept_takes_a_token_only_when_there_is_one_and_never_waits():
    """tokenBucketPassiveRateLimiter.TryAccept (the event spam filter's): `burst` accepted at
    once, then refused without waiting, until 1/qps seconds bring a token back."""
    clock = SteppedClock()
    limiter = TokenBucketRateLimiter(0.5, 3, clock=clock, sleep=clock.sleep)
    assert [limiter.try_accept() for _ in range(4)] == [True, True, True, False]
    clock.now += 1.9
    assert not limiter.try_accept()
    clock.now += 0.1
    assert [limiter.try_accept(), limiter.try_accept()] == [True, False]
    assert clock.slept == []
