"""GPU support that can be checked without a GPU: loading CUDA 12 libraries from pip wheels,
the error when CUDA is asked for and cannot be used, device-sized batches, and outputs that do
not depend on how segments were batched."""

import pytest

from builder.cli import main
from builder.config import BuildConfig, TranslateConfig
from builder.errors import ModelError
from builder.mt import cuda
from builder.mt.batch_limits import (
    CPU_MAX_SIZE,
    CPU_MAX_TOKENS,
    GPU_MAX_SIZE,
    GPU_MIN_SIZE,
    ModelShape,
    device_limits,
    resolve_batch_limits,
)
from builder.mt.models import resolve_models
from builder.mt.translator import Runtime, make_translator, resolve_runtime
from tests.helpers import write_mt_config

BASE = ModelShape(d_model=512, encoder_layers=6, decoder_layers=6, ffn_dim=2048, vocab_size=58101)
GIB = 2**30


def _fake_wheels(root, libs):
    """An `nvidia/<pkg>/lib/<name>` tree like NVIDIA's wheels install (namespace packages)."""
    for package, names in libs:
        lib = root.joinpath(*package.split("."), "lib")
        lib.mkdir(parents=True)
        for name in names:
            (lib / name).write_bytes(b"")


def test_preload_loads_wheel_libraries_in_order(tmp_path, monkeypatch):
    _fake_wheels(tmp_path, [("nvidia.cublas", ["libcublasLt.so.12", "libcublas.so.12"])])
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cuda, "_loaded", {})
    calls = []
    loaded = cuda.preload_cuda12(loader=calls.append)
    assert [p.rsplit("/", 1)[1] for p in calls] == ["libcublasLt.so.12", "libcublas.so.12"]
    assert all(p.startswith(str(tmp_path)) for p in calls)
    # the runtime wheel is not installed here: skipped, not an error
    assert set(loaded) == {"libcublasLt.so.12", "libcublas.so.12"}
    assert cuda.loadable("libcublas.so.12", loader=lambda name: (_ for _ in ()).throw(OSError()))
    # loaded once: a second call loads nothing again
    assert cuda.preload_cuda12(loader=calls.append) == loaded and len(calls) == 2


def test_preload_skips_a_library_that_fails_to_load(tmp_path, monkeypatch):
    _fake_wheels(tmp_path, [("nvidia.cublas", ["libcublasLt.so.12", "libcublas.so.12"])])
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cuda, "_loaded", {})

    def loader(path):
        if path.endswith("libcublasLt.so.12"):
            raise OSError("wrong ELF class")

    assert set(cuda.preload_cuda12(loader=loader)) == {"libcublas.so.12"}


def _refuse(name):
    raise OSError(f"{name}: cannot open shared object file")


@pytest.mark.parametrize("gpus, needle", [(0, "sees no NVIDIA GPU"),
                                          (1, "libcublas.so.12")])
