"""The training loss on logits, restricted to the field of view: soft Dice + focal."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def dice_focal_loss(logits: torch.Tensor, target: torch.Tensor, valid: torch.Tensor, *,
                    dice_weight: float = 1.0, focal_weight: float = 1.0, gamma: float = 2.0,
                    alpha: float = 0.5, eps: float = 1.0) -> torch.Tensor:
    """Soft Dice on sigmoid probabilities + focal loss on logits, both over ``valid`` pixels.

    Focal loss (Lin et al. 2017) uses ``binary_cross_entropy_with_logits`` for
    numerical stability and weights each pixel by ``(1 - p_t) ** gamma``;
    ``alpha`` balances vessel vs background (0.5 = no balancing, scaled by 2
    so gamma=0 reduces to plain BCE).
    """
    valid = valid.to(logits.dtype)
    target = target.to(logits.dtype)
    n_valid = valid.sum().clamp_min(1.0)
    prob = torch.sigmoid(logits)
    bce = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    p_t = prob * target + (1 - prob) * (1 - target)
    alpha_t = 2 * (alpha * target + (1 - alpha) * (1 - target))
    focal = (alpha_t * (1 - p_t) ** gamma * bce * valid).sum() / n_valid
    inter = (prob * target * valid).sum()
    dice = 1 - (2 * inter + eps) / ((prob * valid).sum() + (target * valid).sum() + eps)
    return dice_weight * dice + focal_weight * focal
