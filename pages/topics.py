"""Topics: sweep k in the background, shortlist candidates, then explore the chosen model.

The sweep runs as a background job owned by this browser session and belongs to the corpus (data
key) it was started on: load another corpus and its results are not shown for the new one (switch
back and they are still there). Exploration views keep the model's topic numbers (0..K-1) and the
user's labels everywhere: pyLDAvis map, cards, documents, heatmaps and every export.
"""

import streamlit as st

from core.charts.topics_similarity import topic_similarity_heatmap
from core.errors import InputError
from core.jobs import JobError
from core.topics import explore, ldavis
from core.topics.dtm import build_dtm
from core.topics.sweep import SweepConfig, prune_cache, run_sweep
from ui import state
from ui import topics_views as V

st.title("Topics")
corpus, tokens = state.require_corpus()
key = state.data_key()
registry, owner = state.job_registry(), state.session_id()
jobs, configs, cache = V.session_dict("jobs"), V.session_dict("configs"), V.session_dict("cache")

try:
    bundle = state.memo("topics_dtm", key, lambda: build_dtm(tokens.docs, data_key=key))
except InputError as exc:
    state.show_error(exc)
    st.stop()
st.caption(f"{bundle.n_docs:,} non-empty documents · {bundle.n_terms:,} terms · {bundle.n_tokens:,} tokens "
           f"(tokens by {tokens.segmenter})")

# ---- 1. sweep ----------------------------------------------------------------------------------
st.subheader("1 · Sweep the number of topics")
action, config = V.sweep_form()
if action:
    try:
        last = configs.get(key)
        if action == "extend" and last is not None:
            config = SweepConfig(**{**config.to_dict(), "k_min": min(last.k_min, config.k_min),
                                    "k_max": max(last.k_max, config.k_max)})
        config = config.validate(bundle)
        prune_cache(cache, bundle)  # a session keeps the fits of the corpus it works on, not of every one
        job = registry.submit(owner, "topics_sweep", lambda ctx, b=bundle, c=config: run_sweep(b, c, ctx, cache),
                              label=f"k {config.k_min}-{config.k_max} on {corpus.name}")
        jobs[key], configs[key] = job.id, config
    except (InputError, JobError) as exc:
        state.show_error(InputError(str(exc)))

# Sweeps started on another corpus keep running/finished there; say so instead of mixing them in.
for other_key, other_id in list(jobs.items()):
    other = registry.get(other_id, owner)
    if other_key != key and other is not None and not other.done:
        c1, c2 = st.columns([5, 1])
        c1.info(f"A sweep started on another corpus or preprocessing ({state.md_escape(other.label)}) is still "
                "running. Its results belong to that corpus: load it again to see them.")
        if c2.button("Cancel it", key=f"topics_cancel_other_{other_id}"):
            registry.cancel(other_id, owner)

job = registry.get(jobs.get(key), owner)
if job is None:
    st.info("Start a sweep to compare k values, then pick a model to explore.")
    st.stop()

if not job.done:
    if st.button("Cancel sweep", key="topics_cancel"):
        registry.cancel(job.id, owner)

    @st.fragment(run_every=1.0)
    def live():
        current = registry.get(job.id, owner)
        if current is None or current.done:
            st.rerun()  # the whole page: results and model picker appear
        V.live_progress(current)

    live()
    st.stop()

result = job.result
if job.status == "failed":
    st.error(state.md_escape(f"The sweep failed: {job.error}. Models finished before the error are kept below."
                             if result is not None and result.models else f"The sweep failed: {job.error}"))
elif job.status == "cancelled":
    st.warning("The sweep was cancelled; the models finished before that are kept.")
if result is None or not result.models:
    st.stop()
if result.data_key != key:  # defensive: never show a sweep of another corpus as this one's
    st.warning("These sweep results belong to a different corpus or preprocessing; start a new sweep.")
    st.stop()
st.caption(f"{len(result.models)} models in {job.elapsed:.0f} s · {result.config.engine}")
V.sweep_overview(result.frame, running=False)
shortlisted = V.shortlist_and_compare(result)

# ---- 2. choose k ---------------------------------------------------------------------------------
st.subheader("2 · Explore a model")
ks = result.ks
default_k = shortlisted[0] if shortlisted and shortlisted[0] in ks else ks[0]
c1, c2 = st.columns([1, 2])
k = c1.selectbox("Number of topics k", ks, index=ks.index(default_k), key=f"topics_k_{key}")
lam = c2.slider("Relevance λ (1 = most probable words, lower = more topic-specific)", 0.0, 1.0,
                explore.DEFAULT_LAMBDA, 0.01, key="topics_lambda")
model = result.model(k)
model_key = f"{key}|{result.config.engine}|k={k}|seed=0|{result.config.params_key()}"

st.markdown("**Topic labels** — type a label; it is used in every view and export of this corpus.")
labels = V.label_editor(model, model_key, lam)
names = explore.topic_names(labels)

VIEWS = ["Topic map", "Topic cards", "Documents", "Groups & time", "Similarity", "Export"]
view = st.radio("View", VIEWS, horizontal=True, key="topics_view", label_visibility="collapsed")
if view == "Topic map":  # one view per run: the map alone renders in well under a second
    prepared = state.memo("topics_ldavis", model_key, lambda: ldavis.prepare_model(model))
    st.iframe(ldavis.ldavis_page(prepared, names=names, lambda_=lam), height="content")
    st.caption("pyLDAvis, fully offline. Circles keep the model's topic numbers; click one to see its most "
               "relevant words. The λ slider inside the map starts at the value chosen above.")
elif view == "Topic cards":
    V.topic_cards(model, names, corpus.texts, lam)
elif view == "Documents":
    V.document_browser(model, labels, names, corpus)
elif view == "Groups & time":
    V.groups_and_time(model, names, corpus)
elif view == "Similarity":
    st.plotly_chart(topic_similarity_heatmap(explore.topic_similarity(model), names), key="topics_similarity")
    st.caption("Similarity = 1 − Jensen-Shannon divergence (bits) between topics' word distributions.")
else:
    V.exports(model, result, corpus, labels, lam)
