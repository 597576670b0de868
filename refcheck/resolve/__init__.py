"""Link resolution (liveness, archive, cache, politeness): the next stage of the pipeline."""
