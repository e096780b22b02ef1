"""Computational checks of the claims made in defence of AdaBelief."""
