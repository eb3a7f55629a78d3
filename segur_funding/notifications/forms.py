from django import forms

from .constants import PREFERENCE_OF, NotificationKind


class PreferencesForm(forms.Form):
    """One "recevoir un e-mail" box per kind; the in-app entry cannot be turned off."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            if kind in PREFERENCE_OF:
                continue
            self.fields[kind.value] = forms.BooleanField(label=kind.label, required=False)
