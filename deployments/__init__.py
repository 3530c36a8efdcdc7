"""Deployment definitions for the nightly scan; importing them starts nothing."""
