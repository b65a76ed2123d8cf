"""client-go's flowcontrol token bucket: how many requests a client sends per second.

A rest.Config's QPS and Burst become one token bucket per client (rest.RESTClientFor); every
request but a watch waits for a token before it is sent (Request.tryThrottle), so a burst of
requests from many goroutines leaves at `burst` at once, then `qps` a second.
"""
from __future__ import annotations

import threading
import time

from reference_impl.mirrors import mirrors

# rest.DefaultQPS and rest.DefaultBurst: what a rest.Config that leaves QPS or Burst at 0 gets.
DEFAULT_QPS = 5.0
DEFAULT_BURST = 10


class TokenBucketRateLimiter:
    """`burst` tokens at first, one more every 1/`qps` seconds up to `burst`. As x/time/rate's
    Limiter.Wait, a waiter reserves its token at once (the bucket may go below zero) and sleeps
    until it is due, so waiters are served in the order they came."""

    @mirrors("k8s.io/client-go/util/flowcontrol.NewTokenBucketRateLimiter")
    def __init__(self, qps: float, burst: int, clock=time.monotonic, sleep=time.sleep):
        self.qps, self.burst = qps, burst
        self._clock, self._sleep = clock, sleep
        self._tokens, self._last = float(burst), clock()
        self._lock = threading.Lock()

    @mirrors("(*k8s.io/client-go/util/flowcontrol.tokenBucketRateLimiter).Wait")
    def wait(self) -> None:
        """Take a token, waiting until there is one."""
        with self._lock:
            self._tokens = self._refilled() - 1
            delay = -self._tokens / self.qps
        if delay > 0:
            self._sleep(delay)

    @mirrors("(*k8s.io/client-go/util/flowcontrol.tokenBucketPassiveRateLimiter).TryAccept")
    def try_accept(self) -> bool:
        """Take a token if there is one, never waiting (x/time/rate's Limiter.Allow), as
        flowcontrol.NewTokenBucketPassiveRateLimiter's limiter does."""
        with self._lock:
            self._tokens = self._refilled()
            if self._tokens < 1:
                return False
            self._tokens -= 1
            return True

    def _refilled(self) -> float:
        """The tokens now: those left, and one more each 1/qps seconds since, up to burst."""
        now = self._clock()
        tokens = min(self.burst, self._tokens + (now - self._last) * self.qps)
        self._last = now
        return tokens


@mirrors("k8s.io/client-go/rest.RESTClientFor")
def rate_limiter_for(qps: float, burst: int) -> TokenBucketRateLimiter | None:
    """The limiter a rest.Config's QPS and Burst give its client: a 0 is client-go's default, and
    a negative QPS none at all."""
    qps = qps or DEFAULT_QPS
    if qps < 0:
        return None
    return TokenBucketRateLimiter(qps, burst or DEFAULT_BURST)
