"""Machine translation: the stage, model resolution, cache, QA flags, backends and engines."""
