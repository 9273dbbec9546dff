"""The admin's templates: a name a page uses but was not given is an error, never a silent blank."""

import pytest
from jinja2 import UndefinedError

from service.web.admin_pages import templates


def test_a_name_used_before_it_is_set_fails_the_render_instead_of_reading_as_false():
    # review.html once asked `approver` above the line that set it, and told every reviewer she could not approve.
    page = templates().env.from_string("{% if not approver %}you cannot{% endif %}{% set approver = true %}")
    with pytest.raises(UndefinedError):
        page.render()
