"""Plotly figure builders: plain data in, `plotly.graph_objects.Figure` out, one chart per module."""
