"""tersify: extractive compression of AI-agent tool outputs.

``compress(text)`` drops filler words and keeps every must-keep span (numbers, paths,
flags, error names, negations, ...), lines, order and indentation. Importing the package
does not import torch.
"""

# compress first: numpy then loads before the regions' patterns, which makes `import tersify` ~40 ms faster.
from tersify.compress import CompressResult, CompressStats, compress  # noqa: I001
from tersify.compaction import expand
from tersify.errors import TersifyError
from tersify.mustkeep import CATEGORIES, MustKeep

__version__ = "0.1.0"

__all__ = ["CATEGORIES", "CompressResult", "CompressStats", "MustKeep", "TersifyError", "compress", "expand", "__version__"]
