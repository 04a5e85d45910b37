"""One module per page, each describing itself with a `PAGE`; `REGISTERED` is the
whole list of the app's pages, in the order they are added."""

from vigie.dashboard.page_registry import Page
from vigie.dashboard.pages import compare, console, faculty, review, server, wall

REGISTERED: tuple[Page, ...] = (
    console.PAGE,
    wall.PAGE,
    server.PAGE,
    faculty.PAGE,
    review.PAGE,
    compare.PAGE,
)
