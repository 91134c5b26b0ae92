"""Rendering helpers for pages/topics.py: widgets and layout only; every number comes from core/.

Sweeps, fits and labels live in the project (ui.state); `topics_cache` is the session's
in-memory layer over the project's stored fits. `topics_form` keeps the sweep form's last
submitted values: Streamlit drops widget keys when the user visits another page, so the form is
rebuilt from this plain key.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.charts.sweep_compare import compare_table_figure
from core.charts.sweep_metrics import raw_values_table, sweep_metrics_figure
from core.charts.topics_groups import topic_group_heatmap
from core.charts.topics_mixture import doc_mixture_bars
from core.charts.topics_time import topic_time_lines
from core.charts.topics_words import topic_words_grid
from core import i18n
from core.errors import InputError
from core.export import to_csv_bytes, to_xlsx_bytes
from core.i18n import N_, _, format_duration, format_int, format_number, ngettext
from core.topics import explore, report
from core.topics.engines import DEFAULT_ITERATIONS, ENGINE_LABELS, ENGINES
from core.topics.sweep import (DEFAULT_ENGINE, SweepConfig, compare_top_words, frame_from_events, shortlist,
                               shortlist_evidence)
from core.params import bounds
from core.topics.sweep_progress import sweep_status
from core.projects.project import describe_lease
from ui import state
from ui import topics_quality as Q

PRIOR_DEFAULTS = {"sklearn": ("1/K", "1/K"), "tomotopy": ("0.1", "0.01")}
PERPLEXITY_CAVEAT = N_(
    "Perplexity is shown but not used for the shortlist: it often keeps improving as k grows and "
    "agrees poorly with people's judgement of topic quality (Chang et al. 2009, *Reading Tea Leaves*). "
    "Treat the metrics as a shortlist and read the candidates' top words before choosing."
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


STATUS_WORDS = {"interrupted": N_("interrupted"), "cancelled": N_("cancelled"), "failed": N_("failed")}
# The section switch's values (session state, tests); shown through _().
SWEEP, EXPLORE = N_("1 · Sweep"), N_("2 · Explore")
EVIDENCE = {"strong": N_("strong evidence"), "weak": N_("weak evidence"), "poor": N_("poor evidence")}


def sweep_label(config: SweepConfig, corpus_name: str) -> str:
    """The sweep job's label: the same in every language (it outlives the run that named it)."""
    return f"k = {config.k_min}–{config.k_max} · {corpus_name}"


def watch_sweep(view) -> None:
    """Remember the running sweep this session looks at: when it finishes, Explore opens. Called
    when a sweep starts too (the live fragment that follows reruns only itself, not the switch)."""
    if view is not None and (view.result is None or view.elsewhere):
        st.session_state["topics_watch"] = view.record.get("id")


def section_switch(view) -> str:
    """The page's section switch (one section per run, no long scroll from the sweep to the views).

    Opens "Explore" when a finished sweep is there on arrival, and when the sweep this session
    watched running has just finished (the page's rerun after the live fragment saw it end)."""
    running = view is not None and (view.result is None or view.elsewhere)
    finished = view is not None and view.result is not None and bool(view.result.models) and not running
    opens = finished and view.status != "interrupted"   # an interrupted sweep first offers Resume (sweep section)
    sweep_id = view.record.get("id") if view is not None else None
    if running:
        watch_sweep(view)
    elif opens and sweep_id is not None and st.session_state.get("topics_watch") == sweep_id:
        del st.session_state["topics_watch"]
        st.session_state["topics_section"] = EXPLORE
    st.session_state.setdefault("topics_section", EXPLORE if opens else SWEEP)
    return st.segmented_control(_("Section"), [SWEEP, EXPLORE], required=True, key="topics_section",
                                format_func=state.localized(_), label_visibility="collapsed") or SWEEP


FORM_DEFAULTS = {"k_min": 2, "k_max": 12, "k_step": 2, "seeds": 1, "engine": DEFAULT_ENGINE,
                 "iterations": None, "alpha": None, "eta": None}


