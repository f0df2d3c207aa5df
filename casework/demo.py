"""Demo data: placeholder until the demo locality is written."""


def load_demo(session):
    return []
