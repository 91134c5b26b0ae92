"""Where sweeps run, shown on the Topics page: this machine, or the configured Dask cluster with
its workers, threads and memory, a connection check, and a clear message when it is unreachable."""

from __future__ import annotations

import streamlit as st

from core import i18n
from core.executor import SCHEDULER_ENV, cluster_info, configured_scheduler, default_jobs
from core.i18n import _, format_int, format_number
from ui import state


@st.cache_data(ttl=30, show_spinner=False)
def _info(address: str):
    # Cached briefly: a connection check costs up to a few seconds, and the page reruns often.
    # (No text to go stale on a language switch: its message is a core.errors.Message, translated when shown.)
    return cluster_info(address)


def cluster_panel() -> None:
    """One line for a local server; an expander with the cluster's resources when one is set."""
    address = configured_scheduler()
    limiter = state.job_registry().cpu
    if not address:
        st.caption(_("Sweeps run on this machine ({cores} cores; at most {limit} cores for CPU-heavy jobs of all "
                     "sessions at once). Set {env} to send them to a Dask cluster.")
                   .format(cores=format_int(default_jobs()), limit=format_int(limiter.capacity), env=SCHEDULER_ENV))
        return
    with st.expander(_("Dask cluster at {address}").format(address=state.md_escape(address)), expanded=False):
        if st.button(_("Check connection"), key="topics_cluster_check"):
            _info.clear()
        with st.spinner(_("Contacting the scheduler…")):
            info = _info(address)
        if not info.ok:
            st.error(state.md_escape(i18n.translate_error(info.message)), icon=":material/cloud_off:")
            return
        c = st.columns(3)
        c[0].metric(_("Workers"), format_int(info.workers))
        c[1].metric(_("Threads"), format_int(info.threads))
        c[2].metric(_("Memory"), _("{size} GiB").format(size=format_number(info.memory_bytes / 2**30, 1)))
        if info.message:
            st.warning(state.md_escape(i18n.translate_error(info.message)))
        st.caption(_("Sweeps are fitted on this cluster: the document-term matrix is sent to each worker once, "
                     "fits stream back as they finish (the sweep table names the worker of each)."))
