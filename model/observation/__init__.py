"""What a run records: weekly metrics, outcomes, trajectories and surveys."""
