"""Runtime of the generated layer: calls, batches, the transaction path, signers, watching."""
