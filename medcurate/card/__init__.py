"""Dataset cards: a Hugging Face README.md with plots, written into a released version's folder."""
from medcurate.card.write import write_card

__all__ = ["write_card"]