def sweep_form() -> tuple[str | None, SweepConfig | None]:
    """The sweep settings; returns (action, config) where action is 'start', 'extend' or None.

    Widgets start from the values last shown (`topics_form`), so a page switch does not reset the
    form to its defaults while the sweep it started keeps running."""
    v = {**FORM_DEFAULTS, **st.session_state.get("topics_form", {})}
    # Enter in a number box must not start a sweep of minutes before the other fields are set.
    with st.form("topics_sweep_form", border=True, enter_to_submit=False):
        c = st.columns(4)
        k_min = c[0].number_input(_("Smallest k"), *bounds("topics_k_min"), v["k_min"], key="topics_k_min", persist_state="session")
        k_max = c[1].number_input(_("Largest k"), *bounds("topics_k_max"), v["k_max"], key="topics_k_max", persist_state="session")
        k_step = c[2].number_input(_("Step"), *bounds("topics_k_step"), v["k_step"], key="topics_k_step", persist_state="session")
        seeds = c[3].number_input(_("Seeds per k"), *bounds("topics_seeds"), v["seeds"], key="topics_seeds", persist_state="session",
                                  help=_("2+ seeds add the stability metric (and take longer)."))
        p = st.columns([2, 1, 1, 1])
        engine = p[0].selectbox(_("Engine"), ENGINES, index=ENGINES.index(v["engine"]), key="topics_engine", persist_state="session",
                                format_func=state.localized(lambda e: _(ENGINE_LABELS[e])))
        # The default alone: "默认：200" did not fit the box (it read "默认：20"); the caption below says what it is.
        default = "{value}"
        iterations = p[1].number_input(_("Iterations"), *bounds("topics_iterations"), v["iterations"], key="topics_iterations", persist_state="session",
                                       placeholder=default.format(value=DEFAULT_ITERATIONS[engine]),
                                       help=_("sklearn: EM passes (default 10); tomotopy: Gibbs sweeps (default 200)."))
        alpha = p[2].number_input(_("alpha (document-topic prior)"), *bounds("topics_alpha"), v["alpha"], format="%.4f",
                                  key="topics_alpha", persist_state="session", placeholder=default.format(value=PRIOR_DEFAULTS[engine][0]))
        eta = p[3].number_input(_("eta (topic-word prior)"), *bounds("topics_eta"), v["eta"], format="%.4f", key="topics_eta", persist_state="session",
                                placeholder=default.format(value=PRIOR_DEFAULTS[engine][1]))
        st.caption(_("Defaults for {engine}: iterations {iterations}, alpha {alpha}, eta {eta}. "
                     "Empty fields use these defaults.").format(engine=engine, iterations=DEFAULT_ITERATIONS[engine],
                                                                alpha=PRIOR_DEFAULTS[engine][0],
                                                                eta=PRIOR_DEFAULTS[engine][1]))
        row = st.container(horizontal=True, gap="small")   # buttons as wide as their labels, in any language
        row.form_submit_button(_("Start sweep"), type="primary", on_click=state.remember_click, args=("topics_start",))
        row.form_submit_button(_("Extend sweep"), help=_("Widen the last sweep's k range; fitted k are reused."),
                                on_click=state.remember_click, args=("topics_extend",))
    # Every run, not only on submit: values restored from the project count too.
    st.session_state["topics_form"] = {"k_min": int(k_min), "k_max": int(k_max), "k_step": int(k_step),
                                       "seeds": int(seeds), "engine": engine, "iterations": iterations,
                                       "alpha": alpha, "eta": eta}
    start, extend = state.take_click("topics_start"), state.take_click("topics_extend")
    if not (start or extend):
        return None, None
    config = SweepConfig(k_min=int(k_min), k_max=int(k_max), k_step=int(k_step), seeds=int(seeds), engine=engine,
                         iterations=int(iterations) if iterations else None,
                         alpha=float(alpha) if alpha else None, eta=float(eta) if eta else None)
    return ("start" if start else "extend"), config


def sweep_overview(frame: pd.DataFrame, running: bool, result=None) -> None:
    """Metric plot, raw values (with label NMI/ARI per k once `result` is given), and the shortlist."""
    if frame.empty:
        st.caption(_("No model finished yet."))
        return
    cands = [] if running else shortlist(frame)
    # theme=None: drawn exactly as in the stakeholder report (same figure, same styling)
    st.plotly_chart(sweep_metrics_figure(frame, candidates=[c.k for c in cands]), key="topics_sweep_plot", theme=None)
    with st.expander(_("Raw metric values (mean over seeds)")):
        corpus = state.current_corpus()
        labels = corpus.labels if corpus is not None else None
        st.dataframe(Q.sweep_table(result, labels) if result is not None else raw_values_table(frame), hide_index=True)
    st.caption(_(PERPLEXITY_CAVEAT))


