"""Training losses on logits, restricted to the field of view: Dice + focal, optional clDice and distillation."""
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


def _soft_erode(x: torch.Tensor) -> torch.Tensor:
    # minimum over a plus-shaped 3x3 neighbourhood (two 1-D min-pools), as in the clDice paper
    return torch.minimum(-F.max_pool2d(-x, (3, 1), 1, (1, 0)), -F.max_pool2d(-x, (1, 3), 1, (0, 1)))


def _soft_dilate(x: torch.Tensor) -> torch.Tensor:
    return F.max_pool2d(x, 3, 1, 1)


def soft_skeleton(x: torch.Tensor, iterations: int) -> torch.Tensor:
    """Differentiable skeleton of an (N, 1, H, W) map in [0, 1] (Shit et al., CVPR 2021).

    Iterated soft erosion; what each opening removes is added to the skeleton.
    ``iterations`` must reach the widest vessel's radius in pixels.
    """
    eroded = _soft_erode(x)
    skel = F.relu(x - _soft_dilate(eroded))
    for _ in range(iterations):
        x, eroded = eroded, _soft_erode(eroded)  # each erosion serves this step's opening and the next step
        delta = F.relu(x - _soft_dilate(eroded))
        skel = skel + F.relu(delta - skel * delta)
    return skel


def cldice_loss(logits: torch.Tensor, target: torch.Tensor, valid: torch.Tensor, *,
                iterations: int = 5, eps: float = 1.0) -> torch.Tensor:
    """clDice (Shit et al., "clDice - a Novel Topology-Preserving Loss Function for Tubular
    Structure Segmentation", CVPR 2021): 1 - harmonic mean of topology precision (the predicted
    skeleton inside the label) and topology sensitivity (the label's skeleton inside the prediction).

    A missed thin vessel removes a whole stretch of the label's skeleton, so it costs far more
    here than in pixel Dice, where it is a few pixels among thick vessels.
    """
    valid = valid.to(logits.dtype)
    prob = torch.sigmoid(logits) * valid
    target = target.to(logits.dtype) * valid
    skel_pred, skel_true = soft_skeleton(prob, iterations), soft_skeleton(target, iterations)
    precision = ((skel_pred * target).sum() + eps) / (skel_pred.sum() + eps)
    sensitivity = ((skel_true * prob).sum() + eps) / (skel_true.sum() + eps)
    return 1 - 2 * precision * sensitivity / (precision + sensitivity)


def distillation_loss(logits: torch.Tensor, teacher_prob: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of the student's logits against a teacher's probabilities, over ``valid``.

    Soft targets carry what a hard label cannot: how sure a better network is about each thin,
    faint or ambiguous pixel (Hinton et al., "Distilling the Knowledge in a Neural Network", 2015).
    Its minimum is at the teacher's own logits.
    """
    valid = valid.to(logits.dtype)
    bce = F.binary_cross_entropy_with_logits(logits, teacher_prob.to(logits.dtype), reduction="none")
    return (bce * valid).sum() / valid.sum().clamp_min(1.0)
