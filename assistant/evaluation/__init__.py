"""Evaluation: question sets and metrics, the gate, the report."""
