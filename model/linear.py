"""A linear scorer with a calibration layer: decision scores X·Wᵀ + b → probabilities.

The calibration is an affine map of the scores before the softmax, fitted on out-of-fold decision scores
(training uses temperature scaling: a scaled identity), so the probabilities mean what they say.
Everything is stored as arrays.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    return shifted / shifted.sum(axis=1, keepdims=True)


class CalibratedLinear:
    """Scores from a linear model (LinearSVC, LogisticRegression …) turned into calibrated probabilities."""

    def __init__(self, labels: list[str], coef: np.ndarray, intercept: np.ndarray,
                 calibration_coef: np.ndarray, calibration_intercept: np.ndarray):
        if coef.shape[0] != len(labels) or calibration_coef.shape != (len(labels), len(labels)):
            raise ValueError("coefficient shapes do not match the number of labels")
        self.labels = list(labels)
        self.coef = np.ascontiguousarray(coef, dtype=np.float32)
        # features × labels in row-major order: scipy multiplies a sparse matrix by a C-ordered dense one in place,
        # but copies (ravels) any other layout first — 7 MB for the category model, on every call.
        self._coef_t = np.ascontiguousarray(self.coef.T)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.calibration_coef = np.asarray(calibration_coef, dtype=np.float32)
        self.calibration_intercept = np.asarray(calibration_intercept, dtype=np.float32)

    def decision_function(self, features: sp.csr_matrix) -> np.ndarray:
        return np.asarray(features @ self._coef_t) + self.intercept

    def calibrate(self, scores: np.ndarray) -> np.ndarray:
        return softmax(scores @ self.calibration_coef.T + self.calibration_intercept)

    def predict_proba(self, features: sp.csr_matrix) -> np.ndarray:
        return self.calibrate(self.decision_function(features))

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        arrays = {
            "coef": self.coef.astype(np.float16),  # halves the file; scores move by < 1e-3
            "intercept": self.intercept,
            "calibration_coef": self.calibration_coef,
            "calibration_intercept": self.calibration_intercept,
        }
        return {"labels": self.labels}, arrays

    @classmethod
    def from_state(cls, config: dict, arrays: dict[str, np.ndarray]) -> CalibratedLinear:
        return cls(config["labels"], arrays["coef"], arrays["intercept"], arrays["calibration_coef"],
                   arrays["calibration_intercept"])
