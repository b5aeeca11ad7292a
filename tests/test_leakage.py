"""Licence premium and smuggling past export controls (docs/model.md 7.30)."""

from __future__ import annotations

import numpy as np
import pytest

from marketsim.market.leakage import licence_premium, smuggle
from marketsim.scenario.dynamics import LeakageParams

# One good, two regions: 0 exports to 1 under a quota.
DELIVERED = np.array([[[10.0, 13.0], [12.0, 10.0]]])


def test_no_premium_and_no_smuggling_while_nothing_is_refused():
    flows = np.array([[[0.0, 50.0], [0.0, 0.0]]])
    refused = np.zeros_like(flows)
    regional = np.array([[10.0, 13.0]])
    assert licence_premium(flows, refused, DELIVERED, regional).sum() == 0.0
    assert smuggle(refused, DELIVERED, regional, np.array([[100.0, 0.0]]), LeakageParams()).sum() == 0.0


def test_a_binding_quota_prices_its_licences_at_the_importers_gap():
    flows = np.array([[[0.0, 50.0], [0.0, 0.0]]])
    refused = np.array([[[0.0, 50.0], [0.0, 0.0]]])
    regional = np.array([[10.0, 33.0]])  # importers bid 20 over the legal delivered cost
    premium = licence_premium(flows, refused, DELIVERED, regional)
    assert premium[0, 0] == pytest.approx(20.0)
    assert premium[0, 1] == 0.0


def test_smuggling_grows_with_the_gap_and_is_bounded_by_stock():
    refused = np.array([[[0.0, 100.0], [0.0, 0.0]]])
    stock = np.array([[1000.0, 0.0]])
    small = smuggle(refused, DELIVERED, np.array([[10.0, 15.0]]), stock, LeakageParams())
    large = smuggle(refused, DELIVERED, np.array([[10.0, 40.0]]), stock, LeakageParams())
    assert 0.0 < small.sum() < large.sum() <= 50.0  # at most max_share of the refused
    scarce = smuggle(refused, DELIVERED, np.array([[10.0, 40.0]]), np.array([[5.0, 0.0]]), LeakageParams())
    assert scarce.sum() == pytest.approx(5.0)
