"""The type of the Django test client's responses, named once for the tests' annotations
(not Test…: pytest would take it for a class of tests).

django-stubs calls it ``_MonkeyPatchedWSGIResponse`` (a response with the test client's
``json()``, ``context``, ``templates``…) and it exists only for type checkers; at run time
the name stands for Django's base response, which every test response is.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as ClientResponse
else:
    from django.http.response import HttpResponseBase as ClientResponse

__all__ = ["ClientResponse"]
