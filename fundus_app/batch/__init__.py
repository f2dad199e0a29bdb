"""Batches of any size: the images of files, folders and manifests, processed on a Dask cluster.

``inputs`` streams the items, ``task`` is the per-image function (the same pipeline and files as
``fundus-app segment``), ``table`` writes the results table, ``cluster`` runs it all through
Dask distributed (a local cluster of worker processes, or an existing scheduler).
"""
