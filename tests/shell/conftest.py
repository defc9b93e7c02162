import pytest


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create_user("dara", password="Correct-Horse-42")
