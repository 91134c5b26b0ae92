"""Projects: open, rename, duplicate, delete, export and import whole analyses."""

import streamlit as st

st.title("Projects")
