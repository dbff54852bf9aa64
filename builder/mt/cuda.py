"""CUDA for the translation backends: the CUDA 12 libraries CTranslate2 needs, found in pip
wheels and loaded before use, and the device's memory for sizing batches.

CTranslate2's wheels open `libcublas.so.12` (CUDA 12) when a model first runs on the GPU. An
image with CUDA 13 only has no such file; the `[gpu]` extra installs NVIDIA's CUDA 12 wheels
(`nvidia-cublas-cu12`, …) whose `lib/` folders are not on the loader's path. Loading them here
with RTLD_GLOBAL makes CTranslate2's later `dlopen("libcublas.so.12")` find them by soname, with
no environment variable for the user to set.
"""

from __future__ import annotations

import ctypes
import importlib.util
import logging
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from builder.errors import ModelError

log = logging.getLogger(__name__)

GPU_EXTRA = "pip install 'bitext-builder[gpu]'"

# (wheel package, libraries in load order); cuBLAS needs cuBLASLt loaded first
CUDA12_WHEEL_LIBS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("nvidia.cuda_runtime", ("libcudart.so.12",)),
    ("nvidia.cublas", ("libcublasLt.so.12", "libcublas.so.12")),
)
REQUIRED = "libcublas.so.12"

_loaded: dict[str, str] = {}


def wheel_lib_dirs(packages=CUDA12_WHEEL_LIBS) -> dict[str, Path]:
    """The `lib/` folder of each installed NVIDIA wheel, by package name."""
    found = {}
    for package, _ in packages:
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.submodule_search_locations:
            continue
        for location in spec.submodule_search_locations:
            lib = Path(location) / "lib"
            if lib.is_dir():
                found[package] = lib
                break
    return found


def preload_cuda12(loader: Callable[[str], object] | None = None,
                   packages=CUDA12_WHEEL_LIBS) -> dict[str, str]:
    """Load the CUDA 12 libraries the NVIDIA wheels carry (once); returns {library: path}.

    A library that is missing or fails to load is skipped: the check that matters comes
    later, when CUDA is actually asked for (`require_cuda12`)."""
    load = loader or (lambda path: ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL))
    dirs = wheel_lib_dirs(packages)
    for package, names in packages:
        lib = dirs.get(package)
        if lib is None:
            continue
        for name in names:
            path = lib / name
            if name in _loaded or not path.exists():
                continue
            try:
                load(str(path))
            except OSError as err:
                log.debug("could not load %s: %s", path, err)
                continue
            _loaded[name] = str(path)
    return dict(_loaded)


def loadable(name: str, loader: Callable[[str], object] | None = None) -> bool:
    """Whether the dynamic loader can open `name` (already loaded, or on its search path)."""
    if name in _loaded:
        return True
    try:
        (loader or (lambda n: ctypes.CDLL(n, mode=ctypes.RTLD_GLOBAL)))(name)
    except OSError:
        return False
    return True


def require_cuda12(gpu_count: int, loader: Callable[[str], object] | None = None) -> None:
    """Raise a ModelError naming what is missing when CTranslate2 cannot run on the GPU."""
    if gpu_count <= 0:
        raise ModelError(
            "translate.device: cuda asked for, but CTranslate2 sees no NVIDIA GPU (no driver, "
            "libcuda.so.1, or no device visible); use device: cpu or auto"
        )
    if not loadable(REQUIRED, loader):
        raise ModelError(
            f"translate.device: cuda: CTranslate2 needs the CUDA 12 cuBLAS library ({REQUIRED}), "
            f"which this machine lacks (a CUDA 13-only image?): {GPU_EXTRA}"
        )


def total_memory_bytes(device_index: int = 0) -> int | None:
    """The GPU's total memory: from torch when it sees the GPU, else from nvidia-smi.

    Total, not free, memory: it is the same on every run on one device, so the batches (and
    with them the outputs of a deterministic engine) are the same on every run."""
    try:
        import torch  # noqa: PLC0415

        if torch.cuda.is_available():
            return int(torch.cuda.get_device_properties(device_index).total_memory)
    except ImportError:
        pass
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    try:
        out = subprocess.run(
            [smi, "--query-gpu=memory.total", "--format=csv,noheader,nounits", f"-i={device_index}"],
            capture_output=True, text=True, timeout=20, check=True,
        ).stdout.strip().splitlines()
        return int(float(out[0])) * 1024 * 1024 if out else None
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
