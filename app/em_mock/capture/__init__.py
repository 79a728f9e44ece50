"""``em-mock capture``: the client side that reads a live Enterprise Manager into a fixture
(transport, politeness, resuming, progress, the recorded answers' walk, anonymizing). The
families' view of the server is :class:`em_mock.core.capture.Walk`."""
