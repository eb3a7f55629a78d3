import pytest


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploaded invoices and generated PDFs go to a temporary folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def scenario(reference_data):
    from tests.funding.factories import Scenario

    return Scenario()


@pytest.fixture
def asp(db):
    from tests.funding.factories import asp_user

    return asp_user()
