"""Evaluation: question sets, metrics, the harness that runs them, the gate, the report, and the
``assistant eval`` command."""