def follow_other_processes(bundle, view) -> None:
    """While no sweep runs here, look every few seconds whether another process (the CLI, another
    server) started or ended one of this corpus, and redraw the page when it did."""
    if view is not None and (view.result is None or view.elsewhere):
        return                                   # already followed live (this process's job, or watch_elsewhere)
    seen = (view.record.get("id"), view.record.get("status")) if view is not None else None

    @st.fragment(run_every=5.0)
    def poll() -> None:
        record = state.latest_sweep_record(bundle)
        if ((record.get("id"), record.get("status")) if record else None) != seen:
            st.rerun()

    poll()


def watch_elsewhere(view, bundle, section: str) -> None:
    """A sweep that another process runs (the CLI, another server): who, how far (from its stored
    fits), and the metrics so far, refreshed every few seconds until it ends."""
    @st.fragment(run_every=3.0)
    def progress() -> None:
        i18n.set_language(state.ui_language())   # a fragment rerun does not run the page's first lines
        current = state.latest_sweep(bundle)
        if current is None or not current.elsewhere or current.record.get("id") != view.record.get("id"):
            st.rerun()                            # it ended (or died): the whole page shows what is stored
        total = len(current.config.ks) * current.config.seeds
        done = len(current.result.models) if current.result is not None else 0
        st.info(_("This sweep is running in {who}: {done} of {total} models have finished. It is shown here as "
                  "it progresses; Resume and Restart are offered only if it stops.").format(
            who=state.md_escape(i18n.translate_error(describe_lease(current.record))),
            done=format_int(done), total=format_int(total)), icon=":material/sync:")
        st.progress(done / total if total else 0.0)
        if section == SWEEP and current.result is not None and current.result.models:
            sweep_overview(current.result.frame, running=True)

    progress()


def live_progress(job) -> None:
    """Body of the 1-second fragment while a sweep runs."""
    status = sweep_status(job.events, job.elapsed)
    if status is None:  # a job without a plan event: fall back to the share of models done
        eta = job.eta()
        text = f"{job.message}" if job.message else _("Starting worker processes…")   # a Message: translated here
        st.progress(job.progress, text=text + (" · " + _("about {time} left").format(time=format_duration(eta))
                                               if eta is not None else ""))
    else:
        st.progress(status.fraction, text=status.text)
    sweep_overview(frame_from_events(job.events), running=True)


def shortlist_and_compare(result) -> list[int]:
    cands = shortlist(result.frame)
    if cands:
        level, notes = shortlist_evidence(result.frame, cands)
        st.markdown(_("**Shortlist** (rank aggregation over the coherence/diversity metrics; **{evidence}**):")
                    .format(evidence=_(EVIDENCE.get(level, level))))
        for c in cands:
            st.markdown(f"- {state.md_escape(c.explanation)}")
        for note in notes:
            (st.warning if level == "poor" else st.caption)(state.md_escape(note))
        st.caption(_(PERPLEXITY_CAVEAT))
        models = [result.model(c.k) for c in cands if (c.k, 0) in result.models]
        if len(models) > 1:
            st.markdown(_("**Compare the candidates' top words** (each model's own topic numbers):"))
            st.plotly_chart(compare_table_figure(compare_top_words(models, n=8)), key="topics_compare")
    return [c.k for c in cands]


