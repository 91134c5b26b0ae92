"""Topics: sweep k in the background, shortlist candidates, then explore the chosen model.

The sweep runs as a background job owned by the project and belongs to the corpus and
preprocessing (data key) it was started on; every finished fit is stored in the project at once,
so a reload, a second tab or a server restart finds it (a sweep cut off by a restart can be
resumed). Exploration views keep the model's topic numbers (0..K-1) and the
user's labels everywhere: pyLDAvis map, cards, documents, heatmaps and every export.
"""

import streamlit as st

from core import i18n
from core.charts.topics_similarity import topic_similarity_heatmap
from core.errors import InputError
from core.i18n import N_, _, format_duration, format_int, ngettext
from core.params import bounds
from core.jobs import JobError
from core.topics import explore, ldavis
from core.topics.engines import ENGINE_LABELS
from core.topics.sweep import SweepConfig, model_key as model_key_of
from core.projects.project import record_error
from ui import state
from ui import topics_views as V
from ui.cluster import cluster_panel

state.begin_page()  # language and autosave (the frame does both too; AppTest reruns pages alone)
st.title(_("Topics"))
corpus, tokens = state.require_corpus()
key = state.data_key()

try:
    bundle = state.topics_dtm(tokens)
except InputError as exc:
    state.show_error(exc)
    st.stop()
st.caption(" · ".join([
    ngettext("{n} non-empty document", "{n} non-empty documents", bundle.n_docs).format(n=format_int(bundle.n_docs)),
    ngettext("{n} term", "{n} terms", bundle.n_terms).format(n=format_int(bundle.n_terms)),
    ngettext("{n} token (tokens by {segmenter})", "{n} tokens (tokens by {segmenter})", bundle.n_tokens)
    .format(n=format_int(bundle.n_tokens), segmenter=tokens.segmenter),
]))
V.Q.short_docs(bundle)

# Two sections, one shown per run: the sweep (form, progress, metric plot) and the exploration
# (shortlist, k, labels, views). A sweep that finishes while watched opens the exploration.
view = state.latest_sweep(bundle)
section = V.section_switch(view)
V.follow_other_processes(bundle, view)   # a sweep the CLI starts while this page is open shows up by itself

# ---- 1. sweep ----------------------------------------------------------------------------------
if section == V.SWEEP:
    st.subheader(_("1 · Sweep the number of topics"))
    cluster_panel()
    action, config = V.sweep_form()
else:
    action, config = None, None
if action:
    try:
        last = view.config if view is not None else None
        if action == "extend" and last is not None:
            config = SweepConfig(**{**config.to_dict(), "k_min": min(last.k_min, config.k_min),
                                    "k_max": max(last.k_max, config.k_max)})
        state.start_sweep(bundle, config.validate(bundle), label=V.sweep_label(config, corpus.name))
        view = state.latest_sweep(bundle)
        V.watch_sweep(view)
    except InputError as exc:
        state.show_error(exc)
    except JobError as exc:   # "already running": its message is for people (translated where it carries a msgid)
        st.error(state.md_escape(i18n.translate_error(exc)), icon=":material/error:")

for other in state.other_running_sweeps(view):
    c1, c2 = st.columns([5, 1])
    c1.info(_("Another sweep of this project ({sweep}) is still running: one sweep runs at a time. Its "
              "models are kept as they finish.").format(sweep=state.md_escape(other.label)))
    if c2.button(_("Cancel it"), key=f"topics_cancel_other_{other.id}"):
        state.job_registry().cancel(other.id, state.project_owner())

if view is None:
    st.info(_("Start a sweep to compare k values, then pick a model to explore.")
            + ("" if section == V.SWEEP else " " + _("Open **1 · Sweep** above.")))
    st.stop()

if view.elsewhere:   # run by the CLI or another server: watched from the stored fits, never resumed here
    V.watch_elsewhere(view, bundle, section)
    st.stop()
if view.result is None and section == V.EXPLORE:
    st.info(_("The sweep is still running: its models appear here when it finishes (progress under **1 · Sweep**)."))
    st.stop()
if view.result is None:  # running in this server process
    if st.button(_("Cancel sweep"), key="topics_cancel"):
        state.cancel_sweep(view)

    @st.fragment(run_every=1.0)
    def live():
        i18n.set_language(state.ui_language())   # a fragment rerun does not run the page's first lines
        current = state.latest_sweep(bundle)
        if current is None or current.result is not None:
            st.rerun()  # the whole page: results and model picker appear
        V.live_progress(current.job)

    live()
    st.stop()

