"""experiments/recalibrate_bn.py: BatchNorm statistics re-estimated from inputs, every weight kept."""
from __future__ import annotations

import torch

from experiments import recalibrate_bn as recal
from fundus_app.model.checkpoint import Checkpoint
from fundus_app.model.unet import AttentionUNet, UNetConfig
from fundus_app.preprocess import PreprocessConfig


def test_recalibrated_statistics_are_those_of_the_inputs() -> None:
    torch.manual_seed(0)
    config = UNetConfig(base_channels=4, depth=2)
    model = AttentionUNet(config)
    for m in model.modules():  # statistics of some other data
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.fill_(3.0)
            m.running_var.fill_(0.01)
    ckpt = Checkpoint(model_config=config, preprocess=PreprocessConfig(), state_dict=model.state_dict())
    x = torch.randn(1, 1, 256, 256)
    stale = ckpt.build_model().eval()(x)
    with torch.no_grad():
        batch_stats = ckpt.build_model().train()(x)  # normalised by x's own statistics
    new = recal.recalibrated(ckpt, [x])
    fresh = new.build_model().eval()(x)
    # x's statistics now stored (stored variances are unbiased, a batch's biased: 0.02 % apart at 64x64)...
    assert (fresh - batch_stats).abs().mean() < 1e-3
    assert (stale - batch_stats).abs().mean() > 0.1  # ...where others were
    for key, value in ckpt.state_dict.items():  # weights untouched
        if "running" not in key and "num_batches" not in key:
            assert torch.equal(new.state_dict[key], value), key
