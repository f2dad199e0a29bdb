"""Training: data sampling with augmentation, the hybrid loss, and the training loop."""
