from datetime import UTC, datetime

import pytest

from segur_funding.core import clock


def test_today_is_the_paris_date_not_the_utc_one():
    # 23:30 UTC on 14 July 2022 is already 15 July in Paris (UTC+2 in summer).
    with clock.travel_to(datetime(2022, 7, 14, 21, 30, tzinfo=UTC)):
        assert clock.today().isoformat() == "2022-07-14"
    with clock.travel_to(datetime(2022, 7, 14, 22, 30, tzinfo=UTC)):
        assert clock.today().isoformat() == "2022-07-15"


def test_travel_ends_with_the_block_and_needs_an_aware_moment():
    moment = datetime(2022, 1, 1, tzinfo=UTC)
    with clock.travel_to(moment):
        assert clock.now() == moment
    assert clock.now() > moment
    with pytest.raises(ValueError), clock.travel_to(datetime(2022, 1, 1)):
        pass
