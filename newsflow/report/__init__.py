"""``newsflow report``: one HTML page of the runs over time, the largest stories and the quarantine."""
