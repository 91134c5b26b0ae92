"""Where sweeps run, shown on the Topics page: this machine, or the configured Dask cluster with
its workers, threads and memory, a connection check, and a clear message when it is unreachable."""

from __future__ import annotations

import streamlit as st

from core.executor import SCHEDULER_ENV, cluster_info, configured_scheduler, default_jobs
from ui import state


@st.cache_data(ttl=30, show_spinner=False)
def _info(address: str):
    # Cached briefly: a connection check costs up to a few seconds, and the page reruns often.
    return cluster_info(address)


def cluster_panel() -> None:
    """One line for a local server; an expander with the cluster's resources when one is set."""
    address = configured_scheduler()
    limiter = state.job_registry().cpu
    if not address:
        st.caption(f"Sweeps run on this machine ({default_jobs()} cores; at most {limiter.capacity} cores for "
                   f"CPU-heavy jobs of all sessions at once). Set {SCHEDULER_ENV} to send them to a Dask cluster.")
        return
    with st.expander(f"Dask cluster at {state.md_escape(address)}", expanded=False):
        if st.button("Check connection", key="topics_cluster_check"):
            _info.clear()
        with st.spinner("Contacting the scheduler…"):
            info = _info(address)
        if not info.ok:
            st.error(state.md_escape(info.message), icon=":material/cloud_off:")
            return
        c = st.columns(3)
        c[0].metric("Workers", info.workers)
        c[1].metric("Threads", info.threads)
        c[2].metric("Memory", f"{info.memory_bytes / 2**30:.1f} GiB")
        if info.message:
            st.warning(state.md_escape(info.message))
        st.caption("Sweeps are fitted on this cluster: the document-term matrix is sent to each worker once, "
                   "fits stream back as they finish (the sweep table names the worker of each).")
