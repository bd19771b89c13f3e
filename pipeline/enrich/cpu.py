"""Which SIMD extensions the CPU has, and which int8 matrix kernel ONNX Runtime runs on it.

The int8 encoder is only worth its quantisation where the CPU multiplies bytes fast: on an
AVX2-only EPYC it ran at fp32 speed, on a VNNI machine 2.5x (docs/benchmarks.md). ONNX
Runtime does not say which kernel it picked, so we read the CPU's flags and apply the order
in which its MLAS library dispatches the u8s8 QGEMM of `quantize_dynamic` models (AMX, then
AVX-512 VNNI, AVX-512 core, AVX-VNNI, AVX2; onnxruntime/core/mlas/lib/platform.cpp). The
worker logs the result at start, and benchmark reports carry it beside their numbers.
"""

from __future__ import annotations

import platform
from functools import cache
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")
_AVX512_CORE = ("avx512f", "avx512bw", "avx512dq", "avx512vl")
_REPORTED = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")


def parse_flags(cpuinfo: str) -> frozenset[str]:
    """The `flags` of the first processor in a /proc/cpuinfo text (empty if none)."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


@cache
def cpu_flags() -> frozenset[str]:
    """This machine's CPU flags; empty where there is no /proc/cpuinfo (not Linux)."""
    try:
        return parse_flags(CPUINFO.read_text())
    except OSError:
        return frozenset()


def int8_kernel(flags: frozenset[str]) -> str:
    """The MLAS u8s8 QGEMM kernel ONNX Runtime dispatches to on a CPU with these flags."""
    if "amx_int8" in flags and "amx_tile" in flags:
        return "AMX"
    if all(f in flags for f in _AVX512_CORE):
        return "AVX-512 VNNI" if "avx512_vnni" in flags else "AVX-512 core (no VNNI)"
    if "avx2" in flags:
        return "AVX-VNNI" if "avx_vnni" in flags else "AVX2 (no VNNI)"
    if not flags:
        return "unknown (CPU flags unreadable)"
    return "SSE (no AVX2)"


def cpu_summary(flags: frozenset[str] | None = None) -> str:
    """`x86_64; AVX2 yes, AVX-512 yes, VNNI yes (AVX-512); int8 kernel: AVX-512 VNNI`."""
    flags = cpu_flags() if flags is None else flags
    vnni = [
        name for flag, name in (("avx512_vnni", "AVX-512"), ("avx_vnni", "AVX")) if flag in flags
    ]
    return (
        f"{platform.machine()}; AVX2 {'yes' if 'avx2' in flags else 'no'}, "
        f"AVX-512 {'yes' if 'avx512f' in flags else 'no'}, "
        f"VNNI {'yes (' + ', '.join(vnni) + ')' if vnni else 'no'}; "
        f"int8 kernel: {int8_kernel(flags)}"
    )


def reported_flags(flags: frozenset[str] | None = None) -> list[str]:
    """The flags that decide the int8 kernel, as the worker logs them."""
    flags = cpu_flags() if flags is None else flags
    return [f for f in _REPORTED if f in flags]
