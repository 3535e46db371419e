"""The training side of tersify (the ``[train]`` extra), apart from the inference core.

``pip install tersify`` users never import this package; the ``tersify data``, ``tersify
train`` and ``tersify experiment`` subcommands import it lazily. By concern:

* :mod:`tersify_train.sources`: pair records and files, the data sources (domain
  generators, loghub windows, Q&A pairs, real outputs, proxy logs) and the eval sets;
* :mod:`tersify_train.labels`: the teacher's references, label alignment and correction;
* :mod:`tersify_train.network`: the torch model and its ONNX export (imports torch);
* :mod:`tersify_train.train`: the training config, data recipe and the trainer;
* :mod:`tersify_train.eval`: metrics, scorer evaluation, reports and progress;
* :mod:`tersify_train.ladder`: the seed's silver-label ladder, its table, promotion.
"""
