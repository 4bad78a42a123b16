"""Comparison service for scripts/bench-predict.sh: the same breast-cancer classifier served the way
the FastAPI serving articles do it (FastAPI + Uvicorn + scikit-learn, pydantic validation).

Run: python3 scripts/predict_fastapi.py PORT   (Debian: python3-fastapi python3-uvicorn python3-sklearn)
"""
import math
import sys
import time
from typing import List

import numpy as np
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel, conlist, validator
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

data = load_breast_cancer()
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(data.data, data.target)
labels = [str(name) for name in data.target_names]
app = FastAPI()


class PredictRequest(BaseModel):
    features: conlist(float, min_items=30, max_items=30)

    @validator("features", each_item=True)
    def finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be finite")
        return value


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/predict")
def predict(request: PredictRequest):
    started = time.perf_counter()
    probabilities = model.predict_proba(np.asarray([request.features]))[0]
    best = int(np.argmax(probabilities))
    return {
        "prediction": best,
        "label": labels[best],
        "confidence": float(probabilities[best]),
        "probabilities": {labels[i]: float(p) for i, p in enumerate(probabilities)},
        "model": "breast-cancer-sklearn",
        "model_version": "sklearn",
        "latency_ms": (time.perf_counter() - started) * 1000,
    }


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
