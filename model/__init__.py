"""hotline's inference library: load a model directory and classify tickets. Knows nothing of training or serving."""

from model.classifier import DEFAULT_MODEL_DIR, LabelModel, TicketClassifier
from model.results import Classification, LabelScore, Ticket, UnitScore
from model.routing import Router, Taxonomy
from model.text import mask_pii, normalise, prepare

__all__ = [
    "DEFAULT_MODEL_DIR", "Classification", "LabelModel", "LabelScore", "Router", "Taxonomy", "Ticket",
    "TicketClassifier", "UnitScore", "mask_pii", "normalise", "prepare",
]
