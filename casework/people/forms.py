from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from ..forms import DateInputField, FlaskForm, MaxLength, not_in_future
from ..rules import (
    ADDRESS,
    NAME,
    NHS_NUMBER_TYPED,
    NO_FAMILY_NAME,
    NO_GIVEN_NAME,
    PHONE,
    POSTCODE,
    PREFERRED_CONTACT,
)


class PersonForm(FlaskForm):
    given_name = StringField(
        "First name", validators=[InputRequired(NO_GIVEN_NAME), MaxLength(NAME)]
    )
    family_name = StringField(
        "Last name", validators=[InputRequired(NO_FAMILY_NAME), MaxLength(NAME)]
    )
    date_of_birth = DateInputField("Date of birth", validators=[Optional(), not_in_future])
    nhs_number = StringField("NHS number (optional)", validators=[MaxLength(NHS_NUMBER_TYPED)])
    phone = StringField("Phone number (optional)", validators=[MaxLength(PHONE)])
    address = TextAreaField("Address (optional)", validators=[MaxLength(ADDRESS)])
    postcode = StringField("Postcode (optional)", validators=[MaxLength(POSTCODE)])
    preferred_contact = TextAreaField(
        "How and when they like to be contacted (optional)",
        validators=[MaxLength(PREFERRED_CONTACT)],
    )
    version = HiddenField()
    confirm_new = BooleanField("None of these is the person: add a new record")


class MergeForm(FlaskForm):
    keep = RadioField("Which record do you want to keep?", coerce=int, validate_choice=False)
    fill_blanks = BooleanField(
        "Where the kept record has a detail blank, take it from the other record", default=True
    )
    version_a = HiddenField()
    version_b = HiddenField()


class UndoMergeForm(FlaskForm):
    pass
