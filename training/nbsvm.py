"""NBSVM (Wang & Manning, 2012): one-vs-rest linear SVMs on features scaled by naive-Bayes log-count ratios.

For label c, r_c = log((α + Σ_{y=c} x / ‖·‖₁) / (α + Σ_{y≠c} x / ‖·‖₁)); an SVM is fitted on x ∘ r_c and its
weights folded back (w'_c = r_c ∘ w_c), so the fitted model is a plain linear scorer X·Wᵀ + b.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.svm import LinearSVC


class NBSVMClassifier(ClassifierMixin, BaseEstimator):
    def __init__(self, alpha: float = 0.1, C: float = 0.5, class_weight: str | None = "balanced",
                 random_state: int = 0):
        self.alpha = alpha
        self.C = C
        self.class_weight = class_weight
        self.random_state = random_state

    def fit(self, X: sp.csr_matrix, y: np.ndarray, sample_weight: np.ndarray | None = None) -> NBSVMClassifier:
        y = np.asarray(y)
        weights = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.classes_ = np.unique(y)
        totals = np.asarray(X.T @ weights).ravel()
        coefs, intercepts = [], []
        for label in self.classes_:
            inside = y == label
            positive = np.asarray(X[inside].T @ weights[inside]).ravel()
            p = self.alpha + positive
            q = self.alpha + (totals - positive)
            ratio = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
            svm = LinearSVC(C=self.C, class_weight=self.class_weight, random_state=self.random_state)
            svm.fit(X @ sp.diags(ratio), inside, sample_weight=sample_weight)
            coefs.append(svm.coef_[0] * ratio)
            intercepts.append(svm.intercept_[0])
        self.coef_ = np.vstack(coefs)
        self.intercept_ = np.array(intercepts)
        return self

    def decision_function(self, X: sp.csr_matrix) -> np.ndarray:
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict(self, X: sp.csr_matrix) -> np.ndarray:
        return self.classes_[self.decision_function(X).argmax(axis=1)]
