"""Topic models: engines, k-selection metrics, sweeps, pyLDAvis embedding, exploration and reports."""
