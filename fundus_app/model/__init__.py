"""Network, checkpoints and inference. The only core package (with train/) that imports torch."""
