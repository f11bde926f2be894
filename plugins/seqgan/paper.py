"""The paper's discriminator sizes (Yu et al. 2017, appendix), torch-free so the spec module stays cheap."""

PAPER_FILTER_SIZES = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20)
PAPER_NUM_FILTERS = (100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160)
