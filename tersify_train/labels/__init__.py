"""Labels: aligning references into texts (silver labels), label correction, the teacher."""
