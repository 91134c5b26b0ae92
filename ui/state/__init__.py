"""The package that owns Streamlit caching and session state.

Caches are keyed on a content hash of the upload plus every parameter (Streamlit's own DataFrame
hashing samples rows and can go stale). Engine results live in a process-wide, bounded LRU
(`memo`): the key can only be produced by a session holding the same bytes, so sessions never see
each other's data. Per-session things (the loaded corpus, settings, job ids) live in
`st.session_state`.

Projects make it last: every session works in one project (`?project=<id>` in the address, a
secret that is the project's private address). Everything a user changes is written to it as it
happens (corpus bytes and read options, preprocessing, widget values, sweeps fit by fit, labels,
fine-tune runs), and a new session on the same address (reload, new tab, server restart) reads
it all back in `bind_project`, which the frame calls before any page runs.

One module per concern:

- `session`: the session's id, process-wide caches and job registry, the workspace's store, loaders
- `language`: the interface language of the session
- `render`: messages on the page: errors, the full-disk notice, escaping, remembered clicks
- `autosave`: the kept widgets (core.params.KEPT) written to the project as they change
- `projects`: the project lifecycle: open, create, rename, duplicate, delete, export, import, bind
- `corpus`: the session's corpus and preprocessing, tokens and the document-term matrix
- `finetune`: fine-tune jobs of the project and their outcomes
- `sweeps`: sweep jobs of the project, their views, topic labels and the chosen model

Pages use it as one namespace (`from ui import state; state.current_corpus()`).
"""

from __future__ import annotations

from ui.state.session import (  # noqa: F401 - re-exported
    _memo_store, current_project, DEFAULT_DEMO, demo_source, DEMOS, frame_first, hold_owner, job_registry,
    load_demo, load_upload, memo, memo_has, project_store, session_id)
from ui.state.language import (  # noqa: F401 - re-exported
    LANG_KEY, LANG_SWITCH, localized, on_language_switch, ui_language)
from ui.state.render import (  # noqa: F401 - re-exported
    disk_full, disk_notice, DiskNotice, md_escape, remember_click, show_disk_full, show_error, take_click)
from ui.state.autosave import (  # noqa: F401 - re-exported
    autosave, keep_choice)
from ui.state.projects import (  # noqa: F401 - re-exported
    begin_page, bind_project, delete_project, duplicate_project, export_project, file_stem, import_project,
    list_all_projects, mark_worked_on, new_demo_project, open_project, project, project_owner, rename_project,
    visible_projects)
from ui.state.corpus import (  # noqa: F401 - re-exported
    current_corpus, current_tokens, data_key, preprocess_settings, require_corpus, reread_corpus, set_corpus,
    set_preprocess_settings, topics_dtm)
from ui.state.finetune import (  # noqa: F401 - re-exported
    _HoldingCores, finetune_elsewhere, finetune_job, finetune_outcome, interrupted_checkpoint, predictions,
    submit_finetune)
from ui.state.sweeps import (  # noqa: F401 - re-exported
    cancel_sweep, current_topic_model, explorable_sweep, latest_sweep, latest_sweep_record, other_running_sweeps,
    save_topic_labels, start_sweep, SweepView, topic_labels)
