"""Behaviour of the actors: state agents, non-state stakeholders and sponsors' strategies."""
