"""The int8 kernel the worker logs follows ONNX Runtime's dispatch order on the CPU's flags."""

from __future__ import annotations

from pipeline.enrich.cpu import cpu_summary, int8_kernel, parse_flags, reported_flags

AVX2 = frozenset("fpu sse2 avx avx2 fma".split())
AVX512 = AVX2 | {"avx512f", "avx512bw", "avx512dq", "avx512vl"}


def test_flags_come_from_the_first_processor_of_cpuinfo():
    text = "processor\t: 0\nflags\t\t: fpu avx2 avx512_vnni\n\nprocessor\t: 1\nflags\t: fpu\n"
    assert parse_flags(text) == {"fpu", "avx2", "avx512_vnni"}
    assert parse_flags("processor\t: 0\n") == frozenset()


def test_vnni_on_avx512_picks_the_vnni_kernel():
    assert int8_kernel(AVX512 | {"avx512_vnni"}) == "AVX-512 VNNI"
    assert int8_kernel(AVX512) == "AVX-512 core (no VNNI)"


def test_avx2_machines_get_avx_vnni_only_with_the_flag():
    assert int8_kernel(AVX2) == "AVX2 (no VNNI)"
    assert int8_kernel(AVX2 | {"avx_vnni"}) == "AVX-VNNI"


def test_amx_beats_vnni_and_unknown_flags_are_said_so():
    assert int8_kernel(AVX512 | {"avx512_vnni", "amx_int8", "amx_tile"}) == "AMX"
    assert int8_kernel(frozenset()).startswith("unknown")
    assert int8_kernel(frozenset({"sse2"})) == "SSE (no AVX2)"


def test_summary_and_logged_flags_name_avx2_avx512_and_vnni():
    flags = AVX512 | {"avx512_vnni"}
    summary = cpu_summary(flags)
    assert "AVX2 yes" in summary and "AVX-512 yes" in summary and "VNNI yes (AVX-512)" in summary
    assert cpu_summary(AVX2).endswith("VNNI no; int8 kernel: AVX2 (no VNNI)")
    assert reported_flags(flags) == ["avx2", "avx512f", "avx512_vnni"]


def test_building_the_int8_encoder_logs_the_kernel_and_flags(monkeypatch, caplog):
    import logging
    from pathlib import Path

    from pipeline.enrich import backends, cpu

    monkeypatch.setattr(backends, "OnnxBackend", lambda *a, **k: object())
    monkeypatch.setattr(backends, "cpu_flags", lambda: AVX512 | {"avx512_vnni"})
    monkeypatch.setattr(cpu, "cpu_flags", lambda: AVX512 | {"avx512_vnni"})
    with caplog.at_level(logging.INFO, logger="pipeline.enrich.backends"):
        backends.build_backend("onnx-int8", Path("model"), threads=1)
    (record,) = [r for r in caplog.records if r.getMessage() == "encoder backend ready"]
    assert record.int8_kernel == "AVX-512 VNNI"
    assert record.cpu_flags == ["avx2", "avx512f", "avx512_vnni"]
