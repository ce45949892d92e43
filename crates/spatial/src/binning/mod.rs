//! Binning scattered points into grids, histograms, binned statistics and scatter-add.
