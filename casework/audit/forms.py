"""The audit trail's filters, as the administrator types them."""

from wtforms import SelectField, StringField

from ..forms import DateInputField, FlaskForm, MaxLength


class AuditFilterForm(FlaskForm):
    """What the administrator looks for in the audit trail. Read from the address (GET): a
    search can be bookmarked and shared, and changes nothing, so no CSRF token."""

    class Meta:
        csrf = False

    user = SelectField("User", validate_choice=False)
    person = StringField(
        "Person (their record's id or NHS number)",
        validators=[MaxLength(20, "A record's id or NHS number")],
    )
    action = SelectField("What they did", validate_choice=False)
    entity = SelectField("Kind of record", validate_choice=False)
    start = DateInputField("From")
    end = DateInputField("To")
    address = StringField(
        "Network address (or its start)",
        validators=[MaxLength(64, "The network address")],
    )