def label_editor(model, model_key: str, lam: float) -> list[str]:
    """Editable labels (saved in the project per corpus+model); returns the labels in use."""
    store = state.topic_labels(model_key)
    words = explore.top_word_lists(model, lam, 8)
    share = explore.topic_token_share(model)
    frame = pd.DataFrame({"topic": range(model.k), "label": [store.get(k, "") for k in range(model.k)],
                          "share": share, "top words": [" ".join(w) for w in words]})  # i18n: skip (column name)
    # Column names stay as they are (the edits are read back by name); the headers are translated.
    locked = ["topic", "share", "top words"]  # i18n: skip (column names)
    edited = st.data_editor(
        frame, hide_index=True, key=f"topics_label_editor_{model_key}", disabled=locked,
        column_config={"topic": st.column_config.NumberColumn(_("topic")),
                       "label": st.column_config.TextColumn(_("label (editable)"), max_chars=80),
                       "share": st.column_config.ProgressColumn(_("share of tokens"), format="percent",
                                                                min_value=0, max_value=1),
                       "top words": st.column_config.TextColumn(_("top words"))})
    new = explore.clean_labels(dict(zip(edited["topic"], edited["label"].fillna(""))), model.k)
    if new != store:
        state.save_topic_labels(model_key, new)
        store = new
    return explore.topic_labels(model, store, lam)


def topic_cards(model, names: list[str], texts: list[str], lam: float) -> None:
    tw = explore.top_words(model, lam, 10)
    st.plotly_chart(topic_words_grid(tw, names, columns=4, value="relevance"), key="topics_words_grid")
    st.caption(_("Words are ordered by relevance at λ = {lam:g}, and the bar length is that relevance: "
                 "p(w|t)^λ · lift^(1−λ), which equals the word's probability in the topic at λ = 1. "
                 "Hover a bar for the probability and lift.").format(lam=lam))
    Q.term_topics(model, names)
    representative_docs(model, names, texts)


DOC_CHARS = 1500  # a representative document is shown in full up to this length


def representative_docs(model, names: list[str], texts: list[str]) -> None:
    """One topic at a time, its most representative documents as readable text (not collapsed)."""
    st.markdown(_("**Most representative documents**"))
    t = st.selectbox(_("Topic"), range(model.k), format_func=lambda k: names[k], key="topics_rep_topic")
    rep = explore.representative_docs(model, texts, t, 5)
    for row, weight, text in rep.itertuples(index=False):
        text = str(text)
        shown = text if len(text) <= DOC_CHARS else text[:DOC_CHARS] + "… " + ngettext(
            "({n} character)", "({n} characters)", len(text)).format(n=format_int(len(text)))
        with st.container(border=True):
            st.caption(_("row {row} · topic weight {weight}").format(row=int(row), weight=format_number(float(weight), 2)))
            st.markdown(state.md_escape(shown))


def doc_table_headers(table: pd.DataFrame, k: int) -> dict[str, str]:
    """Headers in the reader's language for a doc-topic table shown in the app (the frame and its
    exports keep their machine names: row, dominant_topic, topic_0, ...); the group column keeps
    the corpus's own name."""
    names = {"row": _("row"), "text": _("text"), "dominant_topic": _("dominant topic"),
             "dominant_label": _("dominant label"), "dominant_weight": _("dominant weight")}
    names.update({f"{explore.TOPIC_PREFIX}{t}": _("topic {t}").format(t=t) for t in range(k)})
    return {c: names[c] for c in table.columns if c in names}


def document_browser(model, labels: list[str], names: list[str], corpus) -> pd.DataFrame:
    table = explore.doc_topic_table(model, corpus.texts, labels, corpus.labels, corpus.label_col or "group")
    c = st.columns([2, 2, 2])
    options = [None, *range(model.k)]
    fmt = lambda t: _("all topics") if t is None else names[t]  # noqa: E731
    dom = c[0].selectbox(_("Dominant topic"), options, format_func=fmt, key="topics_browse_dom", persist_state="session")
    kw = c[1].text_input(_("Keyword in text"), key="topics_browse_kw", persist_state="session")
    sort = c[2].selectbox(_("Sort by topic weight"), options,
                          format_func=state.localized(lambda t: _("corpus order") if t is None else names[t]), key="topics_browse_sort", persist_state="session")
    shown = explore.browse_docs(table, dominant=dom, keyword=kw, sort_topic=sort, limit=500)
    st.caption(ngettext("{n} document shown (of {total} modelled; at most 500).",
                        "{n} documents shown (of {total} modelled; at most 500).", len(shown))
               .format(n=format_int(len(shown)), total=format_int(len(table))))
    st.dataframe(shown, hide_index=True, height=320, column_config=doc_table_headers(shown, model.k))
    if len(shown):
        top = shown.head(12)
        weights = top[[f"{explore.TOPIC_PREFIX}{k}" for k in range(model.k)]].to_numpy()
        st.plotly_chart(doc_mixture_bars(weights, [_("row {row}").format(row=r) for r in top["row"]], names,
                                         min_share=0.02),
                        key="topics_mixture")
    return table


