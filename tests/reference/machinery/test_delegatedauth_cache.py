"""The delegating authenticator's TokenReview cache (machinery/delegatedauth.py)."""
from __future__ import annotations

import pytest

from reference_impl.machinery.delegatedauth import TokenReviewAuthenticator
from reference_impl.apiserver.core.auth import AuthenticationFailed


class Reviews:
    """Answers each TokenReview with the next status in `statuses`; counts the asks."""

    def __init__(self, *statuses: dict):
        self.statuses, self.asked = list(statuses), 0

    def __call__(self, body: dict) -> dict:
        self.asked += 1
        return {**body, "status": self.statuses.pop(0)}


def test_a_review_that_failed_with_an_error_is_asked_again():
    """Upstream builds the delegating token cache with cacheErrs false: a status.error is not
    remembered, so the next request asks the apiserver again."""
    reviews = Reviews({"authenticated": False, "error": "webhook unavailable"},
                      {"authenticated": True, "user": {"username": "ops"}})
    authenticator = TokenReviewAuthenticator(reviews, lambda: 0.0, ttl=10.0)
    with pytest.raises(AuthenticationFailed, match="webhook unavailable"):
        authenticator.authenticate_token("t")
    assert authenticator.authenticate_token("t").name == "ops"
    assert reviews.asked == 2


def test_a_verdict_is_remembered_for_the_ttl():
    reviews = Reviews({"authenticated": False}, {"authenticated": True, "user": {"username": "ops"}})
    authenticator = TokenReviewAuthenticator(reviews, lambda: 0.0, ttl=10.0)
    assert authenticator.authenticate_token("t") is None
    assert authenticator.authenticate_token("t") is None
    assert reviews.asked == 1