if section == V.EXPLORE and view.status != "done":   # stopped short: explore the last complete sweep instead
    complete = state.explorable_sweep(bundle, view)
    if complete is not view:
        st.caption(_("The latest sweep stopped before it finished ({status}); these are the models of the last "
                     "complete sweep (k = {k_min} to {k_max}). Resume the latest one under **1 · Sweep**.").format(
            status=_(V.STATUS_WORDS.get(view.status, view.status)), k_min=complete.config.k_min,
            k_max=complete.config.k_max))
        view = complete
result = view.result
done_line = ngettext("{n} model in {time} · {engine}", "{n} models in {time} · {engine}", len(result.models)).format(
    n=format_int(len(result.models)), time=format_duration(view.record.get("wall_seconds") or result.wall_seconds),
    engine=_(ENGINE_LABELS.get(result.config.engine, result.config.engine)))
if section == V.EXPLORE and not result.models:
    st.info(_("This sweep has no finished model to explore: see **1 · Sweep**."))
    st.stop()
if section == V.SWEEP:
    if view.status == "interrupted":
        st.warning(_("This sweep was interrupted (the process running it stopped): {done} of {total} models had "
                     "finished; finished models are kept.").format(done=format_int(len(result.models)),
                                             total=format_int(len(view.config.ks) * view.config.seeds)))
        row = st.container(horizontal=True, gap="small")   # buttons as wide as their labels, in any language
        resume = row.button(_("Resume"), key="topics_resume", type="primary")
        restart = row.button(_("Restart"), key="topics_restart")
        if resume or restart:
            try:
                state.start_sweep(bundle, view.config, label=V.sweep_label(view.config, corpus.name), refit=restart)
                st.rerun()
            except (InputError, JobError) as exc:   # another process runs a sweep, a full disk: said, models kept
                state.show_error(exc)
    elif view.status == "failed":
        error = view.job.error if view.job is not None else record_error(view.record)
        st.error(state.md_escape(
            _("The sweep failed: {error}. Models finished before the error are kept (see 2 · Explore).").format(error=error)
            if result.models else _("The sweep failed: {error}").format(error=error)))
    elif view.status == "cancelled":
        st.warning(_("The sweep was cancelled; the models finished before that are kept."))
    if result.models:
        st.caption(done_line)
        V.sweep_overview(result.frame, running=False, result=result)
        st.info(_("The shortlist and the models are under **2 · Explore** above."))
    st.stop()

# ---- 2. choose k ---------------------------------------------------------------------------------
st.subheader(_("2 · Explore a model"))
st.caption(done_line)
shortlisted = V.shortlist_and_compare(result)
ks = result.ks
default_k = shortlisted[0] if shortlisted and shortlisted[0] in ks else ks[0]
c1, c2 = st.columns([1, 2])
state.keep_choice(f"topics_k_{key}", ks)   # a k saved for an earlier sweep of other k values is not offered
k = c1.selectbox(_("Number of topics k"), ks, index=ks.index(default_k), key=f"topics_k_{key}", persist_state="session")
lam = c2.slider(_("Relevance λ (1 = most probable words, lower = more topic-specific)"), *bounds("topics_lambda"),
                explore.DEFAULT_LAMBDA, 0.01, key="topics_lambda", persist_state="session")
model = result.model(k)
model_key = model_key_of(key, result.config, k)

st.markdown(_("**Topic labels** — type a label; it is used in every view and export of this corpus."))
labels = V.label_editor(model, model_key, lam)
names = explore.topic_names(labels)

# Values stay English (saved with the project, used by the tests); shown in the reader's language.
VIEWS = [N_("Topic map"), N_("Topic cards"), N_("Documents"), N_("Groups & time"), N_("Similarity"), N_("Export")]
view = st.radio(_("View"), VIEWS, horizontal=True, key="topics_view", persist_state="session", label_visibility="collapsed", format_func=state.localized(_))
if view == "Topic map":  # one view per run: the map alone renders in well under a second
    prepared = state.memo("topics_ldavis", model_key, lambda: ldavis.prepare_model(model))
    st.iframe(ldavis.ldavis_page(prepared, names=names, lambda_=lam), height="content")
    st.caption(_("pyLDAvis, fully offline. Circles keep the model's topic numbers; click one to see its most "
                 "relevant words. The map's λ follows the slider above."))
elif view == "Topic cards":
    V.topic_cards(model, names, corpus.texts, lam)
elif view == "Documents":
    V.document_browser(model, labels, names, corpus)
elif view == "Groups & time":
    V.groups_and_time(model, names, corpus)
elif view == "Similarity":
    st.plotly_chart(topic_similarity_heatmap(explore.topic_similarity(model), names), key="topics_similarity")
    st.caption(_("Similarity = 1 − Jensen-Shannon divergence (bits) between topics' word distributions."))
else:
    V.exports(model, result, corpus, labels, lam)
