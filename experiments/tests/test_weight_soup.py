"""experiments/weight_soup.py: a soup is the element-wise mean of its ingredients' weights and
computes the same network."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from experiments import weight_soup as soup
from fundus_app.model.checkpoint import Checkpoint
from fundus_app.model.unet import AttentionUNet, UNetConfig
from fundus_app.preprocess import PreprocessConfig


def tiny(seed: int, base_channels: int = 4) -> Checkpoint:
    torch.manual_seed(seed)
    config = UNetConfig(base_channels=base_channels, depth=2)
    model = AttentionUNet(config)
    for module in model.modules():  # distinct BatchNorm statistics, which must be averaged too
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-1, 1)
            module.num_batches_tracked.fill_(seed + 1)
    return Checkpoint(model_config=config, preprocess=PreprocessConfig(), state_dict=model.state_dict())


def test_the_soup_averages_float_tensors_and_keeps_the_first_counters() -> None:
    a, b, c = tiny(0), tiny(1), tiny(2)
    averaged = soup.averaged_weights([a, b, c])
    assert averaged.keys() == a.state_dict.keys()
    for key, tensor in averaged.items():
        if tensor.is_floating_point():
            expected = (a.state_dict[key] + b.state_dict[key] + c.state_dict[key]) / 3
            assert torch.allclose(tensor, expected, atol=1e-6), key
        else:
            assert torch.equal(tensor, a.state_dict[key]), key
    model = AttentionUNet(a.model_config)
    model.load_state_dict(averaged)  # a loadable network of the same shape


def test_a_soup_of_one_is_that_model_and_different_networks_are_refused() -> None:
    a = tiny(0)
    assert all(torch.equal(v, a.state_dict[k]) for k, v in soup.averaged_weights([a]).items())
    with pytest.raises(ValueError, match="same network"):
        soup.averaged_weights([a, tiny(1, base_channels=8)])
    packed = soup.with_weights(dataclasses.replace(a, info={"train_config": "{}"}), a.state_dict, ["a.pt"])
    assert packed.info["soup_of"] == '["a.pt"]' and packed.info["train_config"] == "{}"
