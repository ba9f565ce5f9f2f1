from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_balances_anonymous_redirects_to_login(client):
    response = client.get(reverse("balances"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
