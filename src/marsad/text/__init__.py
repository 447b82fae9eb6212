"""Text primitives: Arabic normalisation for matching, sentence and paragraph segmentation."""
