from comptoir.tickets.tests.conftest import (  # noqa: F401  (shared desk fixtures)
    T0,
    agent,
    buyer,
    desk,
    make_agent,
    make_order,
    other_buyer,
    receive,
    supervisor,
)
