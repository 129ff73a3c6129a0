"""User imports: `python -m loaders import KIND FILE` (one module per kind with add_arguments and run)."""
