"""newsflow's local Prefect server: started on first use, reused by later runs, serving the reports too."""
