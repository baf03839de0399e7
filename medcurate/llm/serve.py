"""Serve an embedded model over the OpenAI API on 127.0.0.1, so several processes share one loaded model:

    python -m medcurate.llm.serve [--model smollm2] [--port 8080] [--parallel 4] [--context-length 2048]

then point the http engine at it (`{"engine": "http", "base_url": "http://127.0.0.1:8080"}`). Prints the
address on stdout once the model is loaded, and serves until killed.
"""
import argparse
import threading

from medcurate.llm.engines.embedded import DEFAULT_MODEL, EmbeddedEngine


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, help="packaged model name or path to a .gguf file")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--parallel", type=int, default=4, help="requests decoded together")
    parser.add_argument("--context-length", type=int, default=2048, help="tokens per request")
    args = parser.parse_args(argv)
    engine = EmbeddedEngine(args.model, args.context_length, args.parallel, port=args.port)
    print(engine.address, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        engine.close()


if __name__ == "__main__":
    main()
