"""Shared fixtures for the whole suite."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="casey", password="a-long-test-password")


@pytest.fixture
def logged_in_client(client, user):
    client.force_login(user)
    return client
