"""A gradient-boosted tree ensemble evaluated with numpy (no pickle, no scikit-learn at serving).

The training script exports scikit-learn's HistGradientBoostingClassifier into flat arrays:
every node of every tree, one tree per (iteration, class). Prediction walks all samples
down one tree level at a time, so the cost is depth x trees vectorised operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class TreeEnsemble:
    feature: np.ndarray  # (nodes,) int32
    threshold: np.ndarray  # (nodes,) float64; go left when x <= threshold
    left: np.ndarray  # (nodes,) int32, absolute node index
    right: np.ndarray  # (nodes,) int32
    missing_left: np.ndarray  # (nodes,) bool; where NaN goes
    is_leaf: np.ndarray  # (nodes,) bool
    value: np.ndarray  # (nodes,) float64, leaf values
    roots: np.ndarray  # (trees,) int32, root node of each tree
    tree_class: np.ndarray  # (trees,) int32, the class whose raw score a tree adds to
    baseline: np.ndarray  # (classes,)

    def raw_scores(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        out = np.tile(self.baseline, (len(x), 1))
        rows = np.arange(len(x))
        for root, cls in zip(self.roots, self.tree_class, strict=True):
            node = np.full(len(x), root, dtype=np.int64)
            while True:
                active = ~self.is_leaf[node]
                if not active.any():
                    break
                n = node[active]
                v = x[rows[active], self.feature[n]]
                go_left = np.where(np.isnan(v), self.missing_left[n], v <= self.threshold[n])
                node[active] = np.where(go_left, self.left[n], self.right[n])
            out[:, cls] += self.value[node]
        return out

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        raw = self.raw_scores(x)
        raw -= raw.max(axis=1, keepdims=True)
        exp = np.exp(raw)
        return exp / exp.sum(axis=1, keepdims=True)

    def to_arrays(self, prefix: str = "tree_") -> dict[str, np.ndarray]:
        return {prefix + k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str = "tree_") -> TreeEnsemble:
        return cls(**{k: arrays[prefix + k] for k in cls.__dataclass_fields__})

    @classmethod
    def from_sklearn(cls, model: Any) -> TreeEnsemble:
        """Export a fitted multi-class HistGradientBoostingClassifier (numeric features only)."""
        parts: dict[str, list] = {
            k: []
            for k in ("feature", "threshold", "left", "right", "missing_left", "is_leaf", "value")
        }
        roots, classes, offset = [], [], 0
        for iteration in model._predictors:
            for cls_index, predictor in enumerate(iteration):
                nodes = predictor.nodes
                if nodes["is_categorical"].any():
                    raise ValueError("categorical splits are not supported")
                roots.append(offset)
                classes.append(cls_index)
                parts["feature"].append(nodes["feature_idx"].astype(np.int32))
                parts["threshold"].append(nodes["num_threshold"].astype(np.float64))
                parts["left"].append(nodes["left"].astype(np.int32) + offset)
                parts["right"].append(nodes["right"].astype(np.int32) + offset)
                parts["missing_left"].append(nodes["missing_go_to_left"].astype(bool))
                parts["is_leaf"].append(nodes["is_leaf"].astype(bool))
                parts["value"].append(nodes["value"].astype(np.float64))
                offset += len(nodes)
        return cls(
            **{k: np.concatenate(v) for k, v in parts.items()},
            roots=np.array(roots, dtype=np.int32),
            tree_class=np.array(classes, dtype=np.int32),
            baseline=np.asarray(model._baseline_prediction, dtype=np.float64).ravel(),
        )
