"""Keep PyTorch out of a serving process that does not need it (issue 8: worker memory).

With the ONNX backends and a warm export cache, nothing a worker runs calls PyTorch, yet
importing spaCy imports it: `thinc.compat` does `try: import torch` at import time, only
to offer PyTorch layers that `en_core_web_sm` does not use. That import alone is about
1 GB resident and 2 s of start-up. A `None` in `sys.modules` makes `import torch` raise
ImportError, which thinc already handles as "PyTorch not installed"; spaCy's CPU pipeline
is the same code either way (its parses are pinned in tests/unit/enrich/test_torch_guard.py).

The block lasts only while the models load (`backends.torch_kept_out`), which is when thinc asks,
once per process; afterwards `import torch` works again for whatever needs it (the ONNX
export after a cache loss, the torch backend, training), and only then costs the memory.
"""

from __future__ import annotations

import sys


def block_torch() -> bool:
    """Make `import torch` fail in this process; False if it is already imported (or blocked)."""
    if "torch" in sys.modules:
        return False
    sys.modules["torch"] = None  # type: ignore[assignment]
    return True


def allow_torch() -> None:
    """Undo `block_torch` (a no-op when nothing was blocked)."""
    if "torch" in sys.modules and sys.modules["torch"] is None:
        del sys.modules["torch"]
