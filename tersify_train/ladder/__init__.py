"""The seed's silver-label ladder rebuilt rung by rung (``tersify experiment``), by concern:
:mod:`.config` (the ladder config), :mod:`.rungs` (row names and descriptions),
:mod:`.rows` (a row, best-of and the stop rule), :mod:`.data` (training texts from the one
recipe, self-labelling), :mod:`.cache` (fingerprints, cached rows), :mod:`.evaluation`,
:mod:`.training` (one rung; imports torch when it trains), :mod:`.runner` (the ladder),
:mod:`.table` (the version table and plot), :mod:`.promotion`."""
