"""What every form of the site shares: the DSFR classes and accessible errors.

Fields are rendered one by one by templates/referencing/_field.html, which links each error to
its field (`aria-describedby="<name>-error"`); the widgets get the DSFR classes here.
"""

from django import forms


class DsfrFormMixin:
    """Adds the DSFR classes; a field in error is marked `aria-invalid` and described by its error."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue  # their DSFR markup is written by the template around each input
            css = "fr-select" if isinstance(widget, forms.Select) else "fr-input"
            if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
                css = "fr-upload"
            widget.attrs.setdefault("class", css)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"{self.add_prefix(name)}-error"


class DsfrForm(DsfrFormMixin, forms.Form):
    pass


class DsfrModelForm(DsfrFormMixin, forms.ModelForm):
    pass
