from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PersonModelBackend(ModelBackend):
    """ModelBackend that loads the user's directory person in the same query: every page
    shows the person's name (in the reader's language) in its user menu."""

    def get_user(self, user_id):
        model = get_user_model()
        user = model._default_manager.select_related("person").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
