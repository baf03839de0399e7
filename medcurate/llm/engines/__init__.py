"""LLM engines: embedded llama.cpp, any OpenAI-compatible server, vLLM offline. Pick one with `make_engine`."""
