"""The pages of 抚恤补助: the batches and their figures (``batches``), and the people's side (``people``)."""