def test_cuda_that_cannot_be_used_is_a_model_error(monkeypatch, gpus, needle):
    monkeypatch.setattr(cuda, "_loaded", {})
    with pytest.raises(ModelError, match=needle) as info:
        cuda.require_cuda12(gpus, loader=_refuse)
    if gpus:
        assert "bitext-builder[gpu]" in str(info.value)


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_cli_cuda_without_gpu_exits_4_with_one_line(tmp_path, capsys, tiny_models, backend):
    if backend == "ctranslate2":
        ct2 = pytest.importorskip("ctranslate2")
        if ct2.get_cuda_device_count() > 0:
            pytest.skip("this machine has a GPU")
    else:
        torch = pytest.importorskip("torch")
        if torch.cuda.is_available():
            pytest.skip("this machine has a GPU")
    cfg = write_mt_config(tmp_path / "c.yaml", {"ru": tiny_models["ru"]}, tmp_path / "cache",
                          backend=backend, device="cuda")
    out = tmp_path / "out"
    assert main(["build", str(cfg), "--out", str(out)]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cuda" in err and "GPU" in err
    assert not out.exists()


def test_device_limits_grow_with_memory_within_bounds():
    sizes = [device_limits(gib * GIB, BASE, "float16", 1, 256) for gib in (2, 8, 16, 80)]
    assert [s for _, s in sizes] == sorted(s for _, s in sizes)
    for tokens, size in sizes:
        assert GPU_MIN_SIZE <= size <= GPU_MAX_SIZE and size & (size - 1) == 0
        assert tokens == size * 128
    assert sizes[-1][1] == GPU_MAX_SIZE  # an 80 GB card is not held to the CPU's 64
    assert sizes[0][1] < GPU_MAX_SIZE  # a small card gets smaller batches
    # beams and longer outputs need more memory per segment: never larger batches
    assert device_limits(8 * GIB, BASE, "float16", 4, 256)[1] <= sizes[1][1]
    assert device_limits(8 * GIB, BASE, "float32", 1, 256)[1] <= sizes[1][1]


def test_transformers_batches_leave_room_for_every_steps_scores():
    """transformers keeps each step's float32 scores and copies them twice: on an 80 GB card
    4096 segments of 40 tokens ran out of memory (H100, docs/bench); its batches are sized
    with those copies, CTranslate2's (no such copies) are not."""
    ct2 = device_limits(79 * GIB, BASE, "float16", 1, 40, "ctranslate2")[1]
    hf = device_limits(79 * GIB, BASE, "float16", 1, 40, "transformers")[1]
    assert ct2 == GPU_MAX_SIZE and hf < ct2
    assert 3 * hf * 40 * BASE.vocab_size * 4 < 0.6 * 79 * GIB
    assert device_limits(79 * GIB, BASE, "float16", 1, 256, "transformers")[1] < hf


def test_resolved_limits_cpu_defaults_config_wins_and_gpu_sized(tmp_path):
    (tmp_path / "config.json").write_text('{"d_model": 512, "decoder_layers": 6}')
    auto = TranslateConfig()
    cpu = Runtime("transformers", "cpu", "float32")
    gpu = Runtime("ctranslate2", "cuda", "float16")
    limits = resolve_batch_limits(auto, cpu, tmp_path)
    assert (limits.max_tokens, limits.max_size, limits.basis) == (CPU_MAX_TOKENS, CPU_MAX_SIZE,
                                                                    "cpu default")
    limits = resolve_batch_limits(auto, gpu, tmp_path, total_bytes=80 * GIB)
    assert limits.max_size == GPU_MAX_SIZE and limits.basis == "device: 80 GiB"
    fixed = TranslateConfig(max_batch_tokens=512, max_batch_size=8)
    limits = resolve_batch_limits(fixed, gpu, tmp_path, total_bytes=80 * GIB)
    assert (limits.max_tokens, limits.max_size, limits.basis) == (512, 8, "config")
    half = TranslateConfig(max_batch_size=8)
    limits = resolve_batch_limits(half, gpu, tmp_path, total_bytes=80 * GIB)
    assert limits.max_size == 8 and limits.max_tokens == GPU_MAX_SIZE * 128


TEXTS = [
    "The two Ministers praised the dynamics of cooperation.",
    "Who could disagree?",
    "Moscow, December 5, 2022",
    "A much longer sentence about the talks in Moscow today, and about the weather as well.",
    "Hi there",
    "Sergey Lavrov: Excellent.",
    "We share a complete understanding.",
]


@pytest.mark.parametrize("backend, compute", [("transformers", "float32"),
                                              ("ctranslate2", "float32"),
                                              ("ctranslate2", "int8")])
def test_batch_composition_does_not_change_outputs(tiny_models, tmp_path, backend, compute):
    """Greedy decoding on the CPU is deterministic per segment: the same text and (to the
    4 decimals stored) the same score whichever batch a segment lands in."""
    if backend == "ctranslate2":
        pytest.importorskip("ctranslate2")
    config = BuildConfig(translate=TranslateConfig(
        targets=["ru"], models={"ru": str(tiny_models["ru"])}, max_new_tokens=12,
        backend=backend, compute_type=compute, device="cpu"))
    (spec,) = resolve_models(config)
    tr = make_translator(spec, config.translate, resolve_runtime(config.translate), tmp_path)
    together = tr(TEXTS)
    alone = [tr([t])[0] for t in TEXTS]
    pairs = [h for i in range(0, len(TEXTS), 3) for h in tr(TEXTS[i : i + 3])]
    assert len({h.text for h in together}) > 3  # outputs depend on inputs
    for other in (alone, pairs):
        assert [h.text for h in other] == [h.text for h in together]
        for a, b in zip(other, together, strict=True):
            assert abs(a.score - b.score) <= 2e-4 and a.truncated == b.truncated


def test_manifest_records_the_batches_outside_the_signature(tiny_models, tmp_path):
    import json

    cfg = write_mt_config(tmp_path / "c.yaml", {"ru": tiny_models["ru"]}, tmp_path / "cache")
    out = tmp_path / "ds"
    assert main(["build", str(cfg), "--out", str(out), "-q"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["engine"]["batches"] == {"ru": {"max_batch_tokens": CPU_MAX_TOKENS,
                                                    "max_batch_size": CPU_MAX_SIZE,
                                                    "basis": "cpu default"}}
    assert "cpu default" not in manifest["signature"]
