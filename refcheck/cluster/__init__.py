"""Running refcheck on a cluster engine instead of this machine's processes.

Only Ray for now (:mod:`refcheck.cluster.ray_executor`): extraction as tasks over
batches of files, and the link checks as one asynchronous checker actor per shard
of registrable domains. Nothing here is imported unless a run asks for it
(``--executor ray``); Ray itself is an optional dependency (``pip install 'ray>=2'``).
docs/scaling.md says why Ray and not Dask, measured.
"""
