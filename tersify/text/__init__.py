"""Text: segmentation into words and lines, the shared word lists, and the line walk."""