def groups_and_time(model, names: list[str], corpus) -> None:
    Q.label_agreement_view(model, names, corpus)
    if corpus.labels is not None:
        st.markdown(_("**Topic prevalence by {column}** (mean topic weight per group)")
                    .format(column=state.md_escape(corpus.label_col)))
        st.plotly_chart(topic_group_heatmap(explore.prevalence_by_group(model, corpus.labels), names),
                        key="topics_groups")
    else:
        st.caption(_("Set a label/group column on the Corpus page to compare topics across groups."))
    if corpus.dates is not None:
        try:
            prev = explore.prevalence_over_time(model, corpus.dates)
            st.markdown(_("**Topics over time** ({column}, mean topic weight per period)")
                        .format(column=state.md_escape(corpus.date_col)))
            st.plotly_chart(topic_time_lines(prev, names), key="topics_time")
        except InputError as exc:
            state.show_error(exc)
    else:
        st.caption(_("Set a date column on the Corpus page to see topics over time."))


def sweep_file_table(result, gold_labels) -> pd.DataFrame:
    """The sweep as a file: one row per fit, the same stable column names as `topiclens sweep --out`."""
    from core.topics.labels import sweep_file_frame

    return sweep_file_frame(result.frame, result.models, gold_labels)


def exports(model, result, corpus, labels: list[str], lam: float) -> None:
    table = explore.doc_topic_table(model, corpus.texts, labels, corpus.labels, corpus.label_col or "group")
    tw_table = explore.topic_word_table(model, lam, 20, labels)
    metrics = Q.sweep_table(result, corpus.labels)        # headers for people: the report's table
    stem = f"{state.file_stem()}_k{model.k}"

    lang = i18n.language()   # the report is built when clicked: in the language of the page it was clicked on

    def build_report() -> bytes:
        with i18n.use_language(lang):
            manifest = report.run_manifest(model, corpus_name=corpus.name, content_hash=corpus.content_hash,
                                           text_col=corpus.text_col, preprocessing=state.preprocess_settings(),
                                           lambda_=lam, extra={"sweep": result.config.to_dict()})
            fig = sweep_metrics_figure(result.frame, candidates=[c.k for c in shortlist(result.frame)])
            return report.build_report(model, texts=corpus.texts, labels=dict(enumerate(labels)), lambda_=lam,
                                       manifest=manifest, sweep_figure=fig, sweep_table=metrics,
                                       title=_("Topics in {corpus}").format(corpus=corpus.name),
                                       gold_labels=corpus.labels, label_name=corpus.label_col or "label").encode("utf-8")

    c = st.container(horizontal=True, gap="small")  # buttons sized to their labels, evenly spaced
    c.download_button(_("Doc-topic CSV"), lambda: to_csv_bytes(table), f"{stem}_doc_topics.csv", "text/csv",
                      key="topics_dl_dt_csv", on_click="ignore")
    c.download_button(_("Doc-topic XLSX"), lambda: to_xlsx_bytes(table, "doc_topics"), f"{stem}_doc_topics.xlsx", XLSX,
                      key="topics_dl_dt_xlsx", on_click="ignore")
    c.download_button(_("Topic words (λ={lam:g}) CSV").format(lam=lam), to_csv_bytes(tw_table), f"{stem}_topic_words.csv",
                      "text/csv", key="topics_dl_tw", on_click="ignore")
    c.download_button(_("Sweep metrics CSV"), lambda: to_csv_bytes(sweep_file_table(result, corpus.labels)),
                      f"{state.file_stem()}_sweep_metrics.csv", "text/csv",
                      key="topics_dl_sweep", on_click="ignore")
    c.download_button(_("Report (HTML)"), build_report, f"{stem}_report.html", "text/html",
                      key="topics_dl_report", on_click="ignore", type="primary")
    st.caption(_("The stakeholder report is one offline HTML file: topic map, topic cards with your labels, sweep plot "
                 "and a run manifest (data hash, every preprocessing choice, parameters, library versions, seed, engine)."))
