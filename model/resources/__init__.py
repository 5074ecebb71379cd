"""Data files shipped with the library: domain dictionary, taxonomy config, default model directory."""
