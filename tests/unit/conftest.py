import pytest

from simfarm.rewriter.rules import RulesRewriter


@pytest.fixture(scope="session")
def rules() -> RulesRewriter:
    """One rewriter per test session: its similarity pass loads the embedding model once."""
    return RulesRewriter()
