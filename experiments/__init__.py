"""Experiments beside the product: probes, ablations, candidate recipes and their log (LOG.md).

Nothing in ``fundus_app`` imports this package. Its modules import ``fundus_app`` as any user does
and each other as ``experiments.<module>``; run them from the checkout's root as
``python -m experiments.<module> ...`` (README.md here lists them).
"""
