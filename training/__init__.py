"""Building and measuring hotline models: data loading, fitting, evaluation."""
