"""medcurate: curate medical text into versioned Arrow datasets for training and evaluating LLMs."""
__version__ = "0.1.0"
