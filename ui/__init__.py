"""Streamlit-side glue: caching and session state (ui.state)."""
