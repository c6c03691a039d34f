"""The no-limit hold'em blueprint pipeline: ``python -m selfplay.nolimit_blueprint`` trains (or resumes) an
MCCFR blueprint (:mod:`search.cfr.nl_blueprint`) in a run folder; see :mod:`selfplay.nolimit_blueprint.train`."""
