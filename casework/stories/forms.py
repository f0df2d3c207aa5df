from ..forms import FlaskForm


class StoryForm(FlaskForm):
    """Mark or unmark a story: a button, with nothing to type but the CSRF token."""

    OUT_OF_DATE = "The form was out of date: open the case again and retry."
